/* The group state machine and membership (classic protocol).
 *
 * States and the only legal transitions (asserted in group_set_state):
 *
 *   Empty ------------------> PreparingRebalance   first member joins
 *   PreparingRebalance -----> CompletingRebalance  join phase over, members answered
 *   PreparingRebalance -----> Empty                join phase over, nobody left
 *   CompletingRebalance ----> Stable               leader's SyncGroup arrived
 *   CompletingRebalance ----> PreparingRebalance   a member joins, leaves or expires
 *   Stable -----------------> PreparingRebalance   a member joins, leaves, expires or
 *                                                  changes its protocols
 *   Stable, CompletingRebalance -> Empty           last member left or expired
 *   Empty ------------------> Dead                 DeleteGroups, or offsets all expired
 *
 * A join phase ends when every member has a JoinGroup parked, or when
 * the join timer fires: the largest rebalance timeout of the members, or
 * group.initial.rebalance.delay.ms for the first phase of an empty group
 * (which always waits the full delay, so members starting together land
 * in one generation). Members that did not rejoin in time are removed.
 * The first phase's delay restarts when another member joins, up to the
 * rebalance timeout (Kafka's InitialDelayedJoin).
 * After a join phase the same timer bounds the sync: members that send
 * no SyncGroup within the rebalance timeout are removed (and the group
 * rebalances), so a leader that never syncs cannot stall the group.
 * Each member has a session timer, restarted by every heartbeat, join
 * and sync; it is stopped while the member's JoinGroup is parked. */
#include "group/group.h"
#include <assert.h>
#include <stdlib.h>
#include <sys/random.h>
#include "api/handler.h"

const char *group_state_name(enum group_state s)
{
    switch (s) {
    case GROUP_EMPTY: return "Empty";
    case GROUP_PREPARING_REBALANCE: return "PreparingRebalance";
    case GROUP_COMPLETING_REBALANCE: return "CompletingRebalance";
    case GROUP_STABLE: return "Stable";
    case GROUP_DEAD: return "Dead";
    }
    return "Unknown";
}

static bool valid_previous_state(enum group_state from, enum group_state to)
{
    switch (to) {
    case GROUP_EMPTY:
        return from == GROUP_PREPARING_REBALANCE || from == GROUP_STABLE || from == GROUP_COMPLETING_REBALANCE;
    case GROUP_PREPARING_REBALANCE:
        return from == GROUP_EMPTY || from == GROUP_STABLE || from == GROUP_COMPLETING_REBALANCE;
    case GROUP_COMPLETING_REBALANCE:
        return from == GROUP_PREPARING_REBALANCE;
    case GROUP_STABLE:
        return from == GROUP_COMPLETING_REBALANCE;
    case GROUP_DEAD:
        return from == GROUP_EMPTY;
    }
    return false;
}

void group_set_state(struct cgroup *g, enum group_state s)
{
    if (!valid_previous_state(g->state, s)) {
        log_error("group", "illegal state transition", "group=%s from=%s to=%s", g->id, group_state_name(g->state),
                  group_state_name(s));
        assert(!"illegal group state transition");
        abort();
    }
    if (g->state != s)
        log_debug("group", "state", "group=%s from=%s to=%s generation=%d", g->id, group_state_name(g->state),
                  group_state_name(s), g->generation);
    g->state = s;
    g->state_since_ms = now_ms();
}

static char *kstr_dup(struct kstr s) { return s.len < 0 ? NULL : xstrndup(s.p, (size_t)s.len); }

static bool cstr_eq(const char *a, struct kstr b)
{
    if (!a)
        return b.len < 0;
    return kstr_eq(b, a);
}

struct cgroup *group_find(struct broker *b, struct kstr id)
{
    if (!b->groups)
        return NULL;
    for (struct cgroup *g = b->groups->groups; g; g = g->next)
        if (kstr_eq(id, g->id))
            return g;
    return NULL;
}

static void on_join_timer(struct loop *l, void *arg);

struct cgroup *group_get_or_create(struct broker *b, struct kstr id)
{
    struct cgroup *g = group_find(b, id);
    if (g)
        return g;
    g = xcalloc(1, sizeof(*g));
    g->gc = b->groups;
    g->id = kstr_dup(id);
    g->state = GROUP_EMPTY;
    g->state_since_ms = now_ms();
    timer_init(&g->join_timer, on_join_timer, g);
    g->next = b->groups->groups;
    b->groups->groups = g;
    return g;
}

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

static void member_free(struct member *m)
{
    free_protocols(m);
    free(m->member_id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    free(m->assignment);
    free(m);
}

static void set_assignment(struct member *m, const uint8_t *p, int32_t len)
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

/* ---- session timers ---- */

static void on_session_timeout(struct loop *l, void *arg)
{
    struct member *m = arg;
    log_info("group", "member session expired", "group=%s member=%s session_timeout_ms=%d", m->group->id,
             m->member_id, m->session_timeout_ms);
    group_remove_member(m->group, m, "session timeout");
}

static void session_restart(struct member *m)
{
    struct loop *l = m->group->gc->b->loop;
    loop_timer_at(l, &m->session_timer, loop_now_ms(l) + m->session_timeout_ms);
}

/* ---- answering parked requests ---- */

static void join_cancel(struct request *req)
{
    struct member *m = req->async;
    if (m && m->join_req == req) {
        /* Its connection is gone: the session timer decides from here. */
        m->join_req = NULL;
        session_restart(m);
    }
}

static void sync_cancel(struct request *req)
{
    struct member *m = req->async;
    if (m && m->sync_req == req)
        m->sync_req = NULL;
}

static void join_respond_error(struct request *req, int16_t error, const char *member_id)
{
    struct JoinGroupResponse resp;
    JoinGroupResponse_init(&resp);
    resp.error_code = error;
    req->error_code = error;
    if (member_id)
        resp.member_id = req_strf(req, "%s", member_id);
    if (req->api_version >= 7)
        resp.protocol_name = KSTR_NULL;
    RESPOND(req, JoinGroupResponse, &resp);
}

static const struct member_protocol *member_protocol(const struct member *m, const char *name)
{
    for (int i = 0; i < m->nprotocols; i++)
        if (name && strcmp(m->protocols[i].name, name) == 0)
            return &m->protocols[i];
    return NULL;
}

/* The JoinGroup answer for m in the current generation; the leader gets
 * every member's metadata for the chosen protocol. */
static void join_respond(struct cgroup *g, struct member *m, struct request *req)
{
    struct JoinGroupResponse resp;
    JoinGroupResponse_init(&resp);
    resp.generation_id = g->generation;
    resp.protocol_type = req_strf(req, "%s", g->protocol_type ? g->protocol_type : "");
    resp.protocol_name = req_strf(req, "%s", g->protocol_name ? g->protocol_name : "");
    resp.leader = req_strf(req, "%s", g->leader_id ? g->leader_id : "");
    resp.member_id = req_strf(req, "%s", m->member_id);
    if (g->leader_id && strcmp(g->leader_id, m->member_id) == 0) {
        resp.members_count = g->nmembers;
        resp.members = REQ_ALLOC(req, struct JoinGroupResponse_JoinGroupResponseMember, g->nmembers);
        int i = 0;
        for (struct member *o = g->members; o; o = o->next, i++) {
            struct JoinGroupResponse_JoinGroupResponseMember *e = &resp.members[i];
            JoinGroupResponse_JoinGroupResponseMember_init(e);
            e->member_id = req_strf(req, "%s", o->member_id);
            e->group_instance_id = o->instance_id ? req_strf(req, "%s", o->instance_id) : KSTR_NULL;
            const struct member_protocol *p = member_protocol(o, g->protocol_name);
            if (p) {
                uint8_t *copy = REQ_ALLOC(req, uint8_t, p->metadata_len);
                if (p->metadata_len > 0)
                    memcpy(copy, p->metadata, (size_t)p->metadata_len);
                e->metadata = (struct kbytes){copy, p->metadata_len};
            } else {
                e->metadata = (struct kbytes){(const uint8_t *)"", 0};
            }
        }
    }
    RESPOND(req, JoinGroupResponse, &resp);
}

static void sync_respond(struct request *req, int16_t error, struct cgroup *g, const uint8_t *assignment,
                         int32_t len)
{
    struct SyncGroupResponse resp;
    SyncGroupResponse_init(&resp);
    resp.error_code = error;
    req->error_code = error;
    if (g && !error) {
        resp.protocol_type = g->protocol_type ? req_strf(req, "%s", g->protocol_type) : KSTR_NULL;
        resp.protocol_name = g->protocol_name ? req_strf(req, "%s", g->protocol_name) : KSTR_NULL;
    }
    uint8_t *copy = REQ_ALLOC(req, uint8_t, len);
    if (len > 0)
        memcpy(copy, assignment, (size_t)len);
    resp.assignment = (struct kbytes){copy, len > 0 ? len : 0};
    RESPOND(req, SyncGroupResponse, &resp);
}

static void answer_parked(struct member *m, int16_t error)
{
    if (m->join_req) {
        struct request *r = m->join_req;
        m->join_req = NULL;
        join_respond_error(r, error, m->member_id);
    }
    if (m->sync_req) {
        struct request *r = m->sync_req;
        m->sync_req = NULL;
        sync_respond(r, error, NULL, NULL, 0);
    }
}

/* ---- the join phase ---- */

static int32_t max_rebalance_timeout(struct cgroup *g)
{
    int32_t t = 0;
    for (struct member *m = g->members; m; m = m->next)
        t = MAX(t, m->rebalance_timeout_ms);
    return t;
}

/* The first protocol, in each member's order of preference, that every
 * member supports: each member votes for its most preferred protocol
 * among those all support; the most votes win, ties to the first. */
static char *select_protocol(struct cgroup *g)
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
            all = member_protocol(m, first->protocols[i].name) != NULL;
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

/* Unlinks and frees m without moving the group on (the caller does). */
static void drop_member(struct cgroup *g, struct member *m, const char *why)
{
    struct member **pp = &g->members;
    while (*pp != m)
        pp = &(*pp)->next;
    *pp = m->next;
    g->nmembers--;
    loop_timer_cancel(g->gc->b->loop, &m->session_timer);
    answer_parked(m, KERR_UNKNOWN_MEMBER_ID);
    log_info("group", "member removed", "group=%s member=%s reason=\"%s\"", g->id, m->member_id, why);
    member_free(m);
}

static void complete_join(struct cgroup *g)
{
    struct loop *l = g->gc->b->loop;
    loop_timer_cancel(l, &g->join_timer);
    g->initial_delay = false;
    /* Members that did not rejoin in time are out. */
    for (struct member *m = g->members, *next; m; m = next) {
        next = m->next;
        if (!m->join_req)
            drop_member(g, m, "did not rejoin in time");
    }
    g->generation++;
    free(g->protocol_name);
    g->protocol_name = NULL;
    if (!g->members) {
        free(g->leader_id);
        g->leader_id = NULL;
        free(g->protocol_type);
        g->protocol_type = NULL;
        group_set_state(g, GROUP_EMPTY);
        return;
    }
    g->protocol_name = select_protocol(g);
    if (!g->leader_id || !group_find_member(g, kstr_c(g->leader_id))) {
        free(g->leader_id);
        g->leader_id = xstrdup(g->members->member_id);
    }
    group_set_state(g, GROUP_COMPLETING_REBALANCE);
    log_info("group", "rebalance complete", "group=%s generation=%d members=%d protocol=%s leader=%s", g->id,
             g->generation, g->nmembers, g->protocol_name ? g->protocol_name : "-", g->leader_id);
    for (struct member *m = g->members; m; m = m->next) {
        struct request *r = m->join_req;
        m->join_req = NULL;
        set_assignment(m, NULL, 0);
        m->awaiting_sync = true;
        session_restart(m);
        join_respond(g, m, r);
    }
    loop_timer_at(l, &g->join_timer, loop_now_ms(l) + max_rebalance_timeout(g));
}

static void on_membership_change(struct cgroup *g, const char *why);
static void try_complete_join(struct cgroup *g);

static void on_join_timer(struct loop *l, void *arg)
{
    struct cgroup *g = arg;
    if (g->state == GROUP_PREPARING_REBALANCE) {
        complete_join(g);
    } else if (g->state == GROUP_COMPLETING_REBALANCE || g->state == GROUP_STABLE) {
        /* The sync deadline: whoever has not synced is out. */
        bool dropped = false;
        for (struct member *m = g->members, *next; m; m = next) {
            next = m->next;
            if (m->awaiting_sync) {
                drop_member(g, m, "no SyncGroup within the rebalance timeout");
                dropped = true;
            }
        }
        if (dropped)
            on_membership_change(g, "members did not sync in time");
    }
}

/* A member joined a group in its join phase. */
static void joined_during_rebalance(struct cgroup *g)
{
    if (g->initial_delay) {
        struct broker *b = g->gc->b;
        int64_t now = loop_now_ms(b->loop);
        int64_t when = MIN(now + config_int(&b->cfg, P_GROUP_INITIAL_REBALANCE_DELAY_MS), g->initial_deadline_ms);
        if (when > g->join_timer.when_ms)
            loop_timer_at(b->loop, &g->join_timer, when);
        return;
    }
    try_complete_join(g);
}

static void try_complete_join(struct cgroup *g)
{
    if (g->state != GROUP_PREPARING_REBALANCE || g->initial_delay)
        return;
    for (struct member *m = g->members; m; m = m->next)
        if (!m->join_req)
            return;
    complete_join(g);
}

static void prepare_rebalance(struct cgroup *g, const char *why)
{
    struct broker *b = g->gc->b;
    if (g->state == GROUP_PREPARING_REBALANCE)
        return;
    if (g->state == GROUP_COMPLETING_REBALANCE)
        for (struct member *m = g->members; m; m = m->next)
            if (m->sync_req) {
                struct request *r = m->sync_req;
                m->sync_req = NULL;
                sync_respond(r, KERR_REBALANCE_IN_PROGRESS, NULL, NULL, 0);
            }
    bool first = g->state == GROUP_EMPTY;
    group_set_state(g, GROUP_PREPARING_REBALANCE);
    int64_t delay = first ? config_int(&b->cfg, P_GROUP_INITIAL_REBALANCE_DELAY_MS) : max_rebalance_timeout(g);
    g->initial_delay = first && delay > 0;
    if (g->initial_delay)
        g->initial_deadline_ms = loop_now_ms(b->loop) + MAX(delay, (int64_t)max_rebalance_timeout(g));
    log_info("group", "preparing rebalance", "group=%s generation=%d members=%d reason=\"%s\" wait_ms=%lld", g->id,
             g->generation, g->nmembers, why, (long long)delay);
    loop_timer_at(b->loop, &g->join_timer, loop_now_ms(b->loop) + delay);
}

static void on_membership_change(struct cgroup *g, const char *why)
{
    if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE) {
        if (!g->members) {
            g->generation++;
            free(g->leader_id);
            g->leader_id = NULL;
            free(g->protocol_name);
            g->protocol_name = NULL;
            free(g->protocol_type);
            g->protocol_type = NULL;
            group_set_state(g, GROUP_EMPTY);
            return;
        }
        prepare_rebalance(g, why);
    } else if (g->state == GROUP_PREPARING_REBALANCE) {
        if (!g->members && !g->initial_delay)
            complete_join(g);
        else
            try_complete_join(g);
    }
}

void group_remove_member(struct cgroup *g, struct member *m, const char *why)
{
    struct member **pp = &g->members;
    while (*pp && *pp != m)
        pp = &(*pp)->next;
    if (!*pp)
        return;
    *pp = m->next;
    g->nmembers--;
    loop_timer_cancel(g->gc->b->loop, &m->session_timer);
    answer_parked(m, KERR_UNKNOWN_MEMBER_ID);
    log_info("group", "member removed", "group=%s member=%s reason=\"%s\"", g->id, m->member_id, why);
    member_free(m);
    on_membership_change(g, why);
}

/* ---- JoinGroup ---- */

static void set_protocols(struct member *m, const struct JoinGroupRequest *jr)
{
    free_protocols(m);
    m->nprotocols = jr->protocols_count;
    m->protocols = xcalloc((size_t)(jr->protocols_count > 0 ? jr->protocols_count : 1), sizeof(*m->protocols));
    for (int32_t i = 0; i < jr->protocols_count; i++) {
        m->protocols[i].name = kstr_dup(jr->protocols[i].name);
        int32_t len = jr->protocols[i].metadata.len;
        if (len > 0) {
            m->protocols[i].metadata = xmalloc((size_t)len);
            memcpy(m->protocols[i].metadata, jr->protocols[i].metadata.p, (size_t)len);
            m->protocols[i].metadata_len = len;
        }
    }
}

static bool same_protocols(const struct member *m, const struct JoinGroupRequest *jr)
{
    if (m->nprotocols != jr->protocols_count)
        return false;
    for (int i = 0; i < m->nprotocols; i++) {
        const struct JoinGroupRequest_JoinGroupRequestProtocol *p = &jr->protocols[i];
        int32_t len = p->metadata.len > 0 ? p->metadata.len : 0;
        if (!kstr_eq(p->name, m->protocols[i].name) || len != m->protocols[i].metadata_len ||
            (len && memcmp(p->metadata.p, m->protocols[i].metadata, (size_t)len) != 0))
            return false;
    }
    return true;
}

/* Whether every current member supports one of the joiner's protocols. */
static bool protocols_compatible(struct cgroup *g, const struct JoinGroupRequest *jr, const struct member *except)
{
    if (!g->members || (g->nmembers == 1 && g->members == except))
        return true;
    for (int32_t i = 0; i < jr->protocols_count; i++) {
        char *name = kstr_dup(jr->protocols[i].name);
        bool all = true;
        for (struct member *m = g->members; m && all; m = m->next)
            if (m != except)
                all = member_protocol(m, name) != NULL;
        free(name);
        if (all)
            return true;
    }
    return false;
}

/* As Kafka: the client id, a dash and a random UUID. */
static char *new_member_id(struct group_coordinator *gc, struct request *req)
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
    int n = snprintf(buf, sizeof(buf), "%.*s-", req->client_id.len > 0 ? MIN((int)req->client_id.len, 200) : 0,
                     req->client_id.p ? req->client_id.p : "");
    for (int i = 0; i < 16; i++)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
                      u[i]);
    return xstrdup(buf);
}

static struct member *member_new(struct cgroup *g, char *member_id, const struct JoinGroupRequest *jr,
                                 struct request *req)
{
    struct member *m = xcalloc(1, sizeof(*m));
    m->group = g;
    m->member_id = member_id;
    m->instance_id = kstr_dup(jr->group_instance_id);
    m->client_id = kstr_dup(req->client_id.len >= 0 ? req->client_id : kstr_c(""));
    m->client_host = xstrdup(req->conn ? req->conn->peer : "");
    char *colon = strrchr(m->client_host, ':');   /* "ip:port": the host only */
    if (colon)
        *colon = '\0';
    m->session_timeout_ms = jr->session_timeout_ms;
    m->rebalance_timeout_ms = jr->rebalance_timeout_ms > 0 ? jr->rebalance_timeout_ms : jr->session_timeout_ms;
    set_protocols(m, jr);
    timer_init(&m->session_timer, on_session_timeout, m);
    /* Appended, so the first member stays the first (and leader). */
    struct member **pp = &g->members;
    while (*pp)
        pp = &(*pp)->next;
    *pp = m;
    g->nmembers++;
    if (!g->protocol_type)
        g->protocol_type = kstr_dup(jr->protocol_type);
    return m;
}

static void park_join(struct member *m, struct request *req)
{
    if (m->join_req) {
        /* A second JoinGroup from the same member replaces the first. */
        struct request *old = m->join_req;
        m->join_req = NULL;
        join_respond_error(old, KERR_UNKNOWN_MEMBER_ID, m->member_id);
    }
    m->join_req = req;
    req->async = m;
    req->cancel = join_cancel;
    loop_timer_cancel(m->group->gc->b->loop, &m->session_timer);
}

void group_prune_pending(struct cgroup *g, int64_t now_mono)
{
    for (struct pending_id **pp = &g->pending; *pp;) {
        struct pending_id *p = *pp;
        if (p->expires_ms <= now_mono) {
            *pp = p->next;
            free(p->member_id);
            free(p);
        } else {
            pp = &p->next;
        }
    }
}

static bool take_pending(struct cgroup *g, struct kstr id)
{
    for (struct pending_id **pp = &g->pending; *pp; pp = &(*pp)->next)
        if (kstr_eq(id, (*pp)->member_id)) {
            struct pending_id *p = *pp;
            *pp = p->next;
            free(p->member_id);
            free(p);
            return true;
        }
    return false;
}

/* A static member rejoining with a new JoinGroup (empty member id): it
 * takes over its old membership under a new member id. When nothing
 * changed and the group is stable, there is no rebalance: it gets the
 * current generation and, at SyncGroup, its previous assignment. */
static void join_static_known(struct cgroup *g, struct member *m, const struct JoinGroupRequest *jr,
                              struct request *req)
{
    struct group_coordinator *gc = g->gc;
    answer_parked(m, KERR_FENCED_INSTANCE_ID);
    char *old = m->member_id;
    m->member_id = new_member_id(gc, req);
    if (g->leader_id && strcmp(g->leader_id, old) == 0) {
        free(g->leader_id);
        g->leader_id = xstrdup(m->member_id);
    }
    log_info("group", "static member rejoined", "group=%s instance=%s old_member=%s member=%s", g->id,
             m->instance_id, old, m->member_id);
    free(old);
    m->session_timeout_ms = jr->session_timeout_ms;
    m->rebalance_timeout_ms = jr->rebalance_timeout_ms > 0 ? jr->rebalance_timeout_ms : jr->session_timeout_ms;
    if (g->state == GROUP_STABLE && same_protocols(m, jr)) {
        session_restart(m);
        join_respond(g, m, req);
        return;
    }
    set_protocols(m, jr);
    park_join(m, req);
    if (g->state == GROUP_PREPARING_REBALANCE)
        try_complete_join(g);
    else
        prepare_rebalance(g, "static member rejoined with new metadata");
}

void group_join(struct request *req)
{
    struct JoinGroupRequest jr;
    if (!DECODE(req, JoinGroupRequest, &jr))
        return;
    struct broker *b = req->broker;
    int64_t min_s = config_int(&b->cfg, P_GROUP_MIN_SESSION_TIMEOUT_MS);
    int64_t max_s = config_int(&b->cfg, P_GROUP_MAX_SESSION_TIMEOUT_MS);
    if (jr.group_id.len <= 0) {
        join_respond_error(req, KERR_INVALID_GROUP_ID, NULL);
        return;
    }
    if (jr.session_timeout_ms < min_s || jr.session_timeout_ms > max_s) {
        join_respond_error(req, KERR_INVALID_SESSION_TIMEOUT, NULL);
        return;
    }
    if (jr.protocol_type.len <= 0 || jr.protocols_count <= 0) {
        join_respond_error(req, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return;
    }
    struct cgroup *g = group_find(b, jr.group_id);
    bool unknown = jr.member_id.len <= 0;
    if (g)
        group_prune_pending(g, loop_now_ms(b->loop));
    if (!g) {
        if (!unknown) {
            join_respond_error(req, KERR_UNKNOWN_MEMBER_ID, NULL);
            return;
        }
        g = group_get_or_create(b, jr.group_id);
    }
    if (g->state == GROUP_DEAD) {
        join_respond_error(req, KERR_COORDINATOR_NOT_AVAILABLE, NULL);
        return;
    }
    if (g->members && g->protocol_type && !cstr_eq(g->protocol_type, jr.protocol_type)) {
        join_respond_error(req, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return;
    }

    if (unknown) {
        struct member *sm = group_member_by_instance(g, jr.group_instance_id);
        if (sm) {
            if (!protocols_compatible(g, &jr, sm)) {
                join_respond_error(req, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
                return;
            }
            join_static_known(g, sm, &jr, req);
            return;
        }
        if (!protocols_compatible(g, &jr, NULL)) {
            join_respond_error(req, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
            return;
        }
        if (g->nmembers >= config_int(&b->cfg, P_GROUP_MAX_SIZE)) {
            join_respond_error(req, KERR_GROUP_MAX_SIZE_REACHED, NULL);
            return;
        }
        char *id = new_member_id(g->gc, req);
        if (jr.group_instance_id.len < 0 && req->api_version >= 4) {
            /* KIP-394: the client must come back with this id. */
            struct pending_id *p = xcalloc(1, sizeof(*p));
            p->member_id = id;
            p->expires_ms = loop_now_ms(b->loop) + jr.session_timeout_ms;
            p->next = g->pending;
            g->pending = p;
            join_respond_error(req, KERR_MEMBER_ID_REQUIRED, id);
            return;
        }
        struct member *m = member_new(g, id, &jr, req);
        park_join(m, req);
        if (g->state == GROUP_PREPARING_REBALANCE)
            joined_during_rebalance(g);
        else
            prepare_rebalance(g, "new member joined");
        return;
    }

    struct member *m = group_find_member(g, jr.member_id);
    if (!m) {
        if (!take_pending(g, jr.member_id)) {
            join_respond_error(req, KERR_UNKNOWN_MEMBER_ID, NULL);
            return;
        }
        if (!protocols_compatible(g, &jr, NULL)) {
            join_respond_error(req, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
            return;
        }
        if (g->nmembers >= config_int(&b->cfg, P_GROUP_MAX_SIZE)) {
            join_respond_error(req, KERR_GROUP_MAX_SIZE_REACHED, NULL);
            return;
        }
        m = member_new(g, kstr_dup(jr.member_id), &jr, req);
        park_join(m, req);
        if (g->state == GROUP_PREPARING_REBALANCE)
            joined_during_rebalance(g);
        else
            prepare_rebalance(g, "new member joined");
        return;
    }
    if (m->instance_id && !cstr_eq(m->instance_id, jr.group_instance_id)) {
        join_respond_error(req, KERR_FENCED_INSTANCE_ID, NULL);
        return;
    }
    if (!protocols_compatible(g, &jr, m)) {
        join_respond_error(req, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return;
    }
    m->session_timeout_ms = jr.session_timeout_ms;
    m->rebalance_timeout_ms = jr.rebalance_timeout_ms > 0 ? jr.rebalance_timeout_ms : jr.session_timeout_ms;
    bool is_leader = g->leader_id && strcmp(g->leader_id, m->member_id) == 0;
    switch (g->state) {
    case GROUP_PREPARING_REBALANCE:
        set_protocols(m, &jr);
        park_join(m, req);
        try_complete_join(g);
        return;
    case GROUP_COMPLETING_REBALANCE:
        if (same_protocols(m, &jr)) {
            /* Its JoinGroup answer was lost: the same answer again. */
            session_restart(m);
            join_respond(g, m, req);
            return;
        }
        set_protocols(m, &jr);
        park_join(m, req);
        prepare_rebalance(g, "member changed its protocols");
        return;
    case GROUP_STABLE:
        if (!is_leader && same_protocols(m, &jr)) {
            session_restart(m);
            join_respond(g, m, req);
            return;
        }
        set_protocols(m, &jr);
        park_join(m, req);
        prepare_rebalance(g, is_leader ? "leader rejoined" : "member changed its protocols");
        return;
    default:
        join_respond_error(req, KERR_UNKNOWN_MEMBER_ID, NULL);
        return;
    }
}

/* ---- SyncGroup ---- */

/* Once stable with every member synced, the sync deadline is over. */
static void stop_sync_deadline(struct cgroup *g)
{
    if (g->state != GROUP_STABLE)
        return;
    for (struct member *m = g->members; m; m = m->next)
        if (m->awaiting_sync)
            return;
    loop_timer_cancel(g->gc->b->loop, &g->join_timer);
}

void group_sync(struct request *req)
{
    struct SyncGroupRequest sr;
    if (!DECODE(req, SyncGroupRequest, &sr))
        return;
    struct cgroup *g = group_find(req->broker, sr.group_id);
    struct member *m = g ? group_find_member(g, sr.member_id) : NULL;
    int16_t err = 0;
    if (!g || g->state == GROUP_DEAD)
        err = g ? KERR_COORDINATOR_NOT_AVAILABLE : KERR_UNKNOWN_MEMBER_ID;
    else if (!m)
        err = group_member_by_instance(g, sr.group_instance_id) ? KERR_FENCED_INSTANCE_ID : KERR_UNKNOWN_MEMBER_ID;
    else if (m->instance_id && !cstr_eq(m->instance_id, sr.group_instance_id))
        err = KERR_FENCED_INSTANCE_ID;
    else if (sr.generation_id != g->generation)
        err = KERR_ILLEGAL_GENERATION;
    else if ((sr.protocol_type.len >= 0 && !cstr_eq(g->protocol_type, sr.protocol_type)) ||
             (sr.protocol_name.len >= 0 && !cstr_eq(g->protocol_name, sr.protocol_name)))
        err = KERR_INCONSISTENT_GROUP_PROTOCOL;
    else if (g->state == GROUP_PREPARING_REBALANCE)
        err = KERR_REBALANCE_IN_PROGRESS;
    else if (g->state == GROUP_EMPTY)
        err = KERR_UNKNOWN_MEMBER_ID;
    if (err) {
        sync_respond(req, err, NULL, NULL, 0);
        return;
    }
    session_restart(m);
    m->awaiting_sync = false;
    if (g->state == GROUP_STABLE) {
        sync_respond(req, 0, g, m->assignment, m->assignment_len);
        stop_sync_deadline(g);
        return;
    }
    /* CompletingRebalance: wait for the leader's assignment. */
    if (m->sync_req) {
        struct request *old = m->sync_req;
        m->sync_req = NULL;
        sync_respond(old, KERR_REBALANCE_IN_PROGRESS, NULL, NULL, 0);
    }
    m->sync_req = req;
    req->async = m;
    req->cancel = sync_cancel;
    if (!g->leader_id || strcmp(g->leader_id, m->member_id) != 0)
        return;
    for (struct member *o = g->members; o; o = o->next)
        set_assignment(o, NULL, 0);
    for (int32_t i = 0; i < sr.assignments_count; i++) {
        struct member *o = group_find_member(g, sr.assignments[i].member_id);
        if (o)
            set_assignment(o, sr.assignments[i].assignment.p, sr.assignments[i].assignment.len);
    }
    group_set_state(g, GROUP_STABLE);
    for (struct member *o = g->members; o; o = o->next)
        if (o->sync_req) {
            struct request *r = o->sync_req;
            o->sync_req = NULL;
            sync_respond(r, 0, g, o->assignment, o->assignment_len);
        }
    stop_sync_deadline(g);
}

/* ---- Heartbeat ---- */

void group_heartbeat(struct request *req)
{
    struct HeartbeatRequest hr;
    if (!DECODE(req, HeartbeatRequest, &hr))
        return;
    struct cgroup *g = group_find(req->broker, hr.group_id);
    struct member *m = g ? group_find_member(g, hr.member_id) : NULL;
    int16_t err = 0;
    if (!g)
        err = KERR_UNKNOWN_MEMBER_ID;
    else if (g->state == GROUP_DEAD)
        err = KERR_COORDINATOR_NOT_AVAILABLE;
    else if (!m)
        err = group_member_by_instance(g, hr.group_instance_id) ? KERR_FENCED_INSTANCE_ID : KERR_UNKNOWN_MEMBER_ID;
    else if (m->instance_id && !cstr_eq(m->instance_id, hr.group_instance_id))
        err = KERR_FENCED_INSTANCE_ID;
    else if (hr.generation_id != g->generation)
        err = KERR_ILLEGAL_GENERATION;
    else if (g->state == GROUP_PREPARING_REBALANCE) {
        session_restart(m);
        err = KERR_REBALANCE_IN_PROGRESS;
    } else
        session_restart(m);
    struct HeartbeatResponse resp;
    HeartbeatResponse_init(&resp);
    resp.error_code = err;
    req->error_code = err;
    RESPOND(req, HeartbeatResponse, &resp);
}

/* ---- LeaveGroup ---- */

static int16_t leave_one(struct cgroup *g, struct kstr member_id, struct kstr instance_id)
{
    struct member *m;
    if (instance_id.len >= 0) {
        m = group_member_by_instance(g, instance_id);
        if (!m)
            return KERR_UNKNOWN_MEMBER_ID;
        if (member_id.len > 0 && !kstr_eq(member_id, m->member_id))
            return KERR_FENCED_INSTANCE_ID;
    } else {
        m = group_find_member(g, member_id);
        if (!m)
            return KERR_UNKNOWN_MEMBER_ID;
    }
    group_remove_member(g, m, "left the group");
    return 0;
}

void group_leave(struct request *req)
{
    struct LeaveGroupRequest lr;
    if (!DECODE(req, LeaveGroupRequest, &lr))
        return;
    struct LeaveGroupResponse resp;
    LeaveGroupResponse_init(&resp);
    struct cgroup *g = group_find(req->broker, lr.group_id);
    if (!g || g->state == GROUP_DEAD) {
        resp.error_code = g ? KERR_COORDINATOR_NOT_AVAILABLE : KERR_UNKNOWN_MEMBER_ID;
    } else if (req->api_version < 3) {
        resp.error_code = leave_one(g, lr.member_id, KSTR_NULL);
    } else {
        resp.members_count = lr.members_count;
        resp.members = REQ_ALLOC(req, struct LeaveGroupResponse_MemberResponse, lr.members_count);
        for (int32_t i = 0; i < lr.members_count; i++) {
            struct LeaveGroupResponse_MemberResponse *r = &resp.members[i];
            LeaveGroupResponse_MemberResponse_init(r);
            r->member_id = lr.members[i].member_id;
            r->group_instance_id = lr.members[i].group_instance_id;
            /* A group emptied by an earlier entry may be gone by now. */
            g = group_find(req->broker, lr.group_id);
            r->error_code = g ? leave_one(g, lr.members[i].member_id, lr.members[i].group_instance_id)
                              : KERR_UNKNOWN_MEMBER_ID;
        }
    }
    request_note_error(req, resp.error_code);
    for (int32_t i = 0; i < resp.members_count; i++)
        request_note_error(req, resp.members[i].error_code);
    RESPOND(req, LeaveGroupResponse, &resp);
}

/* ---- deletion and shutdown ---- */

static void group_free(struct cgroup *g)
{
    struct loop *l = g->gc->b->loop;
    loop_timer_cancel(l, &g->join_timer);
    while (g->members) {
        struct member *m = g->members;
        g->members = m->next;
        loop_timer_cancel(l, &m->session_timer);
        answer_parked(m, KERR_COORDINATOR_NOT_AVAILABLE);
        member_free(m);
    }
    while (g->pending) {
        struct pending_id *p = g->pending;
        g->pending = p->next;
        free(p->member_id);
        free(p);
    }
    while (g->offsets) {
        struct committed_offset *o = g->offsets;
        g->offsets = o->next;
        free(o->topic);
        free(o->metadata);
        free(o);
    }
    free(g->id);
    free(g->protocol_type);
    free(g->protocol_name);
    free(g->leader_id);
    free(g);
}

void group_delete(struct cgroup *g)
{
    struct group_coordinator *gc = g->gc;
    if (g->state == GROUP_EMPTY)
        group_set_state(g, GROUP_DEAD);
    for (struct cgroup **pp = &gc->groups; *pp; pp = &(*pp)->next)
        if (*pp == g) {
            *pp = g->next;
            break;
        }
    group_free(g);
}

void groups_free_all(struct group_coordinator *gc);
void groups_free_all(struct group_coordinator *gc)
{
    while (gc->groups) {
        struct cgroup *g = gc->groups;
        gc->groups = g->next;
        group_free(g);
    }
}
