#include "cli/cli_time.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reads digits and an optional fraction ("12", "0.5") scaled by unit_ms. */
static bool take_number(const char **p, int64_t unit_ms, bool fraction_ok,
                        int64_t *out)
{
    const char *s = *p;
    int64_t whole = 0, frac_ms = 0;

    if (!isdigit((unsigned char)*s))
        return false;
    for (; isdigit((unsigned char)*s); s++) {
        if (whole > INT64_MAX / 10 / unit_ms)
            return false;
        whole = whole * 10 + (*s - '0');
    }
    if (*s == '.' && fraction_ok) {
        int64_t scale = unit_ms / 10;

        for (s++; isdigit((unsigned char)*s); s++, scale /= 10)
            frac_ms += (*s - '0') * scale;
    }
    *out = whole * unit_ms + frac_ms;
    *p = s;
    return true;
}

bool cli_parse_duration_ms(const char *s, int64_t *ms)
{
    static const struct { char unit; int64_t ms; bool in_time; } parts[] = {
        {'D', 86400000, false}, {'H', 3600000, true},
        {'M', 60000, true}, {'S', 1000, true},
    };
    bool in_time = false, any = false;
    size_t next = 0;
    int64_t total = 0;

    if (toupper((unsigned char)*s++) != 'P')
        return false;
    while (*s) {
        int64_t n;
        const char *unit;

        if (toupper((unsigned char)*s) == 'T' && !in_time) {
            in_time = true;
            s++;
            continue;
        }
        unit = s + strspn(s, "0123456789.");
        for (; next < 4 && parts[next].unit != toupper((unsigned char)*unit);
             next++)
            ;
        if (next == 4 || parts[next].in_time != in_time ||
            !take_number(&s, parts[next].ms, parts[next].unit == 'S', &n) ||
            s != unit || total > INT64_MAX - n)
            return false;
        total += n;
        any = true;
        s++;
        next++;
    }
    *ms = total;
    return any;
}

/* "Z", "+HH:MM", "+HHMM", "-HH" as seconds east of UTC. */
static bool parse_zone(const char *s, long *east)
{
    int h = 0, m = 0;
    int sign;

    if (!strcmp(s, "Z")) {
        *east = 0;
        return true;
    }
    if (*s != '+' && *s != '-')
        return false;
    sign = *s == '-' ? -1 : 1;
    s++;
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
        return false;
    h = (s[0] - '0') * 10 + (s[1] - '0');
    s += 2;
    if (*s == ':')
        s++;
    if (*s) {
        if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
            s[2])
            return false;
        m = (s[0] - '0') * 10 + (s[1] - '0');
    }
    *east = sign * (h * 3600L + m * 60L);
    return true;
}

bool cli_parse_datetime_ms(const char *s, int64_t *ms)
{
    struct tm tm;
    const char *rest;
    int64_t frac = 0;
    long east = 0;
    bool zoned = false;
    time_t t;

    if (*s && strspn(s, "0123456789") == strlen(s))
        return take_number(&s, 1, false, ms);
    memset(&tm, 0, sizeof(tm));
    rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return false;
    if (*rest == '.') {
        int64_t scale = 100;

        if (!isdigit((unsigned char)*++rest))
            return false;
        for (; isdigit((unsigned char)*rest); rest++, scale /= 10)
            frac += (*rest - '0') * scale;
    }
    if (*rest) {
        if (!parse_zone(rest, &east))
            return false;
        zoned = true;
    }
    if (zoned) {
        t = timegm(&tm) - east;
    } else {
        tm.tm_isdst = -1;
        t = mktime(&tm);
    }
    if (t == (time_t)-1)
        return false;
    *ms = (int64_t)t * 1000 + frac;
    return true;
}
