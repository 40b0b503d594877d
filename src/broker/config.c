#include "broker/config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/registry.h"

const struct prop_def broker_prop_defs[P__COUNT] = {
#define X(id, name, type, def, min, max, dyn, doc) [P_##id] = {name, type, def, min, max, dyn, -1, doc},
    BROKER_PROPS(X)
#undef X
};

const struct prop_def topic_prop_defs[T__COUNT] = {
#define X(id, name, type, syn, min, max, doc) [T_##id] = {name, type, NULL, min, max, true, P_##syn, doc},
    TOPIC_PROPS(X)
#undef X
};

int broker_prop_find(const char *name)
{
    for (int i = 0; i < P__COUNT; i++)
        if (strcmp(broker_prop_defs[i].name, name) == 0)
            return i;
    return -1;
}

int topic_prop_find(const char *name)
{
    for (int i = 0; i < T__COUNT; i++)
        if (strcmp(topic_prop_defs[i].name, name) == 0)
            return i;
    return -1;
}

bool parse_int64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool parse_bool(const char *s, bool *out)
{
    if (strcasecmp(s, "true") == 0) {
        *out = true;
        return true;
    }
    if (strcasecmp(s, "false") == 0) {
        *out = false;
        return true;
    }
    return false;
}

int parse_endpoints(const char *list, struct endpoint_spec *out, int max, char *err, size_t errlen)
{
    int n = 0;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[512];
        if (len >= sizeof(item) || n >= max) {
            snprintf(err, errlen, "too many or too long endpoints in '%s'", list);
            return -1;
        }
        memcpy(item, p, len);
        item[len] = 0;
        while (len && item[len - 1] == ' ')
            item[--len] = 0;
        char *sep = strstr(item, "://");
        char *colon = sep ? strrchr(sep + 3, ':') : NULL;
        if (!sep || !colon || sep == item || (size_t)(sep - item) >= sizeof(out[n].name)) {
            snprintf(err, errlen, "endpoint '%s' is not NAME://host:port", item);
            return -1;
        }
        int64_t port;
        if (!parse_int64(colon + 1, &port) || port < 0 || port > 65535) {
            snprintf(err, errlen, "endpoint '%s' has an invalid port", item);
            return -1;
        }
        struct endpoint_spec *e = &out[n++];
        memcpy(e->name, item, (size_t)(sep - item));
        e->name[sep - item] = 0;
        for (char *c = e->name; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        const char *host = sep + 3;
        size_t hl = (size_t)(colon - host);
        if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {   /* [::1] */
            host++;
            hl -= 2;
        }
        if (hl >= sizeof(e->host)) {
            snprintf(err, errlen, "endpoint '%s' has too long a host", item);
            return -1;
        }
        memcpy(e->host, host, hl);
        e->host[hl] = 0;
        e->port = (int)port;
        p += len;
    }
    return n;
}

static bool list_items_in(const char *value, const char *const *allowed, char *bad, size_t badlen)
{
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, ", ");
        bool ok = false;
        for (int i = 0; allowed[i]; i++)
            if (strlen(allowed[i]) == len && strncmp(allowed[i], p, len) == 0)
                ok = true;
        if (!ok) {
            snprintf(bad, badlen, "%.*s", (int)len, p);
            return false;
        }
        p += len;
    }
    return true;
}

/* Rules beyond type and range, shared by broker and topic configs. */
static bool check_special(const char *name, const char *value, char *err, size_t errlen)
{
    char bad[128];
    if (strcmp(name, "log.cleanup.policy") == 0 || strcmp(name, "cleanup.policy") == 0) {
        static const char *const ok[] = {"delete", "compact", NULL};
        if (!list_items_in(value, ok, bad, sizeof(bad))) {
            snprintf(err, errlen, "invalid value '%s' for %s: expected delete or compact", bad, name);
            return false;
        }
        if (strstr(value, "compact")) {
            snprintf(err, errlen, "%s=compact is not supported yet (log compaction is a later feature)", name);
            return false;
        }
    }
    if (strstr(name, "timestamp.type") && strcmp(value, "CreateTime") != 0 &&
        strcmp(value, "LogAppendTime") != 0) {
        snprintf(err, errlen, "invalid value '%s' for %s: expected CreateTime or LogAppendTime", value, name);
        return false;
    }
    if (strstr(name, "subject.name.strategy") && sr_strategy_parse(value) == SR_STRATEGY_UNKNOWN) {
        snprintf(err, errlen, "invalid value '%s' for %s: expected TopicNameStrategy, RecordNameStrategy or "
                 "TopicRecordNameStrategy", value, name);
        return false;
    }
    if (strncmp(name, "sluice.", 7) == 0 && strstr(name, ".schema.validation") && strcmp(value, "none") != 0 &&
        strcmp(value, "id") != 0 && strcmp(value, "full") != 0) {
        snprintf(err, errlen, "invalid value '%s' for %s: expected none, id or full", value, name);
        return false;
    }
    if (strcmp(name, "compression.type") == 0 && strcmp(value, "producer") != 0) {
        snprintf(err, errlen, "invalid value '%s' for %s: only 'producer' is supported (batches are stored as sent)",
                 value, name);
        return false;
    }
    if (strcmp(name, "log.level") == 0) {
        static const char *const ok[] = {"debug", "info", "warn", "error", NULL};
        if (!list_items_in(value, ok, bad, sizeof(bad)) || strchr(value, ',')) {
            snprintf(err, errlen, "invalid value '%s' for log.level: expected debug, info, warn or error", value);
            return false;
        }
    }
    if (strcmp(name, "log.format") == 0 && strcmp(value, "logfmt") != 0 && strcmp(value, "json") != 0) {
        snprintf(err, errlen, "invalid value '%s' for log.format: expected logfmt or json", value);
        return false;
    }
    if (strcmp(name, "listeners") == 0 || strcmp(name, "advertised.listeners") == 0) {
        struct endpoint_spec eps[16];
        char perr[256];
        int n = parse_endpoints(value, eps, 16, perr, sizeof(perr));
        if (n < 0) {
            snprintf(err, errlen, "invalid value for %s: %s", name, perr);
            return false;
        }
        for (int i = 0; i < n; i++)
            if (strcmp(eps[i].name, "PLAINTEXT") != 0) {
                snprintf(err, errlen, "invalid value for %s: listener '%s' is not supported yet (only PLAINTEXT)",
                         name, eps[i].name);
                return false;
            }
        if (strcmp(name, "listeners") == 0 && n == 0) {
            snprintf(err, errlen, "listeners must name at least one endpoint");
            return false;
        }
    }
    if (strcmp(name, "http.listeners") == 0 || strcmp(name, "schema.registry.listeners") == 0) {
        struct endpoint_spec eps[2];
        char perr[256];
        int n = parse_endpoints(value, eps, 2, perr, sizeof(perr));
        if (n < 0 || n > 1 || (n == 1 && strcmp(eps[0].name, "HTTP") != 0)) {
            snprintf(err, errlen, "invalid value '%s' for %s: expected one http://host:port, or empty", value,
                     name);
            return false;
        }
    }
    return true;
}

bool prop_validate(const struct prop_def *d, const char *value, char *err, size_t errlen)
{
    int64_t v;
    bool b;
    switch (d->type) {
    case PT_INT:
    case PT_LONG:
        if (!parse_int64(value, &v)) {
            snprintf(err, errlen, "invalid value '%s' for %s: not an integer", value, d->name);
            return false;
        }
        if (v < d->min || v > d->max || (d->type == PT_INT && (v < INT32_MIN || v > INT32_MAX))) {
            snprintf(err, errlen, "invalid value '%s' for %s: must be between %lld and %lld", value, d->name,
                     (long long)d->min, (long long)d->max);
            return false;
        }
        break;
    case PT_BOOL:
        if (!parse_bool(value, &b)) {
            snprintf(err, errlen, "invalid value '%s' for %s: expected true or false", value, d->name);
            return false;
        }
        break;
    default:
        break;
    }
    return check_special(d->name, value, err, errlen);
}

void config_init(struct config *c)
{
    memset(c, 0, sizeof(*c));
    for (int i = 0; i < P__COUNT; i++)
        c->source[i] = SRC_DEFAULT;
}

void config_free(struct config *c)
{
    for (int i = 0; i < P__COUNT; i++) {
        free(c->value[i]);
        free(c->dynamic[0][i]);
        free(c->dynamic[1][i]);
    }
    memset(c, 0, sizeof(*c));
}

bool config_set(struct config *c, const char *name, const char *value, enum prop_source src, char *err,
                size_t errlen)
{
    int id = broker_prop_find(name);
    if (id < 0) {
        snprintf(err, errlen, "unknown property '%s'", name);
        return false;
    }
    if (!prop_validate(&broker_prop_defs[id], value, err, errlen))
        return false;
    free(c->value[id]);
    c->value[id] = xstrdup(value);
    c->source[id] = src;
    return true;
}

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
        if (!config_set(c, name, value, SRC_STATIC, e2, sizeof(e2))) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, e2);
            ok = false;
        }
    }
    free(line);
    fclose(f);
    return ok;
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
        char e2[400];
        if (!config_set(c, name, eq + 1, SRC_STATIC, e2, sizeof(e2))) {
            snprintf(err, errlen, "environment variable %.*s: %s", (int)(eq - *e), *e, e2);
            return false;
        }
    }
    return true;
}

static void set_derived(struct config *c, enum broker_prop p, int64_t v, enum prop_source src)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    free(c->value[p]);
    c->value[p] = xstrdup(buf);
    c->source[p] = src;
}

bool config_finish(struct config *c, char *err, size_t errlen)
{
    /* Kafka derives the millisecond values from the coarser units. */
    if (!c->value[P_LOG_RETENTION_MS]) {
        if (c->value[P_LOG_RETENTION_MINUTES]) {
            int64_t m = config_int(c, P_LOG_RETENTION_MINUTES);
            set_derived(c, P_LOG_RETENTION_MS, m < 0 ? -1 : m * 60000, c->source[P_LOG_RETENTION_MINUTES]);
        } else {
            int64_t h = config_int(c, P_LOG_RETENTION_HOURS);
            set_derived(c, P_LOG_RETENTION_MS, h < 0 ? -1 : h * 3600000, c->source[P_LOG_RETENTION_HOURS]);
        }
    }
    if (!c->value[P_LOG_ROLL_MS])
        set_derived(c, P_LOG_ROLL_MS, config_int(c, P_LOG_ROLL_HOURS) * 3600000, c->source[P_LOG_ROLL_HOURS]);
    if (c->value[P_BROKER_ID] && config_int(c, P_BROKER_ID) >= 0 && !c->value[P_NODE_ID])
        set_derived(c, P_NODE_ID, config_int(c, P_BROKER_ID), SRC_STATIC);
    if (c->value[P_LOG_DIR] && !c->value[P_LOG_DIRS]) {
        c->value[P_LOG_DIRS] = xstrdup(c->value[P_LOG_DIR]);
        c->source[P_LOG_DIRS] = SRC_STATIC;
    }
    if (strchr(config_str(c, P_LOG_DIRS), ',')) {
        snprintf(err, errlen, "invalid value for log.dirs: only one directory is supported");
        return false;
    }
    struct endpoint_spec l[16], a[16];
    char e2[256];
    int nl = parse_endpoints(config_str(c, P_LISTENERS), l, 16, e2, sizeof(e2));
    int na = parse_endpoints(config_str(c, P_ADVERTISED_LISTENERS), a, 16, e2, sizeof(e2));
    for (int i = 0; i < na; i++) {
        bool found = false;
        for (int j = 0; j < nl; j++)
            found |= strcmp(a[i].name, l[j].name) == 0;
        if (!found) {
            snprintf(err, errlen, "advertised.listeners names '%s', which is not in listeners", a[i].name);
            return false;
        }
    }
    return true;
}

const char *config_str(const struct config *c, enum broker_prop p)
{
    if (c->dynamic[DYN_BROKER][p])
        return c->dynamic[DYN_BROKER][p];
    if (c->dynamic[DYN_CLUSTER_DEFAULT][p])
        return c->dynamic[DYN_CLUSTER_DEFAULT][p];
    return c->value[p] ? c->value[p] : broker_prop_defs[p].def;
}

enum prop_source config_source(const struct config *c, enum broker_prop p)
{
    if (c->dynamic[DYN_BROKER][p])
        return SRC_DYNAMIC_BROKER;
    return c->dynamic[DYN_CLUSTER_DEFAULT][p] ? SRC_DYNAMIC_DEFAULT_BROKER : c->source[p];
}

void config_set_dynamic(struct config *c, enum dynamic_layer layer, enum broker_prop p, const char *value)
{
    char *old = c->dynamic[layer][p];
    c->dynamic[layer][p] = value ? xstrdup(value) : NULL;
    free(old);    /* after the copy: value may point into it */
}

int64_t config_int(const struct config *c, enum broker_prop p)
{
    int64_t v = 0;
    parse_int64(config_str(c, p), &v);
    return v;
}

bool config_bool(const struct config *c, enum broker_prop p)
{
    bool b = false;
    parse_bool(config_str(c, p), &b);
    return b;
}

int64_t config_retention_ms(const struct config *c) { return config_int(c, P_LOG_RETENTION_MS); }
int64_t config_roll_ms(const struct config *c) { return config_int(c, P_LOG_ROLL_MS); }

void topic_config_free(struct topic_config *tc)
{
    for (int i = 0; i < T__COUNT; i++) {
        free(tc->value[i]);
        tc->value[i] = NULL;
    }
}

void topic_config_copy(struct topic_config *dst, const struct topic_config *src)
{
    for (int i = 0; i < T__COUNT; i++)
        dst->value[i] = src->value[i] ? xstrdup(src->value[i]) : NULL;
}

const char *topic_config_str(const struct topic_config *tc, const struct config *c, enum topic_prop p)
{
    if (tc && tc->value[p])
        return tc->value[p];
    return config_str(c, (enum broker_prop)topic_prop_defs[p].synonym);
}

int64_t topic_config_int(const struct topic_config *tc, const struct config *c, enum topic_prop p)
{
    int64_t v = 0;
    parse_int64(topic_config_str(tc, c, p), &v);
    return v;
}

bool topic_config_check(const char *name, const char *value, char *err, size_t errlen)
{
    int id = topic_prop_find(name);
    if (id < 0) {
        snprintf(err, errlen, "unknown topic config '%s'", name);
        return false;
    }
    if (!value) {
        snprintf(err, errlen, "null value for topic config '%s'", name);
        return false;
    }
    return prop_validate(&topic_prop_defs[id], value, err, errlen);
}
