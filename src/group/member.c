/* Members of a group: creation from a JoinGroup's arguments, their
 * protocols, the protocol vote and member ids. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include "group/group.h"
#include "group/group_internal.h"

static char *kstr_dup(struct kstr s) { return s.len < 0 ? NULL : xstrndup(s.p, (size_t)s.len); }

struct member *group_find_member(struct cgroup *g, struct kstr member_id)
{
    for (struct member *m = g->members; m; m = m->next)
        if (kstr_eq(member_id, m->member_id))
            return m;
    return NULL;
}

struct member *group_member_by_instance(struct cgroup *g, struct kstr instance_id)
{
    if (instance_id.len < 0)
        return NULL;
    for (struct member *m = g->members; m; m = m->next)
        if (m->instance_id && kstr_eq(instance_id, m->instance_id))
            return m;
    return NULL;
}

const struct member_protocol *group_member_protocol(const struct member *m, const char *name)
{
    for (int i = 0; i < m->nprotocols; i++)
        if (name && strcmp(m->protocols[i].name, name) == 0)
            return &m->protocols[i];
    return NULL;
}

static void free_protocols(struct member *m)
{
    for (int i = 0; i < m->nprotocols; i++) {
        free(m->protocols[i].name);
        free(m->protocols[i].metadata);
    }
    free(m->protocols);
    m->protocols = NULL;
    m->nprotocols = 0;
}

void member_free(struct member *m)
{
    free_protocols(m);
    free(m->member_id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    free(m->assignment);
    free(m);
}

void member_set_assignment(struct member *m, const uint8_t *p, int32_t len)
{
    free(m->assignment);
    m->assignment = NULL;
    m->assignment_len = 0;
    if (p && len > 0) {
        m->assignment = xmalloc((size_t)len);
        memcpy(m->assignment, p, (size_t)len);
        m->assignment_len = len;
    }
}

void member_set_protocols(struct member *m, const struct join_args *a)
{
    free_protocols(m);
    m->nprotocols = a->nprotocols;
    m->protocols = xcalloc((size_t)(a->nprotocols > 0 ? a->nprotocols : 1), sizeof(*m->protocols));
    for (int i = 0; i < a->nprotocols; i++) {
        m->protocols[i].name = kstr_dup(a->protocols[i].name);
        int32_t len = a->protocols[i].metadata_len;
        if (len > 0) {
            m->protocols[i].metadata = xmalloc((size_t)len);
            memcpy(m->protocols[i].metadata, a->protocols[i].metadata, (size_t)len);
            m->protocols[i].metadata_len = len;
        }
    }
}

bool member_same_protocols(const struct member *m, const struct join_args *a)
{
    if (m->nprotocols != a->nprotocols)
        return false;
    for (int i = 0; i < m->nprotocols; i++) {
        const struct join_protocol *p = &a->protocols[i];
        int32_t len = p->metadata_len > 0 ? p->metadata_len : 0;
        if (!kstr_eq(p->name, m->protocols[i].name) || len != m->protocols[i].metadata_len ||
            (len && memcmp(p->metadata, m->protocols[i].metadata, (size_t)len) != 0))
            return false;
    }
    return true;
}

bool group_protocols_compatible(const struct cgroup *g, const struct join_args *a, const struct member *except)
{
    if (!g->members || (g->nmembers == 1 && g->members == except))
        return true;
    for (int i = 0; i < a->nprotocols; i++) {
        char *name = kstr_dup(a->protocols[i].name);
        bool all = true;
        for (struct member *m = g->members; m && all; m = m->next)
            if (m != except)
                all = group_member_protocol(m, name) != NULL;
        free(name);
        if (all)
            return true;
    }
    return false;
}

/* The first protocol, in each member's order of preference, that every
 * member supports: each member votes for its most preferred protocol
 * among those all support; the most votes win, ties to the first. */
char *group_select_protocol(const struct cgroup *g)
{
    struct member *first = g->members;
    if (!first)
        return NULL;
    int n = first->nprotocols;
    int *votes = xcalloc((size_t)(n > 0 ? n : 1), sizeof(int));
    bool any = false;
    for (int i = 0; i < n; i++) {
        bool all = true;
        for (struct member *m = g->members; m && all; m = m->next)
            all = group_member_protocol(m, first->protocols[i].name) != NULL;
        votes[i] = all ? 0 : -1;
        any |= all;
    }
    char *best = NULL;
    if (any) {
        for (struct member *m = g->members; m; m = m->next)
            for (int k = 0; k < m->nprotocols; k++) {
                int idx = -1;
                for (int i = 0; i < n; i++)
                    if (votes[i] >= 0 && strcmp(first->protocols[i].name, m->protocols[k].name) == 0)
                        idx = i;
                if (idx >= 0) {
                    votes[idx]++;
                    break;
                }
            }
        int bi = -1;
        for (int i = 0; i < n; i++)
            if (votes[i] >= 0 && (bi < 0 || votes[i] > votes[bi]))
                bi = i;
        best = xstrdup(first->protocols[bi].name);
    }
    free(votes);
    return best;
}

char *group_new_member_id(struct group_coordinator *gc, struct kstr client_id)
{
    uint8_t u[16];
    if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u)) {
        uint64_t x = (uint64_t)mono_us() ^ ((uint64_t)now_ms() << 20) ^ (++gc->next_member_seq << 48);
        for (int i = 0; i < 16; i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL)
            u[i] = (uint8_t)(x >> 56);
    }
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    char buf[300];
    int n = snprintf(buf, sizeof(buf), "%.*s-", client_id.len > 0 ? MIN((int)client_id.len, 200) : 0,
                     client_id.p ? client_id.p : "");
    for (int i = 0; i < 16; i++)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
                      u[i]);
    return xstrdup(buf);
}

struct member *member_new(struct cgroup *g, char *member_id, const struct join_args *a,
                          void (*on_session_timeout)(struct loop *l, void *arg))
{
    struct member *m = xcalloc(1, sizeof(*m));
    m->group = g;
    m->member_id = member_id;
    m->instance_id = kstr_dup(a->instance_id);
    m->client_id = kstr_dup(a->client_id.len >= 0 ? a->client_id : kstr_c(""));
    m->client_host = xstrdup(a->client_host ? a->client_host : "");
    char *colon = strrchr(m->client_host, ':');   /* "ip:port": the host only */
    if (colon)
        *colon = '\0';
    m->session_timeout_ms = a->session_timeout_ms;
    m->rebalance_timeout_ms = a->rebalance_timeout_ms > 0 ? a->rebalance_timeout_ms : a->session_timeout_ms;
    member_set_protocols(m, a);
    m->session_timer = (struct timer){.cb = on_session_timeout, .arg = m};
    /* Appended, so the first member stays the first (and leader). */
    struct member **pp = &g->members;
    while (*pp)
        pp = &(*pp)->next;
    *pp = m;
    g->nmembers++;
    if (!g->protocol_type)
        g->protocol_type = kstr_dup(a->protocol_type);
    return m;
}
