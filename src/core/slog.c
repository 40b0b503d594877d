#include "core/slog.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum slog_level min_level = SLOG_INFO;
static bool json_mode;
static const char *level_names[] = {"debug", "info", "warn", "error"};

void slog_set_level(enum slog_level l) { min_level = l; }
void slog_set_json(bool json) { json_mode = json; }
bool slog_enabled(enum slog_level l) { return l >= min_level; }

bool slog_set_level_name(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0) {
            min_level = (enum slog_level)i;
            return true;
        }
    return false;
}

static int format_time(char *out, size_t n)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    return (int)k + snprintf(out + k, n - k, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Appends s as a JSON string body (without quotes). */
static size_t json_escape(char *out, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 7 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    return o;
}

/* Turns "k1=v1 k2=\"v 2\"" into ,"k1":"v1","k2":"v 2" for JSON mode. */
static size_t logfmt_to_json(char *out, size_t cap, const char *f)
{
    size_t o = 0;
    while (*f && o + 16 < cap) {
        while (*f == ' ')
            f++;
        const char *eq = strchr(f, '=');
        if (!eq)
            break;
        o += (size_t)snprintf(out + o, cap - o, ",\"");
        o += json_escape(out + o, cap - o, f, (size_t)(eq - f));
        o += (size_t)snprintf(out + o, cap - o, "\":\"");
        const char *v = eq + 1, *end;
        if (*v == '"') {
            v++;
            end = v;
            while (*end && !(*end == '"' && end[-1] != '\\'))
                end++;
            o += json_escape(out + o, cap - o, v, (size_t)(end - v));
            f = *end ? end + 1 : end;
        } else {
            end = v;
            while (*end && *end != ' ')
                end++;
            o += json_escape(out + o, cap - o, v, (size_t)(end - v));
            f = end;
        }
        if (o + 2 < cap)
            out[o++] = '"';
    }
    out[o < cap ? o : cap - 1] = 0;
    return o;
}

void slog(enum slog_level l, const char *sub, const char *msg, const char *fields, ...)
{
    if (l < min_level)
        return;
    char ts[40], kv[2048] = "", line[4096];
    format_time(ts, sizeof(ts));
    if (fields) {
        va_list ap;
        va_start(ap, fields);
        vsnprintf(kv, sizeof(kv), fields, ap);
        va_end(ap);
    }
    int n;
    if (json_mode) {
        char m[512], fj[3000];
        size_t ml = json_escape(m, sizeof(m), msg, strlen(msg));
        m[ml] = 0;
        logfmt_to_json(fj, sizeof(fj), kv);
        n = snprintf(line, sizeof(line), "{\"time\":\"%s\",\"level\":\"%s\",\"sub\":\"%s\",\"msg\":\"%s\"%s}\n",
                     ts, level_names[l], sub, m, fj);
    } else {
        n = snprintf(line, sizeof(line), "time=%s level=%s sub=%s msg=\"%s\"%s%s\n", ts, level_names[l],
                     sub, msg, kv[0] ? " " : "", kv);
    }
    if (n > (int)sizeof(line) - 1) {
        n = (int)sizeof(line) - 1;
        line[n - 1] = '\n';
    }
    fwrite(line, 1, (size_t)n, stderr);
}
