/* Listener rules. Names and ports are unique within listeners, every
 * advertised name is a listener, and every listener's name has a
 * security protocol in listener.security.protocol.map; only PLAINTEXT
 * is built (no TLS or SASL yet). */
#include "broker/config_listeners.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_ENDPOINTS 16
#define MAX_MAP 32

static const char *const KNOWN_PROTOCOLS[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL};

struct protocol_entry {
    char name[32];
    char protocol[32];
};

static void copy_upper(char *dst, const char *src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        dst[i] = (char)toupper((unsigned char)src[i]);
    dst[len] = 0;
}

/* Parses NAME:PROTOCOL,...; names are upper-cased as in endpoints. */
static int parse_protocol_map(const char *text, struct protocol_entry *out, int max, char *err, size_t errlen)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ')
            len--;
        const char *colon = memchr(p, ':', len);
        size_t nl = colon ? (size_t)(colon - p) : 0, pl = colon ? len - nl - 1 : 0;
        if (!colon || nl == 0 || pl == 0 || nl >= sizeof(out->name) || pl >= sizeof(out->protocol) || n >= max) {
            snprintf(err, errlen, "entry '%.*s' is not LISTENER_NAME:SECURITY_PROTOCOL", (int)len, p);
            return -1;
        }
        struct protocol_entry *e = &out[n++];
        copy_upper(e->name, p, nl);
        copy_upper(e->protocol, colon + 1, pl);
        p += strcspn(p, ",");
    }
    return n;
}

bool check_protocol_map(const char *name, const struct prop_value *v, char *err, size_t errlen)
{
    struct protocol_entry map[MAX_MAP];
    char why[256];
    int n = parse_protocol_map(v->text, map, MAX_MAP, why, sizeof(why));
    if (n < 0) {
        snprintf(err, errlen, "invalid value for %s: %s", name, why);
        return false;
    }
    for (int i = 0; i < n; i++) {
        bool known = false;
        for (const char *const *k = KNOWN_PROTOCOLS; *k; k++)
            known |= strcmp(*k, map[i].protocol) == 0;
        if (!known) {
            snprintf(err, errlen, "invalid value for %s: '%s' is not a security protocol (PLAINTEXT, SSL, "
                     "SASL_PLAINTEXT or SASL_SSL)", name, map[i].protocol);
            return false;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(map[i].name, map[j].name) == 0) {
                snprintf(err, errlen, "invalid value for %s: listener name '%s' appears twice", name, map[i].name);
                return false;
            }
    }
    return true;
}

bool check_listeners(const char *name, const struct prop_value *v, char *err, size_t errlen)
{
    struct endpoint_spec eps[MAX_ENDPOINTS];
    char why[256];
    int n = parse_endpoints(v->text, eps, MAX_ENDPOINTS, why, sizeof(why));
    if (n < 0) {
        snprintf(err, errlen, "invalid value for %s: %s", name, why);
        return false;
    }
    bool bound = strcmp(name, "listeners") == 0;
    if (bound && n == 0) {
        snprintf(err, errlen, "listeners must name at least one endpoint");
        return false;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) {
            if (strcmp(eps[i].name, eps[j].name) == 0) {
                snprintf(err, errlen, "invalid value for %s: listener name '%s' appears twice; each listener "
                         "needs its own name", name, eps[i].name);
                return false;
            }
            /* Port 0 picks a free port, so several may ask for it. */
            if (bound && eps[i].port != 0 && eps[i].port == eps[j].port) {
                snprintf(err, errlen, "invalid value for %s: listeners %s and %s both use port %d; each "
                         "listener needs its own port", name, eps[j].name, eps[i].name, eps[i].port);
                return false;
            }
        }
    if (!bound)
        for (int i = 0; i < n; i++)
            if (strcmp(eps[i].host, "0.0.0.0") == 0 || strcmp(eps[i].host, "::") == 0) {
                snprintf(err, errlen, "invalid value for %s: listener %s advertises %s, which clients cannot "
                         "connect to; give a host name or address", name, eps[i].name, eps[i].host);
                return false;
            }
    return true;
}

static const struct protocol_entry *protocol_of(const struct protocol_entry *map, int n, const char *listener)
{
    for (int i = 0; i < n; i++)
        if (strcmp(map[i].name, listener) == 0)
            return &map[i];
    return NULL;
}

bool config_check_listeners(const struct config *c, char *err, size_t errlen)
{
    struct endpoint_spec l[MAX_ENDPOINTS], a[MAX_ENDPOINTS];
    struct protocol_entry map[MAX_MAP];
    char why[256];
    int nl = parse_endpoints(config_str(c, P_LISTENERS), l, MAX_ENDPOINTS, why, sizeof(why));
    int na = parse_endpoints(config_str(c, P_ADVERTISED_LISTENERS), a, MAX_ENDPOINTS, why, sizeof(why));
    int nm = parse_protocol_map(config_str(c, P_LISTENER_SECURITY_PROTOCOL_MAP), map, MAX_MAP, why, sizeof(why));
    for (int i = 0; i < nl; i++) {
        const struct protocol_entry *e = protocol_of(map, nm, l[i].name);
        if (!e) {
            snprintf(err, errlen, "listeners names '%s', which has no security protocol in "
                     "listener.security.protocol.map (add %s:PLAINTEXT)", l[i].name, l[i].name);
            return false;
        }
        if (strcmp(e->protocol, "PLAINTEXT") != 0) {
            snprintf(err, errlen, "listener '%s' uses security protocol %s (listener.security.protocol.map), "
                     "which is not built yet: only PLAINTEXT listeners are supported", l[i].name, e->protocol);
            return false;
        }
    }
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
