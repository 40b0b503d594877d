/* Property table, typed values and their parsing, topic overrides. */
#include "broker/config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker/config_listeners.h"
#include "core/util.h"

static prop_check_fn check_http_listeners, check_cleanup_policy, check_compression;

const struct prop_def broker_prop_defs[P__COUNT] = {
#define X(id, name_, type_, def_, min_, max_, dyn_, doc_, ...) \
    [P_##id] = {.name = name_, .type = type_, .def = def_, .min = min_, .max = max_, .dynamic = dyn_, \
                .synonym = -1, .doc = doc_, __VA_ARGS__},
    BROKER_PROPS(X)
#undef X
};

const struct prop_def topic_prop_defs[T__COUNT] = {
#define X(id, name_, type_, syn_, min_, max_, doc_, ...) \
    [T_##id] = {.name = name_, .type = type_, .def = NULL, .min = min_, .max = max_, .dynamic = true, \
                .synonym = P_##syn_, .doc = doc_, __VA_ARGS__},
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

/* ---- rules beyond type and range (the table's .check) ---- */

static bool check_endpoints(const char *name, const char *text, int max, struct endpoint_spec *eps, int *n,
                            char *err, size_t errlen)
{
    char perr[256];
    *n = parse_endpoints(text, eps, max, perr, sizeof(perr));
    if (*n < 0) {
        snprintf(err, errlen, "invalid value for %s: %s", name, perr);
        return false;
    }
    return true;
}

static bool check_http_listeners(const char *name, const struct prop_value *v, char *err, size_t errlen)
{
    struct endpoint_spec eps[2];
    int n;
    if (!check_endpoints(name, v->text, 2, eps, &n, err, errlen) || n > 1 ||
        (n == 1 && strcmp(eps[0].name, "HTTP") != 0)) {
        snprintf(err, errlen, "invalid value '%s' for %s: expected one http://host:port, or empty", v->text, name);
        return false;
    }
    return true;
}

static bool check_cleanup_policy(const char *name, const struct prop_value *v, char *err, size_t errlen)
{
    if (v->num & CLEANUP_COMPACT) {
        snprintf(err, errlen, "%s=compact is not supported yet (log compaction is a later feature)", name);
        return false;
    }
    return true;
}

static bool check_compression(const char *name, const struct prop_value *v, char *err, size_t errlen)
{
    if (strcmp(COMPRESSION_TYPES[v->num], "producer") != 0) {
        snprintf(err, errlen, "invalid value '%s' for %s: only 'producer' is supported (batches are stored as sent)",
                 v->text, name);
        return false;
    }
    return true;
}

/* ---- parsing a value ---- */

static int allowed_index(const char *const *allowed, const char *s, size_t len)
{
    for (int i = 0; allowed[i]; i++)
        if (strlen(allowed[i]) == len && strncmp(allowed[i], s, len) == 0)
            return i;
    return -1;
}

static void allowed_list(const char *const *allowed, char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; allowed[i] && o < outlen; i++)
        o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? (allowed[i + 1] ? ", " : " or ") : "", allowed[i]);
}

/* Every item of a comma-separated list must be allowed (Kafka's
 * ValidList); an empty list is allowed. Sets one bit per item. */
static bool parse_enum_list(const struct prop_def *d, const char *text, int64_t *bits, char *err, size_t errlen)
{
    *bits = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strcspn(p, ",");
        size_t item = len;
        while (item && (p[item - 1] == ' ' || p[item - 1] == '\t'))
            item--;
        int i = allowed_index(d->allowed, p, item);
        if (i < 0) {
            char ok[200];
            allowed_list(d->allowed, ok, sizeof(ok));
            snprintf(err, errlen, "invalid value '%.*s' for %s: expected %s", (int)item, p, d->name, ok);
            return false;
        }
        *bits |= (int64_t)1 << i;
        p += len;
        if (*p == ',' && !*++p) {
            snprintf(err, errlen, "invalid value '%s' for %s: a list item is empty", text, d->name);
            return false;
        }
    }
    return true;
}

static bool parse_typed(const struct prop_def *d, const char *text, int64_t *num, char *err, size_t errlen)
{
    bool b;
    *num = 0;
    switch (d->type) {
    case PT_INT:
    case PT_LONG:
        if (!parse_int64(text, num)) {
            snprintf(err, errlen, "invalid value '%s' for %s: not an integer", text, d->name);
            return false;
        }
        if (*num < d->min || *num > d->max || (d->type == PT_INT && (*num < INT32_MIN || *num > INT32_MAX))) {
            snprintf(err, errlen, "invalid value '%s' for %s: must be between %lld and %lld", text, d->name,
                     (long long)d->min, (long long)d->max);
            return false;
        }
        return true;
    case PT_BOOL:
        if (!parse_bool(text, &b)) {
            snprintf(err, errlen, "invalid value '%s' for %s: expected true or false", text, d->name);
            return false;
        }
        *num = b;
        return true;
    case PT_LIST:
        return !d->allowed || parse_enum_list(d, text, num, err, errlen);
    default:
        if (d->allowed) {
            int i = allowed_index(d->allowed, text, strlen(text));
            if (i < 0) {
                char ok[200];
                allowed_list(d->allowed, ok, sizeof(ok));
                snprintf(err, errlen, "invalid value '%s' for %s: expected %s", text, d->name, ok);
                return false;
            }
            *num = i;
        }
        return true;
    }
}

static char *trimmed_copy(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

bool prop_parse(const struct prop_def *d, const char *text, struct prop_value *out, char *err, size_t errlen)
{
    struct prop_value v = {.text = trimmed_copy(text)};
    if (!parse_typed(d, v.text, &v.num, err, errlen) || (d->check && !d->check(d->name, &v, err, errlen))) {
        free(v.text);
        return false;
    }
    *out = v;
    return true;
}

void prop_value_free(struct prop_value *v)
{
    free(v->text);
    *v = (struct prop_value){0};
}

/* Replaces *dst with a parsed value; dst keeps its old value on error. */
static bool prop_replace(const struct prop_def *d, struct prop_value *dst, const char *text, char *err,
                         size_t errlen)
{
    struct prop_value v;
    if (!prop_parse(d, text, &v, err, errlen))
        return false;
    prop_value_free(dst);
    *dst = v;
    return true;
}

bool prop_validate(const struct prop_def *d, const char *value, char *err, size_t errlen)
{
    struct prop_value v;
    if (!prop_parse(d, value, &v, err, errlen))
        return false;
    prop_value_free(&v);
    return true;
}

bool prop_is_secret(const struct prop_def *d)
{
    return d->type == PT_PASSWORD || strstr(d->name, "password") || strstr(d->name, "secret") ||
           strstr(d->name, "sasl.jaas.config");
}

const char *prop_origin_name(enum prop_origin o)
{
    static const char *const names[] = {"default", "file", "environment", "flag"};
    return names[o];
}

/* ---- broker values ---- */

void config_init(struct config *c)
{
    memset(c, 0, sizeof(*c));
    char err[300];
    for (int i = 0; i < P__COUNT; i++) {
        const struct prop_def *d = &broker_prop_defs[i];
        /* "" marks a value derived from others (config_finish). */
        if (!d->def[0] || !prop_parse(d, d->def, &c->def[i], err, sizeof(err)))
            c->def[i] = (struct prop_value){.text = xstrdup(d->def)};
    }
}

void config_free(struct config *c)
{
    for (int i = 0; i < P__COUNT; i++) {
        prop_value_free(&c->value[i]);
        prop_value_free(&c->dynamic[0][i]);
        prop_value_free(&c->dynamic[1][i]);
        prop_value_free(&c->def[i]);
    }
    free(c->ignored_env);
    memset(c, 0, sizeof(*c));
}

bool config_set(struct config *c, const char *name, const char *value, enum prop_origin origin, char *err,
                size_t errlen)
{
    int id = broker_prop_find(name);
    if (id < 0) {
        const char *near = broker_prop_suggest(name);
        snprintf(err, errlen, "unknown property '%s'%s%s%s", name, near ? " (did you mean " : "", near ? near : "",
                 near ? "?)" : "");
        return false;
    }
    if (!prop_replace(&broker_prop_defs[id], &c->value[id], value, err, errlen))
        return false;
    c->origin[id] = origin;
    return true;
}

static const struct prop_value *effective(const struct config *c, enum broker_prop p)
{
    if (c->dynamic[DYN_BROKER][p].text)
        return &c->dynamic[DYN_BROKER][p];
    if (c->dynamic[DYN_CLUSTER_DEFAULT][p].text)
        return &c->dynamic[DYN_CLUSTER_DEFAULT][p];
    return c->value[p].text ? &c->value[p] : &c->def[p];
}

const char *config_str(const struct config *c, enum broker_prop p) { return effective(c, p)->text; }
int64_t config_int(const struct config *c, enum broker_prop p) { return effective(c, p)->num; }
bool config_bool(const struct config *c, enum broker_prop p) { return effective(c, p)->num != 0; }

enum prop_source config_source(const struct config *c, enum broker_prop p)
{
    if (c->dynamic[DYN_BROKER][p].text)
        return SRC_DYNAMIC_BROKER;
    if (c->dynamic[DYN_CLUSTER_DEFAULT][p].text)
        return SRC_DYNAMIC_DEFAULT_BROKER;
    return c->origin[p] == ORIGIN_DEFAULT ? SRC_DEFAULT : SRC_STATIC;
}

bool config_set_dynamic(struct config *c, enum dynamic_layer layer, enum broker_prop p, const char *value,
                        char *err, size_t errlen)
{
    if (value)
        return prop_replace(&broker_prop_defs[p], &c->dynamic[layer][p], value, err, errlen);
    prop_value_free(&c->dynamic[layer][p]);
    return true;
}

/* A value Kafka computes from others, recorded as set by the same source. */
static void set_derived(struct config *c, enum broker_prop p, int64_t v, enum prop_origin origin)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    prop_value_free(&c->value[p]);
    c->value[p] = (struct prop_value){.text = xstrdup(buf), .num = v};
    c->origin[p] = origin;
}

bool config_finish(struct config *c, char *err, size_t errlen)
{
    /* Kafka derives the millisecond values from the coarser units. */
    if (!c->value[P_LOG_RETENTION_MS].text) {
        if (c->value[P_LOG_RETENTION_MINUTES].text) {
            int64_t m = config_int(c, P_LOG_RETENTION_MINUTES);
            set_derived(c, P_LOG_RETENTION_MS, m < 0 ? -1 : m * 60000, c->origin[P_LOG_RETENTION_MINUTES]);
        } else {
            int64_t h = config_int(c, P_LOG_RETENTION_HOURS);
            set_derived(c, P_LOG_RETENTION_MS, h < 0 ? -1 : h * 3600000, c->origin[P_LOG_RETENTION_HOURS]);
        }
    }
    if (!c->value[P_LOG_ROLL_MS].text)
        set_derived(c, P_LOG_ROLL_MS, config_int(c, P_LOG_ROLL_HOURS) * 3600000, c->origin[P_LOG_ROLL_HOURS]);
    if (c->value[P_BROKER_ID].text && config_int(c, P_BROKER_ID) >= 0 && !c->value[P_NODE_ID].text)
        set_derived(c, P_NODE_ID, config_int(c, P_BROKER_ID), c->origin[P_BROKER_ID]);
    if (c->value[P_LOG_DIR].text && !c->value[P_LOG_DIRS].text) {
        c->value[P_LOG_DIRS] = (struct prop_value){.text = xstrdup(c->value[P_LOG_DIR].text)};
        c->origin[P_LOG_DIRS] = c->origin[P_LOG_DIR];
    }
    if (strchr(config_str(c, P_LOG_DIRS), ',')) {
        snprintf(err, errlen, "invalid value for log.dirs: only one directory is supported");
        return false;
    }
    return config_check_listeners(c, err, errlen);
}

int64_t config_retention_ms(const struct config *c) { return config_int(c, P_LOG_RETENTION_MS); }
int64_t config_roll_ms(const struct config *c) { return config_int(c, P_LOG_ROLL_MS); }

/* ---- topic overrides ---- */

void topic_config_free(struct topic_config *tc)
{
    for (int i = 0; i < T__COUNT; i++)
        prop_value_free(&tc->value[i]);
}

void topic_config_copy(struct topic_config *dst, const struct topic_config *src)
{
    for (int i = 0; i < T__COUNT; i++)
        dst->value[i] = (struct prop_value){src->value[i].text ? xstrdup(src->value[i].text) : NULL,
                                            src->value[i].num};
}

bool topic_config_set(struct topic_config *tc, const char *name, const char *value, char *err, size_t errlen)
{
    int id = topic_prop_find(name);
    if (id < 0) {
        snprintf(err, errlen, "unknown topic config '%s'", name);
        return false;
    }
    if (value)
        return prop_replace(&topic_prop_defs[id], &tc->value[id], value, err, errlen);
    prop_value_free(&tc->value[id]);
    return true;
}

static const struct prop_value *topic_effective(const struct topic_config *tc, const struct config *c,
                                                enum topic_prop p)
{
    if (tc && tc->value[p].text)
        return &tc->value[p];
    return effective(c, (enum broker_prop)topic_prop_defs[p].synonym);
}

const char *topic_config_str(const struct topic_config *tc, const struct config *c, enum topic_prop p)
{
    return topic_effective(tc, c, p)->text;
}

int64_t topic_config_int(const struct topic_config *tc, const struct config *c, enum topic_prop p)
{
    return topic_effective(tc, c, p)->num;
}

bool topic_config_bool(const struct topic_config *tc, const struct config *c, enum topic_prop p)
{
    return topic_effective(tc, c, p)->num != 0;
}

const char *topic_config_origin_name(const struct topic_config *tc, enum topic_prop p)
{
    return tc && tc->value[p].text ? topic_prop_defs[p].name : broker_prop_defs[topic_prop_defs[p].synonym].name;
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
