/* The group state machine (classic protocol), with no wire format: the
 * handlers in src/api/ call in with plain arguments; parked JoinGroup and
 * SyncGroup calls complete through their done callbacks; time and timers
 * come from the group_host.
 *
 * States and the only legal transitions (asserted in group_set_state):
 *
 *                     first member joins
 *        +-------+ ------------------------> +--------------------+
 *        | Empty |                           | PreparingRebalance | <---------+
 *        +-------+ <------------------------ +--------------------+           |
 *          |  ^ ^     join phase over,          |                             |
 *          |  | |     nobody left               | join phase over:            |
 *          |  | |                               | members answered            |
 *          |  | |                               v                             |
 *          |  | |  last member     +---------------------+  a member joins,   |
 *          |  | +----------------- | CompletingRebalance | -------------------+
 *          |  |    left/expired    +---------------------+  leaves, expires,  |
 *          |  |                               |              or the sync      |
 *          |  |                               | leader's     deadline passes  |
 *          |  |                               | SyncGroup                     |
 *          |  |  last member left             v                               |
 *          |  +------------------------- +--------+  a member joins, leaves,  |
 *          |     or expired              | Stable | -- expires or changes ----+
 *          |                             +--------+    its protocols
 *          v   DeleteGroups, or offsets all expired
 *       +------+
 *       | Dead |  (then forgotten)
 *       +------+
 *
 * The function behind each transition:
 *   Empty -> PreparingRebalance                        prepare_rebalance
 *   PreparingRebalance -> CompletingRebalance, Empty   complete_join
 *   CompletingRebalance -> Stable                      apply_assignment
 *   CompletingRebalance, Stable -> PreparingRebalance  prepare_rebalance
 *   CompletingRebalance, Stable -> Empty               on_membership_change
 *   Empty -> Dead                                      group_delete (registry.c)
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
 * and sync; it is stopped while the member's JoinGroup is parked and
 * restarted if that call is abandoned (its connection went away).
 * New dynamic members of v4+ clients first get MEMBER_ID_REQUIRED with
 * an id they must join again with within their session timeout
 * (KIP-394). Static members (group.instance.id) keep their membership
 * across restarts; the old member id is then fenced (FENCED_INSTANCE_ID). */
#include "group/group.h"
#include <stdlib.h>
#include "core/invariant.h"
#include "core/slog.h"
#include "group/group_internal.h"
#include "protocol/gen/errors.h"

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

bool group_transition_legal(enum group_state from, enum group_state to)
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
    INVARIANT(group_transition_legal(g->state, s), "legal group state transition", "group=%s from=%s to=%s", g->id,
              group_state_name(g->state), group_state_name(s));
    log_debug("group", "state", "group=%s from=%s to=%s generation=%d", g->id, group_state_name(g->state),
              group_state_name(s), g->generation);
    g->state = s;
    g->state_since_ms = now_ms();
}

static bool cstr_eq(const char *a, struct kstr b)
{
    if (!a)
        return b.len < 0;
    return kstr_eq(b, a);
}

static bool is_leader(const struct cgroup *g, const struct member *m)
{
    return g->leader_id && strcmp(g->leader_id, m->member_id) == 0;
}

/* ---- time ---- */

static int64_t now_mono(const struct group_coordinator *gc) { return gc->host.now_ms(gc->host.ctx); }
static void timer_at(struct group_coordinator *gc, struct timer *t, int64_t when_ms)
{
    gc->host.timer_at(gc->host.ctx, t, when_ms);
}
static void timer_cancel(struct group_coordinator *gc, struct timer *t) { gc->host.timer_cancel(gc->host.ctx, t); }

static void remove_member(struct cgroup *g, struct member *m, const char *why);

static void on_session_timeout(struct loop *l, void *arg)
{
    struct member *m = arg;
    log_info("group", "member session expired", "group=%s member=%s session_timeout_ms=%d", m->group->id,
             m->member_id, m->session_timeout_ms);
    remove_member(m->group, m, "session timeout");
}

static void session_restart(struct member *m)
{
    struct group_coordinator *gc = m->group->gc;
    timer_at(gc, &m->session_timer, now_mono(gc) + m->session_timeout_ms);
}

/* ---- answering calls ---- */

static void join_answer_error(struct join_call *call, int16_t error, const char *member_id)
{
    struct join_answer a = {.error = error, .member_id = member_id, .generation = -1};
    call->parked = NULL;
    call->done(call, &a);
}

/* The JoinGroup answer for m in the current generation; the leader gets
 * every member's metadata for the chosen protocol. */
static void join_answer(struct cgroup *g, struct member *m, struct join_call *call)
{
    struct join_answer a = {
        .member_id = m->member_id,
        .generation = g->generation,
        .protocol_type = g->protocol_type ? g->protocol_type : "",
        .protocol_name = g->protocol_name ? g->protocol_name : "",
        .leader_id = g->leader_id ? g->leader_id : "",
        .group = is_leader(g, m) ? g : NULL,
    };
    call->parked = NULL;
    call->done(call, &a);
}

static void sync_answer(struct sync_call *call, int16_t error, const struct cgroup *g, const struct member *m)
{
    struct sync_answer a = {.error = error};
    if (g && !error) {
        a.protocol_type = g->protocol_type;
        a.protocol_name = g->protocol_name;
        a.assignment = m->assignment;
        a.assignment_len = m->assignment_len;
    }
    call->parked = NULL;
    call->done(call, &a);
}

static void answer_parked(struct member *m, int16_t error)
{
    if (m->join_call) {
        struct join_call *c = m->join_call;
        m->join_call = NULL;
        join_answer_error(c, error, m->member_id);
    }
    if (m->sync_call) {
        struct sync_call *c = m->sync_call;
        m->sync_call = NULL;
        sync_answer(c, error, NULL, NULL);
    }
}

void group_join_abandon(struct join_call *call)
{
    struct member *m = call->parked;
    if (m && m->join_call == call) {
        /* Its connection is gone: the session timer decides from here. */
        m->join_call = NULL;
        session_restart(m);
    }
    call->parked = NULL;
}

void group_sync_abandon(struct sync_call *call)
{
    struct member *m = call->parked;
    if (m && m->sync_call == call)
        m->sync_call = NULL;
    call->parked = NULL;
}

/* ---- the join phase ---- */

static int32_t max_rebalance_timeout(const struct cgroup *g)
{
    int32_t t = 0;
    for (struct member *m = g->members; m; m = m->next)
        t = MAX(t, m->rebalance_timeout_ms);
    return t;
}

void group_drop_member(struct cgroup *g, struct member *m, int16_t error, const char *why)
{
    struct member **pp = &g->members;
    while (*pp != m)
        pp = &(*pp)->next;
    *pp = m->next;
    g->nmembers--;
    timer_cancel(g->gc, &m->session_timer);
    answer_parked(m, error);
    if (why)
        log_info("group", "member removed", "group=%s member=%s reason=\"%s\"", g->id, m->member_id, why);
    member_free(m);
}

/* The last member is gone: a new generation with nobody in it. */
static void become_empty(struct cgroup *g)
{
    free(g->leader_id);
    g->leader_id = NULL;
    free(g->protocol_name);
    g->protocol_name = NULL;
    free(g->protocol_type);
    g->protocol_type = NULL;
    group_set_state(g, GROUP_EMPTY);
}

static void complete_join(struct cgroup *g)
{
    struct group_coordinator *gc = g->gc;
    timer_cancel(gc, &g->join_timer);
    g->initial_delay = false;
    /* Members that did not rejoin in time are out. */
    for (struct member *m = g->members, *next; m; m = next) {
        next = m->next;
        if (!m->join_call)
            group_drop_member(g, m, KERR_UNKNOWN_MEMBER_ID, "did not rejoin in time");
    }
    g->generation++;
    if (!g->members) {
        become_empty(g);
        return;
    }
    free(g->protocol_name);
    g->protocol_name = group_select_protocol(g);
    if (!g->leader_id || !group_find_member(g, kstr_c(g->leader_id))) {
        free(g->leader_id);
        g->leader_id = xstrdup(g->members->member_id);
    }
    group_set_state(g, GROUP_COMPLETING_REBALANCE);
    log_info("group", "rebalance complete", "group=%s generation=%d members=%d protocol=%s leader=%s", g->id,
             g->generation, g->nmembers, g->protocol_name ? g->protocol_name : "-", g->leader_id);
    for (struct member *m = g->members; m; m = m->next) {
        struct join_call *c = m->join_call;
        m->join_call = NULL;
        member_set_assignment(m, NULL, 0);
        m->awaiting_sync = true;
        session_restart(m);
        join_answer(g, m, c);
    }
    timer_at(gc, &g->join_timer, now_mono(gc) + max_rebalance_timeout(g));
}

static void on_membership_change(struct cgroup *g, const char *why);

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
                group_drop_member(g, m, KERR_UNKNOWN_MEMBER_ID, "no SyncGroup within the rebalance timeout");
                dropped = true;
            }
        }
        if (dropped)
            on_membership_change(g, "members did not sync in time");
    }
}

void group_join_timer_init(struct cgroup *g) { g->join_timer = (struct timer){.cb = on_join_timer, .arg = g}; }

static void try_complete_join(struct cgroup *g)
{
    if (g->state != GROUP_PREPARING_REBALANCE || g->initial_delay)
        return;
    for (struct member *m = g->members; m; m = m->next)
        if (!m->join_call)
            return;
    complete_join(g);
}

/* A member joined a group in its join phase. */
static void joined_during_rebalance(struct cgroup *g)
{
    if (g->initial_delay) {
        struct group_coordinator *gc = g->gc;
        int64_t when = MIN(now_mono(gc) + gc->limits.initial_rebalance_delay_ms, g->initial_deadline_ms);
        if (when > g->join_timer.when_ms)
            timer_at(gc, &g->join_timer, when);
        return;
    }
    try_complete_join(g);
}

static void prepare_rebalance(struct cgroup *g, const char *why)
{
    struct group_coordinator *gc = g->gc;
    if (g->state == GROUP_PREPARING_REBALANCE)
        return;
    if (g->state == GROUP_COMPLETING_REBALANCE)
        for (struct member *m = g->members; m; m = m->next)
            if (m->sync_call) {
                struct sync_call *c = m->sync_call;
                m->sync_call = NULL;
                sync_answer(c, KERR_REBALANCE_IN_PROGRESS, NULL, NULL);
            }
    bool first = g->state == GROUP_EMPTY;
    group_set_state(g, GROUP_PREPARING_REBALANCE);
    int64_t delay = first ? gc->limits.initial_rebalance_delay_ms : max_rebalance_timeout(g);
    g->initial_delay = first && delay > 0;
    if (g->initial_delay)
        g->initial_deadline_ms = now_mono(gc) + MAX(delay, (int64_t)max_rebalance_timeout(g));
    log_info("group", "preparing rebalance", "group=%s generation=%d members=%d reason=\"%s\" wait_ms=%lld", g->id,
             g->generation, g->nmembers, why, (long long)delay);
    timer_at(gc, &g->join_timer, now_mono(gc) + delay);
}

static void on_membership_change(struct cgroup *g, const char *why)
{
    if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE) {
        if (!g->members) {
            g->generation++;
            become_empty(g);
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

/* Removes a member (answering its parked calls with UNKNOWN_MEMBER_ID)
 * and moves the group on: rebalance, or Empty when it was the last one. */
static void remove_member(struct cgroup *g, struct member *m, const char *why)
{
    struct member *o = g->members;
    while (o && o != m)
        o = o->next;
    if (!o)
        return;
    group_drop_member(g, m, KERR_UNKNOWN_MEMBER_ID, why);
    on_membership_change(g, why);
}

/* ---- JoinGroup ---- */

static void park_join(struct member *m, struct join_call *call)
{
    if (m->join_call) {
        /* A second JoinGroup from the same member replaces the first. */
        struct join_call *old = m->join_call;
        m->join_call = NULL;
        join_answer_error(old, KERR_UNKNOWN_MEMBER_ID, m->member_id);
    }
    m->join_call = call;
    call->parked = m;
    timer_cancel(m->group->gc, &m->session_timer);
}

void group_prune_pending(struct cgroup *g, int64_t now_mono_ms)
{
    for (struct pending_id **pp = &g->pending; *pp;) {
        struct pending_id *p = *pp;
        if (p->expires_ms <= now_mono_ms) {
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

static void set_timeouts(struct member *m, const struct join_args *a)
{
    m->session_timeout_ms = a->session_timeout_ms;
    m->rebalance_timeout_ms = a->rebalance_timeout_ms > 0 ? a->rebalance_timeout_ms : a->session_timeout_ms;
}

/* A static member rejoining with a new JoinGroup (empty member id): it
 * takes over its old membership under a new member id. When nothing
 * changed and the group is stable, there is no rebalance: it gets the
 * current generation and, at SyncGroup, its previous assignment. */
static void join_static_known(struct cgroup *g, struct member *m, const struct join_args *a, struct join_call *call)
{
    answer_parked(m, KERR_FENCED_INSTANCE_ID);
    char *old = m->member_id;
    m->member_id = group_new_member_id(g->gc, a->client_id);
    if (g->leader_id && strcmp(g->leader_id, old) == 0) {
        free(g->leader_id);
        g->leader_id = xstrdup(m->member_id);
    }
    log_info("group", "static member rejoined", "group=%s instance=%s old_member=%s member=%s", g->id,
             m->instance_id, old, m->member_id);
    free(old);
    set_timeouts(m, a);
    if (g->state == GROUP_STABLE && member_same_protocols(m, a)) {
        session_restart(m);
        join_answer(g, m, call);
        return;
    }
    member_set_protocols(m, a);
    park_join(m, call);
    if (g->state == GROUP_PREPARING_REBALANCE)
        try_complete_join(g);
    else
        prepare_rebalance(g, "static member rejoined with new metadata");
}

/* A member the group does not know yet joins (its id is new, or was
 * handed out with MEMBER_ID_REQUIRED). */
static void join_new(struct cgroup *g, char *member_id, const struct join_args *a, struct join_call *call)
{
    struct member *m = member_new(g, member_id, a, on_session_timeout);
    park_join(m, call);
    if (g->state == GROUP_PREPARING_REBALANCE)
        joined_during_rebalance(g);
    else
        prepare_rebalance(g, "new member joined");
}

/* Joins without a member id: a static member coming back, or a new one. */
static void join_unknown(struct cgroup *g, const struct join_args *a, struct join_call *call)
{
    struct group_coordinator *gc = g->gc;
    struct member *sm = group_member_by_instance(g, a->instance_id);
    if (!group_protocols_compatible(g, a, sm)) {
        join_answer_error(call, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return;
    }
    if (sm) {
        join_static_known(g, sm, a, call);
        return;
    }
    if (g->nmembers >= gc->limits.max_size) {
        join_answer_error(call, KERR_GROUP_MAX_SIZE_REACHED, NULL);
        return;
    }
    char *id = group_new_member_id(gc, a->client_id);
    if (a->instance_id.len < 0 && a->member_id_required) {
        /* KIP-394: the client must come back with this id. */
        struct pending_id *p = xcalloc(1, sizeof(*p));
        p->member_id = id;
        p->expires_ms = now_mono(gc) + a->session_timeout_ms;
        p->next = g->pending;
        g->pending = p;
        join_answer_error(call, KERR_MEMBER_ID_REQUIRED, id);
        return;
    }
    join_new(g, id, a, call);
}

/* UNKNOWN_MEMBER_ID with the request's member id, as Kafka answers. */
static void join_answer_unknown(struct join_call *call, const struct join_args *a)
{
    char *id = xstrndup(a->member_id.p, (size_t)a->member_id.len);
    join_answer_error(call, KERR_UNKNOWN_MEMBER_ID, id);
    free(id);
}

/* Joins with a member id the group handed out. */
static void join_known(struct cgroup *g, const struct join_args *a, struct join_call *call)
{
    struct member *m = group_find_member(g, a->member_id);
    if (!m) {
        if (!take_pending(g, a->member_id))
            join_answer_unknown(call, a);
        else if (!group_protocols_compatible(g, a, NULL))
            join_answer_error(call, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        else if (g->nmembers >= g->gc->limits.max_size)
            join_answer_error(call, KERR_GROUP_MAX_SIZE_REACHED, NULL);
        else
            join_new(g, xstrndup(a->member_id.p, (size_t)a->member_id.len), a, call);
        return;
    }
    if (m->instance_id && !cstr_eq(m->instance_id, a->instance_id)) {
        join_answer_error(call, KERR_FENCED_INSTANCE_ID, NULL);
        return;
    }
    if (!group_protocols_compatible(g, a, m)) {
        join_answer_error(call, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return;
    }
    set_timeouts(m, a);
    bool leader = is_leader(g, m);
    switch (g->state) {
    case GROUP_PREPARING_REBALANCE:
        member_set_protocols(m, a);
        park_join(m, call);
        try_complete_join(g);
        return;
    case GROUP_COMPLETING_REBALANCE:
        if (member_same_protocols(m, a)) {
            /* Its JoinGroup answer was lost: the same answer again. */
            session_restart(m);
            join_answer(g, m, call);
            return;
        }
        member_set_protocols(m, a);
        park_join(m, call);
        prepare_rebalance(g, "member changed its protocols");
        return;
    case GROUP_STABLE:
        if (!leader && member_same_protocols(m, a)) {
            session_restart(m);
            join_answer(g, m, call);
            return;
        }
        member_set_protocols(m, a);
        park_join(m, call);
        prepare_rebalance(g, leader ? "leader rejoined" : "member changed its protocols");
        return;
    default:
        join_answer_unknown(call, a);
        return;
    }
}

void group_join(struct group_coordinator *gc, const struct join_args *a, struct join_call *call)
{
    call->parked = NULL;
    if (a->group_id.len <= 0) {
        join_answer_error(call, KERR_INVALID_GROUP_ID, NULL);
        return;
    }
    if (a->session_timeout_ms < gc->limits.min_session_timeout_ms ||
        a->session_timeout_ms > gc->limits.max_session_timeout_ms) {
        join_answer_error(call, KERR_INVALID_SESSION_TIMEOUT, NULL);
        return;
    }
    if (a->protocol_type.len <= 0 || a->nprotocols <= 0) {
        join_answer_error(call, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return;
    }
    bool unknown = a->member_id.len <= 0;
    struct cgroup *g = group_lookup(gc, a->group_id);
    if (g)
        group_prune_pending(g, now_mono(gc));
    else if (!unknown) {
        join_answer_unknown(call, a);
        return;
    } else
        g = group_lookup_or_create(gc, a->group_id);
    if (g->state == GROUP_DEAD) {
        join_answer_error(call, KERR_COORDINATOR_NOT_AVAILABLE, NULL);
        return;
    }
    if (g->members && g->protocol_type && !cstr_eq(g->protocol_type, a->protocol_type)) {
        join_answer_error(call, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return;
    }
    if (unknown)
        join_unknown(g, a, call);
    else
        join_known(g, a, call);
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
    timer_cancel(g->gc, &g->join_timer);
}

/* The error for a call from member m (NULL if unknown) of group g (NULL
 * if unknown) in this generation, shared by SyncGroup and Heartbeat. */
static int16_t check_member(struct cgroup *g, struct member *m, struct kstr instance_id, int32_t generation)
{
    if (!g)
        return KERR_UNKNOWN_MEMBER_ID;
    if (g->state == GROUP_DEAD)
        return KERR_COORDINATOR_NOT_AVAILABLE;
    if (!m)
        return group_member_by_instance(g, instance_id) ? KERR_FENCED_INSTANCE_ID : KERR_UNKNOWN_MEMBER_ID;
    if (m->instance_id && !cstr_eq(m->instance_id, instance_id))
        return KERR_FENCED_INSTANCE_ID;
    if (generation != g->generation)
        return KERR_ILLEGAL_GENERATION;
    return 0;
}

/* The leader's assignment: every member gets its part, the group is stable. */
static void apply_assignment(struct cgroup *g, const struct sync_args *a)
{
    for (struct member *o = g->members; o; o = o->next)
        member_set_assignment(o, NULL, 0);
    for (int i = 0; i < a->nassignments; i++) {
        struct member *o = group_find_member(g, a->assignments[i].member_id);
        if (o)
            member_set_assignment(o, a->assignments[i].assignment, a->assignments[i].len);
    }
    group_set_state(g, GROUP_STABLE);
    for (struct member *o = g->members; o; o = o->next)
        if (o->sync_call) {
            struct sync_call *c = o->sync_call;
            o->sync_call = NULL;
            sync_answer(c, 0, g, o);
        }
}

void group_sync(struct group_coordinator *gc, const struct sync_args *a, struct sync_call *call)
{
    call->parked = NULL;
    struct cgroup *g = group_lookup(gc, a->group_id);
    struct member *m = g ? group_find_member(g, a->member_id) : NULL;
    int16_t err = check_member(g, m, a->instance_id, a->generation);
    if (!err && ((a->protocol_type.len >= 0 && !cstr_eq(g->protocol_type, a->protocol_type)) ||
                 (a->protocol_name.len >= 0 && !cstr_eq(g->protocol_name, a->protocol_name))))
        err = KERR_INCONSISTENT_GROUP_PROTOCOL;
    else if (!err && g->state == GROUP_PREPARING_REBALANCE)
        err = KERR_REBALANCE_IN_PROGRESS;
    else if (!err && g->state == GROUP_EMPTY)
        err = KERR_UNKNOWN_MEMBER_ID;
    if (err) {
        sync_answer(call, err, NULL, NULL);
        return;
    }
    session_restart(m);
    m->awaiting_sync = false;
    if (g->state == GROUP_STABLE) {
        sync_answer(call, 0, g, m);
        stop_sync_deadline(g);
        return;
    }
    /* CompletingRebalance: wait for the leader's assignment. */
    if (m->sync_call) {
        struct sync_call *old = m->sync_call;
        m->sync_call = NULL;
        sync_answer(old, KERR_REBALANCE_IN_PROGRESS, NULL, NULL);
    }
    m->sync_call = call;
    call->parked = m;
    if (is_leader(g, m)) {
        apply_assignment(g, a);
        stop_sync_deadline(g);
    }
}

/* ---- Heartbeat and LeaveGroup ---- */

int16_t group_status(struct group_coordinator *gc, struct kstr group_id)
{
    struct cgroup *g = group_lookup(gc, group_id);
    return !g ? KERR_UNKNOWN_MEMBER_ID : g->state == GROUP_DEAD ? KERR_COORDINATOR_NOT_AVAILABLE : 0;
}

int16_t group_heartbeat(struct group_coordinator *gc, struct kstr group_id, struct kstr member_id,
                        struct kstr instance_id, int32_t generation)
{
    struct cgroup *g = group_lookup(gc, group_id);
    struct member *m = g ? group_find_member(g, member_id) : NULL;
    int16_t err = check_member(g, m, instance_id, generation);
    if (err)
        return err;
    session_restart(m);
    return g->state == GROUP_PREPARING_REBALANCE ? KERR_REBALANCE_IN_PROGRESS : 0;
}

int16_t group_leave(struct group_coordinator *gc, struct kstr group_id, struct kstr member_id,
                    struct kstr instance_id)
{
    int16_t err = group_status(gc, group_id);
    if (err)
        return err;
    struct cgroup *g = group_lookup(gc, group_id);
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
    remove_member(g, m, "left the group");
    return 0;
}
