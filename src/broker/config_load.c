/* Where static properties come from: a properties file, SLUICE_*
 * environment variables and --name=value options (main.c), and the
 * start-up log of what was set. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker/config.h"
#include "core/slog.h"
#include "core/util.h"

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

bool config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open properties file %s: %s", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    bool ok = true;
    while (ok && getline(&line, &cap, f) > 0) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == '!')
            continue;
        size_t k = strcspn(s, "=:");
        if (!s[k]) {
            snprintf(err, errlen, "%s:%d: expected name=value", path, lineno);
            ok = false;
            break;
        }
        s[k] = 0;
        char *name = trim(s), *value = trim(s + k + 1);
        char e2[400];
        if (!config_set(c, name, value, ORIGIN_FILE, e2, sizeof(e2))) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, e2);
            ok = false;
        }
    }
    free(line);
    fclose(f);
    return ok;
}

static void note_ignored_env(struct config *c, const char *var, size_t len)
{
    size_t old = c->ignored_env ? strlen(c->ignored_env) : 0;
    c->ignored_env = xrealloc(c->ignored_env, old + len + 2);
    if (old)
        c->ignored_env[old++] = ' ';
    memcpy(c->ignored_env + old, var, len);
    c->ignored_env[old + len] = 0;
}

bool config_load_env(struct config *c, char **envp, char *err, size_t errlen)
{
    for (char **e = envp; e && *e; e++) {
        if (strncmp(*e, "SLUICE_", 7) != 0)
            continue;
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        char name[256];
        size_t n = (size_t)(eq - *e) - 7;
        if (n == 0 || n >= sizeof(name))
            continue;
        for (size_t i = 0; i < n; i++) {
            char ch = (*e)[7 + i];
            name[i] = ch == '_' ? '.' : (char)tolower((unsigned char)ch);
        }
        name[n] = 0;
        /* Variables for the CLI and the test scripts are not broker properties. */
        if (strcmp(name, "bootstrap") == 0 || strncmp(name, "cli.", 4) == 0)
            continue;
        /* Kubernetes sets SLUICE_PORT, SLUICE_SERVICE_HOST, ... for a
         * Service named sluice: not ours, so not fatal. */
        if (broker_prop_find(name) < 0) {
            note_ignored_env(c, *e, (size_t)(eq - *e));
            continue;
        }
        char e2[400];
        if (!config_set(c, name, eq + 1, ORIGIN_ENV, e2, sizeof(e2))) {
            snprintf(err, errlen, "environment variable %.*s: %s", (int)(eq - *e), *e, e2);
            return false;
        }
    }
    return true;
}

/* Edit distance, for "did you mean". Names are short (< 64 chars). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            best = MIN(best, up + 1);
            best = MIN(best, row[j - 1] + 1);
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *broker_prop_suggest(const char *name)
{
    /* A topic config given to the broker: its broker synonym. */
    int t = topic_prop_find(name);
    if (t >= 0)
        return broker_prop_defs[topic_prop_defs[t].synonym].name;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (int i = 0; i < P__COUNT; i++) {
        size_t d = edit_distance(name, broker_prop_defs[i].name);
        if (d < best_d) {
            best_d = d;
            best = broker_prop_defs[i].name;
        }
    }
    /* Close enough to be a slip, not a different word. */
    return best_d <= 3 && best_d * 3 <= strlen(name) ? best : NULL;
}

/* A logfmt value in quotes, its quotes and backslashes escaped (slog's form). */
static void quote_value(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    out[o++] = '"';
    for (; *s && o + 3 < cap; s++) {
        if (*s == '"' || *s == '\\')
            out[o++] = '\\';
        out[o++] = *s;
    }
    out[o++] = '"';
    out[o] = 0;
}

void config_log_effective(const struct config *c)
{
    if (c->ignored_env) {
        char *names = xstrdup(c->ignored_env), *save = NULL;
        for (char *v = strtok_r(names, " ", &save); v; v = strtok_r(NULL, " ", &save))
            log_warn("config", "ignoring environment variable: not a broker property", "variable=%s", v);
        free(names);
    }
    static const char *const dynamic_names[2] = {"dynamic_cluster_default", "dynamic_broker"};
    for (int i = 0; i < P__COUNT; i++) {
        const struct prop_def *d = &broker_prop_defs[i];
        enum prop_source src = config_source(c, (enum broker_prop)i);
        if (src == SRC_DEFAULT)
            continue;
        const char *from = src == SRC_DYNAMIC_BROKER          ? dynamic_names[DYN_BROKER]
                           : src == SRC_DYNAMIC_DEFAULT_BROKER ? dynamic_names[DYN_CLUSTER_DEFAULT]
                                                               : prop_origin_name(c->origin[i]);
        char value[1024];
        quote_value(value, sizeof(value), prop_is_secret(d) ? "[hidden]" : config_str(c, (enum broker_prop)i));
        log_info("config", "property set", "name=%s value=%s source=%s", d->name, value, from);
    }
}
