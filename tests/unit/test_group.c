/* The group state machine without sockets or the event loop: a fake
 * clock and timer list stand in for the loop, JoinGroup and SyncGroup
 * answers are caught by their done callbacks. Covers every transition
 * (legal and illegal), KIP-394 pending members, static members and
 * fencing, the sync deadline, session expiry around a parked JoinGroup,
 * the rebalance timeout, and the hashed lookups of groups and offsets. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/slog.h"
#include "group/group.h"
#include "protocol/gen/errors.h"

#define SESSION 10000
#define REBALANCE 30000
#define INITIAL_DELAY 3000

/* ---- the fake host: a clock that moves only when told, and timers ---- */
#include "../common/fake_clock.h"

static struct group_coordinator gc;

/* Calls live until the end of a test: the coordinator may still answer
 * parked ones when it is cleared. */
#define MAX_CALLS 64
static union {
    struct jcall_slot {
        char bytes[512];
    } slot;
    max_align_t align;
} call_pool[MAX_CALLS];
static int ncalls;

static void *new_call(size_t size)
{
    assert_true(ncalls < MAX_CALLS && size <= sizeof(call_pool[0]));
    void *p = &call_pool[ncalls++];
    memset(p, 0, size);
    return p;
}

static int setup(void **state)
{
    struct group_host host = fake_host_reset(1000000);
    ncalls = 0;
    struct group_limits limits = {.min_session_timeout_ms = 6000,
                                  .max_session_timeout_ms = 1800000,
                                  .initial_rebalance_delay_ms = INITIAL_DELAY,
                                  .max_size = 3};
    memset(&gc, 0, sizeof(gc));
    group_coordinator_init(&gc, &host, &limits);
    return 0;
}

static int teardown(void **state)
{
    group_coordinator_clear(&gc);
    assert_int_equal(narmed, 0);   /* every timer was stopped */
    return 0;
}

/* ---- calls and their answers ---- */

struct jcall {
    struct join_call call;
    int answers;
    int16_t error;
    char member_id[128], leader[128], protocol[32];
    int32_t generation;
    int nmembers;                      /* listed to the leader, else -1 */
};

static void on_join(struct join_call *c, const struct join_answer *a)
{
    struct jcall *j = (struct jcall *)c;
    j->answers++;
    j->error = a->error;
    snprintf(j->member_id, sizeof(j->member_id), "%s", a->member_id ? a->member_id : "");
    snprintf(j->leader, sizeof(j->leader), "%s", a->leader_id ? a->leader_id : "");
    snprintf(j->protocol, sizeof(j->protocol), "%s", a->protocol_name ? a->protocol_name : "");
    j->generation = a->generation;
    j->nmembers = a->group ? a->group->nmembers : -1;
}

struct scall {
    struct sync_call call;
    int answers;
    int16_t error;
    char assignment[32];
};

static void on_sync(struct sync_call *c, const struct sync_answer *a)
{
    struct scall *s = (struct scall *)c;
    s->answers++;
    s->error = a->error;
    snprintf(s->assignment, sizeof(s->assignment), "%.*s", a->assignment_len, a->assignment ? (const char *)a->assignment : "");
}

struct join_opts {
    const char *group, *member_id, *instance_id, *protocol_type, *protocol, *metadata;
    int32_t session_ms;
    bool member_id_required;
};

static struct jcall *join_with(struct join_opts o)
{
    struct jcall *j = new_call(sizeof(*j));
    j->call.done = on_join;
    struct join_protocol p = {kstr_c(o.protocol ? o.protocol : "range"),
                              (const uint8_t *)(o.metadata ? o.metadata : "meta"),
                              (int32_t)strlen(o.metadata ? o.metadata : "meta")};
    struct join_args a = {
        .group_id = kstr_c(o.group ? o.group : "g"),
        .member_id = kstr_c(o.member_id ? o.member_id : ""),
        .instance_id = o.instance_id ? kstr_c(o.instance_id) : KSTR_NULL,
        .protocol_type = kstr_c(o.protocol_type ? o.protocol_type : "consumer"),
        .client_id = kstr_c("client"),
        .client_host = "127.0.0.1:5555",
        .session_timeout_ms = o.session_ms ? o.session_ms : SESSION,
        .rebalance_timeout_ms = REBALANCE,
        .nprotocols = 1,
        .protocols = &p,
        .member_id_required = o.member_id_required,
    };
    group_join(&gc, &a, &j->call);
    return j;
}

static struct jcall *join(const char *member_id) { return join_with((struct join_opts){.member_id = member_id}); }

static struct scall *sync_with(const char *member_id, const char *instance_id, int32_t generation,
                               const char *assign_to, const char *assignment)
{
    struct scall *s = new_call(sizeof(*s));
    s->call.done = on_sync;
    struct sync_assignment as = {kstr_c(assign_to ? assign_to : ""), (const uint8_t *)assignment,
                                 assignment ? (int32_t)strlen(assignment) : 0};
    struct sync_args a = {
        .group_id = kstr_c("g"),
        .member_id = kstr_c(member_id),
        .instance_id = instance_id ? kstr_c(instance_id) : KSTR_NULL,
        .protocol_type = KSTR_NULL,
        .protocol_name = KSTR_NULL,
        .generation = generation,
        .nassignments = assign_to ? 1 : 0,
        .assignments = &as,
    };
    group_sync(&gc, &a, &s->call);
    return s;
}

static struct scall *sync_member(const char *member_id, int32_t generation)
{
    return sync_with(member_id, NULL, generation, NULL, NULL);
}

static int16_t heartbeat(const char *member_id, const char *instance_id, int32_t generation)
{
    return group_heartbeat(&gc, kstr_c("g"), kstr_c(member_id), instance_id ? kstr_c(instance_id) : KSTR_NULL,
                           generation);
}

static enum group_state state(void)
{
    struct cgroup *g = group_lookup(&gc, kstr_c("g"));
    assert_non_null(g);
    return g->state;
}

/* One member through its first rebalance to Stable; returns its join answer. */
static struct jcall *stable_single(void)
{
    struct jcall *a = join(NULL);
    advance(INITIAL_DELAY);
    assert_int_equal(a->answers, 1);
    sync_with(a->member_id, NULL, a->generation, a->member_id, "A-parts");
    assert_int_equal(state(), GROUP_STABLE);
    return a;
}

/* Two members joined together, both synced: Stable in generation 1. */
static void stable_pair(struct jcall **a, struct jcall **b)
{
    *a = join(NULL);
    *b = join(NULL);
    advance(INITIAL_DELAY);
    assert_int_equal((*a)->generation, 1);
    assert_int_equal((*b)->generation, 1);
    sync_member((*b)->member_id, 1);
    sync_with((*a)->member_id, NULL, 1, (*b)->member_id, "B-parts");
    assert_int_equal(state(), GROUP_STABLE);
}

/* ---- transitions ---- */

static void test_transition_table(void **s)
{
    static const enum group_state all[] = {GROUP_EMPTY, GROUP_PREPARING_REBALANCE, GROUP_COMPLETING_REBALANCE,
                                           GROUP_STABLE, GROUP_DEAD};
    static const struct {
        enum group_state from, to;
    } legal[] = {
        {GROUP_EMPTY, GROUP_PREPARING_REBALANCE},          {GROUP_EMPTY, GROUP_DEAD},
        {GROUP_PREPARING_REBALANCE, GROUP_COMPLETING_REBALANCE}, {GROUP_PREPARING_REBALANCE, GROUP_EMPTY},
        {GROUP_COMPLETING_REBALANCE, GROUP_STABLE},        {GROUP_COMPLETING_REBALANCE, GROUP_PREPARING_REBALANCE},
        {GROUP_COMPLETING_REBALANCE, GROUP_EMPTY},         {GROUP_STABLE, GROUP_PREPARING_REBALANCE},
        {GROUP_STABLE, GROUP_EMPTY},
    };
    int nlegal = 0;
    for (size_t f = 0; f < ARRAY_LEN(all); f++)
        for (size_t t = 0; t < ARRAY_LEN(all); t++) {
            bool expect = false;
            for (size_t k = 0; k < ARRAY_LEN(legal); k++)
                expect |= legal[k].from == all[f] && legal[k].to == all[t];
            assert_int_equal(group_transition_legal(all[f], all[t]), expect);
            nlegal += expect;
        }
    assert_int_equal(nlegal, 9);
    assert_string_equal(group_state_name(GROUP_COMPLETING_REBALANCE), "CompletingRebalance");
}

/* Every illegal transition stops the broker (in a child process here)
 * rather than leaving a group in a state nothing expects. */
static void test_illegal_transitions_abort(void **s)
{
    static const enum group_state all[] = {GROUP_EMPTY, GROUP_PREPARING_REBALANCE, GROUP_COMPLETING_REBALANCE,
                                           GROUP_STABLE, GROUP_DEAD};
    struct cgroup *g = group_lookup_or_create(&gc, kstr_c("g"));
    int tried = 0;
    for (size_t f = 0; f < ARRAY_LEN(all); f++)
        for (size_t t = 0; t < ARRAY_LEN(all); t++) {
            if (group_transition_legal(all[f], all[t]))
                continue;
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) {
                int devnull = open("/dev/null", O_WRONLY);
                dup2(devnull, STDERR_FILENO);
                g->state = all[f];
                group_set_state(g, all[t]);
                _exit(0);
            }
            int status = 0;
            assert_int_equal(waitpid(pid, &status, 0), pid);
            assert_true(WIFSIGNALED(status));
            assert_int_equal(WTERMSIG(status), SIGABRT);
            tried++;
        }
    assert_int_equal(tried, 16);
}

/* Empty -> PreparingRebalance -> CompletingRebalance -> Stable, the
 * first phase waiting the full initial delay. */
static void test_first_join_to_stable(void **s)
{
    struct jcall *a = join(NULL);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    advance(INITIAL_DELAY - 1);
    assert_int_equal(a->answers, 0);
    advance(1);
    assert_int_equal(a->answers, 1);
    assert_int_equal(a->error, 0);
    assert_int_equal(a->generation, 1);
    assert_string_equal(a->leader, a->member_id);
    assert_string_equal(a->protocol, "range");
    assert_int_equal(a->nmembers, 1);
    assert_true(strncmp(a->member_id, "client-", 7) == 0);
    assert_int_equal(state(), GROUP_COMPLETING_REBALANCE);
    struct scall *sa = sync_with(a->member_id, NULL, 1, a->member_id, "A-parts");
    assert_int_equal(sa->error, 0);
    assert_string_equal(sa->assignment, "A-parts");
    assert_int_equal(state(), GROUP_STABLE);
    assert_int_equal(heartbeat(a->member_id, NULL, 1), 0);
}

/* Another member during the first phase restarts the delay, up to the
 * rebalance timeout; both land in generation 1, the first one leads. */
static void test_initial_delay_grows(void **s)
{
    struct jcall *a = join(NULL);
    advance(2000);
    struct jcall *b = join(NULL);
    advance(INITIAL_DELAY - 1);
    assert_int_equal(a->answers + b->answers, 0);
    advance(1);
    assert_int_equal(a->generation, 1);
    assert_int_equal(b->generation, 1);
    assert_string_equal(b->leader, a->member_id);
    assert_int_equal(a->nmembers, 2);
    assert_int_equal(b->nmembers, -1);   /* followers get no member list */
}

/* CompletingRebalance -> PreparingRebalance: a new member joins while a
 * follower waits for the assignment; its SyncGroup is told to rejoin. */
static void test_join_during_sync_restarts_rebalance(void **s)
{
    struct jcall *a = join(NULL), *b = join(NULL);
    advance(INITIAL_DELAY);
    struct scall *sb = sync_member(b->member_id, 1);
    assert_int_equal(sb->answers, 0);
    struct jcall *c = join(NULL);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    assert_int_equal(sb->answers, 1);
    assert_int_equal(sb->error, KERR_REBALANCE_IN_PROGRESS);
    /* A SyncGroup now is told the same; a heartbeat too. */
    struct scall *sa = sync_member(a->member_id, 1);
    assert_int_equal(sa->error, KERR_REBALANCE_IN_PROGRESS);
    assert_int_equal(heartbeat(a->member_id, NULL, 1), KERR_REBALANCE_IN_PROGRESS);
    /* Everyone rejoins: the phase ends at once, generation 2. */
    struct jcall *a2 = join(a->member_id), *b2 = join(b->member_id);
    assert_int_equal(c->generation, 2);
    assert_int_equal(a2->generation, 2);
    assert_int_equal(b2->generation, 2);
    assert_string_equal(a2->leader, a->member_id);
    assert_int_equal(state(), GROUP_COMPLETING_REBALANCE);
}

/* Stable -> Empty and CompletingRebalance -> Empty: the last member
 * leaves; then Empty -> Dead on delete. */
static void test_last_member_leaves(void **s)
{
    struct jcall *a = stable_single();
    assert_int_equal(group_leave(&gc, kstr_c("g"), kstr_c(a->member_id), KSTR_NULL), 0);
    assert_int_equal(state(), GROUP_EMPTY);
    assert_int_equal(group_lookup(&gc, kstr_c("g"))->generation, 2);
    assert_int_equal(heartbeat(a->member_id, NULL, 1), KERR_UNKNOWN_MEMBER_ID);

    struct jcall *b = join(NULL);
    advance(INITIAL_DELAY);
    assert_int_equal(state(), GROUP_COMPLETING_REBALANCE);
    assert_int_equal(group_leave(&gc, kstr_c("g"), kstr_c(b->member_id), KSTR_NULL), 0);
    assert_int_equal(state(), GROUP_EMPTY);

    group_delete(group_lookup(&gc, kstr_c("g")));
    assert_null(group_lookup(&gc, kstr_c("g")));
    assert_int_equal(group_status(&gc, kstr_c("g")), KERR_UNKNOWN_MEMBER_ID);
}

static void test_leave_errors(void **s)
{
    struct jcall *a = join_with((struct join_opts){.instance_id = "i1"});
    advance(INITIAL_DELAY);
    assert_int_equal(group_leave(&gc, kstr_c("nope"), kstr_c(a->member_id), KSTR_NULL), KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(group_leave(&gc, kstr_c("g"), kstr_c("stranger"), KSTR_NULL), KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(group_leave(&gc, kstr_c("g"), kstr_c("stranger"), kstr_c("i1")), KERR_FENCED_INSTANCE_ID);
    assert_int_equal(group_leave(&gc, kstr_c("g"), KSTR_NULL, kstr_c("i2")), KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(group_leave(&gc, kstr_c("g"), KSTR_NULL, kstr_c("i1")), 0);   /* by instance alone */
    assert_int_equal(state(), GROUP_EMPTY);
}

static void test_join_validation(void **s)
{
    struct jcall *j = join_with((struct join_opts){.group = ""});
    assert_int_equal(j->error, KERR_INVALID_GROUP_ID);
    j = join_with((struct join_opts){.session_ms = 1000});
    assert_int_equal(j->error, KERR_INVALID_SESSION_TIMEOUT);
    j = join_with((struct join_opts){.protocol_type = ""});
    assert_int_equal(j->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
    j = join("unknown-id");   /* a member id for a group that does not exist */
    assert_int_equal(j->error, KERR_UNKNOWN_MEMBER_ID);
    assert_null(group_lookup(&gc, kstr_c("g")));

    struct jcall *a = join(NULL), *b = join(NULL), *c = join(NULL);
    j = join_with((struct join_opts){.protocol_type = "connect"});
    assert_int_equal(j->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
    j = join_with((struct join_opts){.protocol = "roundrobin"});
    assert_int_equal(j->error, KERR_INCONSISTENT_GROUP_PROTOCOL);
    j = join(NULL);   /* group.max.size is 3 here */
    assert_int_equal(j->error, KERR_GROUP_MAX_SIZE_REACHED);
    assert_int_equal(a->answers + b->answers + c->answers, 0);
}

/* ---- KIP-394 ---- */

static void test_member_id_required(void **s)
{
    struct jcall *first = join_with((struct join_opts){.member_id_required = true});
    assert_int_equal(first->error, KERR_MEMBER_ID_REQUIRED);
    assert_true(strncmp(first->member_id, "client-", 7) == 0);
    assert_int_equal(state(), GROUP_EMPTY);   /* not a member yet */
    assert_int_equal(group_lookup(&gc, kstr_c("g"))->nmembers, 0);

    struct jcall *bogus = join("client-not-handed-out");
    assert_int_equal(bogus->error, KERR_UNKNOWN_MEMBER_ID);

    struct jcall *again = join(first->member_id);
    assert_int_equal(again->answers, 0);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    advance(INITIAL_DELAY);
    assert_int_equal(again->error, 0);
    assert_string_equal(again->member_id, first->member_id);
    /* The id was used up: joining with it as a stranger again fails. */
}

/* An id handed out with MEMBER_ID_REQUIRED that does not come back
 * within the session timeout is forgotten. */
static void test_pending_member_expires(void **s)
{
    struct jcall *first = join_with((struct join_opts){.member_id_required = true});
    advance(SESSION);
    struct jcall *late = join(first->member_id);
    assert_int_equal(late->error, KERR_UNKNOWN_MEMBER_ID);
}

/* ---- static members ---- */

static void test_static_member_rejoin_fences_old_id(void **s)
{
    struct jcall *a = join_with((struct join_opts){.instance_id = "i1"});
    advance(INITIAL_DELAY);
    sync_with(a->member_id, "i1", 1, a->member_id, "A-parts");
    assert_int_equal(state(), GROUP_STABLE);

    /* Restarted with the same metadata: no rebalance, a new member id. */
    struct jcall *back = join_with((struct join_opts){.instance_id = "i1", .member_id_required = true});
    assert_int_equal(back->answers, 1);
    assert_int_equal(back->error, 0);
    assert_int_equal(back->generation, 1);
    assert_string_not_equal(back->member_id, a->member_id);
    assert_string_equal(back->leader, back->member_id);
    assert_int_equal(state(), GROUP_STABLE);

    assert_int_equal(heartbeat(a->member_id, "i1", 1), KERR_FENCED_INSTANCE_ID);
    struct scall *old = sync_with(a->member_id, "i1", 1, NULL, NULL);
    assert_int_equal(old->error, KERR_FENCED_INSTANCE_ID);
    assert_int_equal(heartbeat(back->member_id, "i1", 1), 0);
    assert_int_equal(heartbeat(back->member_id, "i2", 1), KERR_FENCED_INSTANCE_ID);
    struct scall *mine = sync_with(back->member_id, "i1", 1, NULL, NULL);
    assert_string_equal(mine->assignment, "A-parts");   /* its previous assignment */

    /* Its known member id with another instance id is fenced. */
    struct jcall *other = join_with((struct join_opts){.member_id = back->member_id, .instance_id = "i9"});
    assert_int_equal(other->error, KERR_FENCED_INSTANCE_ID);

    /* Back with new metadata: a rebalance under the new id. */
    struct jcall *changed = join_with((struct join_opts){.instance_id = "i1", .metadata = "new"});
    assert_int_equal(changed->answers, 0);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    advance(REBALANCE);
    assert_int_equal(changed->generation, 2);
}

/* A static member's parked JoinGroup is answered FENCED_INSTANCE_ID when
 * a newer instance with the same id takes over. */
static void test_static_takeover_fences_parked_join(void **s)
{
    struct jcall *a = join_with((struct join_opts){.instance_id = "i1"});
    struct jcall *b = join_with((struct join_opts){.instance_id = "i1", .metadata = "other"});
    assert_int_equal(a->answers, 1);
    assert_int_equal(a->error, KERR_FENCED_INSTANCE_ID);
    advance(INITIAL_DELAY);
    assert_int_equal(b->error, 0);
    assert_int_equal(b->generation, 1);
    assert_int_equal(group_lookup(&gc, kstr_c("g"))->nmembers, 1);
}

/* ---- deadlines ---- */

/* The leader synced, a follower never does: once the rebalance timeout
 * is over it is removed and the group rebalances without it. */
static void test_sync_deadline(void **s)
{
    struct jcall *a = join(NULL), *b = join(NULL);
    advance(INITIAL_DELAY);
    struct scall *sa = sync_with(a->member_id, NULL, 1, a->member_id, "A-parts");
    assert_string_equal(sa->assignment, "A-parts");
    assert_int_equal(state(), GROUP_STABLE);
    /* Both heartbeat, so only the deadline can remove the follower. */
    for (int t = 0; t < REBALANCE - 1; t += SESSION / 2) {
        advance(MIN(SESSION / 2, REBALANCE - 1 - t));
        assert_int_equal(heartbeat(a->member_id, NULL, 1), 0);
        assert_int_equal(heartbeat(b->member_id, NULL, 1), 0);
    }
    advance(1);
    assert_int_equal(heartbeat(b->member_id, NULL, 1), KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    assert_int_equal(heartbeat(a->member_id, NULL, 1), KERR_REBALANCE_IN_PROGRESS);
    struct jcall *a2 = join(a->member_id);
    assert_int_equal(a2->generation, 2);
    assert_int_equal(a2->nmembers, 1);
}

/* When every member synced the deadline is off: nobody is removed. */
static void test_sync_deadline_stops_when_all_synced(void **s)
{
    struct jcall *a, *b;
    stable_pair(&a, &b);
    for (int i = 0; i < 8; i++) {
        advance(SESSION / 2);
        assert_int_equal(heartbeat(a->member_id, NULL, 1), 0);
        assert_int_equal(heartbeat(b->member_id, NULL, 1), 0);
    }
    assert_int_equal(state(), GROUP_STABLE);
}

/* The leader rejoins; the follower goes on heartbeating but never
 * rejoins: at the rebalance timeout the phase ends without it. */
static void test_rebalance_timeout(void **s)
{
    struct jcall *a, *b;
    stable_pair(&a, &b);
    struct jcall *a2 = join(a->member_id);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    for (int t = 0; t + SESSION / 2 < REBALANCE; t += SESSION / 2) {
        advance(SESSION / 2);
        assert_int_equal(heartbeat(b->member_id, NULL, 1), KERR_REBALANCE_IN_PROGRESS);
    }
    assert_int_equal(a2->answers, 0);
    advance(SESSION / 2);
    assert_int_equal(a2->answers, 1);
    assert_int_equal(a2->generation, 2);
    assert_int_equal(a2->nmembers, 1);
    assert_int_equal(heartbeat(b->member_id, NULL, 1), KERR_UNKNOWN_MEMBER_ID);
}

/* A parked JoinGroup stops the member's session timer: the other member,
 * which neither heartbeats nor rejoins, expires first and the phase ends
 * with the parked one alone, before the rebalance timeout. */
static void test_session_expiry_during_parked_join(void **s)
{
    struct jcall *a, *b;
    stable_pair(&a, &b);
    advance(SESSION / 2);
    assert_int_equal(heartbeat(b->member_id, NULL, 1), 0);
    struct jcall *a2 = join(a->member_id);
    /* Past the leader's own session timeout, but it is parked. */
    advance(SESSION - 1);
    assert_int_equal(a2->answers, 0);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    advance(1);
    assert_int_equal(a2->answers, 1);
    assert_int_equal(a2->error, 0);
    assert_int_equal(a2->generation, 2);
    assert_int_equal(a2->nmembers, 1);
    assert_int_equal(state(), GROUP_COMPLETING_REBALANCE);
}

/* A parked JoinGroup whose connection went away gets no answer; the
 * member's session timer runs again and removes it (PreparingRebalance
 * -> Empty). */
static void test_abandoned_join_expires(void **s)
{
    struct jcall *a = stable_single();
    struct jcall *a2 = join_with((struct join_opts){.member_id = a->member_id, .metadata = "changed"});
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    group_join_abandon(&a2->call);
    advance(SESSION - 1);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
    advance(1);
    assert_int_equal(state(), GROUP_EMPTY);
    assert_int_equal(a2->answers, 0);
}

/* A member that stops heartbeating in a stable group is removed and the
 * group rebalances; an abandoned SyncGroup is never answered. */
static void test_session_expiry_in_stable(void **s)
{
    struct jcall *a, *b;
    stable_pair(&a, &b);
    advance(SESSION - 1);
    assert_int_equal(heartbeat(a->member_id, NULL, 1), 0);
    advance(1);
    assert_int_equal(heartbeat(b->member_id, NULL, 1), KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(state(), GROUP_PREPARING_REBALANCE);
}

static void test_sync_errors_and_abandon(void **s)
{
    struct jcall *a = join(NULL), *b = join(NULL);
    advance(INITIAL_DELAY);
    struct scall *e = sync_member(b->member_id, 7);
    assert_int_equal(e->error, KERR_ILLEGAL_GENERATION);
    e = sync_member("stranger", 1);
    assert_int_equal(e->error, KERR_UNKNOWN_MEMBER_ID);
    struct scall *sb = sync_member(b->member_id, 1);
    group_sync_abandon(&sb->call);
    struct scall *sb2 = sync_member(b->member_id, 1);
    struct scall *sa = sync_with(a->member_id, NULL, 1, b->member_id, "B-parts");
    assert_int_equal(sb->answers, 0);
    assert_int_equal(sb2->answers, 1);
    assert_string_equal(sb2->assignment, "B-parts");
    assert_int_equal(sa->answers, 1);
    assert_string_equal(sa->assignment, "");
}

/* A second JoinGroup from the same member replaces the parked one. */
static void test_second_join_replaces_parked(void **s)
{
    struct jcall *a, *b;
    stable_pair(&a, &b);
    struct jcall *first = join(a->member_id);
    struct jcall *second = join(a->member_id);
    assert_int_equal(first->answers, 1);
    assert_int_equal(first->error, KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(second->answers, 0);
    struct jcall *b2 = join(b->member_id);
    assert_int_equal(second->generation, 2);
    assert_int_equal(b2->generation, 2);
}

/* ---- hashed lookups ---- */

static void test_many_groups(void **s)
{
    char id[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "group-%d", i);
        group_lookup_or_create(&gc, kstr_c(id));
    }
    for (int i = 0; i < 5000; i += 2) {
        snprintf(id, sizeof(id), "group-%d", i);
        group_delete(group_lookup(&gc, kstr_c(id)));
    }
    int n = 0;
    for (struct cgroup *g = gc.groups; g; g = g->next)
        n++;
    assert_int_equal(n, 2500);
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "group-%d", i);
        struct cgroup *g = group_lookup(&gc, kstr_c(id));
        if (i % 2)
            assert_string_equal(g->id, id);
        else
            assert_null(g);
    }
    assert_ptr_equal(group_lookup_or_create(&gc, kstr_c("group-1")), group_lookup(&gc, kstr_c("group-1")));
    assert_null(group_lookup(&gc, (struct kstr){"group-1", 6}));   /* a prefix is another id */
}

static void test_offsets_table(void **s)
{
    struct cgroup *g = group_lookup_or_create(&gc, kstr_c("g"));
    char topic[32];
    for (int t = 0; t < 50; t++)
        for (int p = 0; p < 40; p++) {
            snprintf(topic, sizeof(topic), "topic-%d", t);
            offset_set(g, topic, p, t * 1000 + p, 3, p % 2 ? "meta" : NULL, p % 2 ? 4 : -1, 42);
        }
    offset_set(g, "topic-7", 5, 99, 4, "m", 1, 43);   /* replaces */
    struct committed_offset *o = group_offset(g, "topic-7", 5);
    assert_int_equal(o->offset, 99);
    assert_int_equal(o->leader_epoch, 4);
    assert_string_equal(o->metadata, "m");
    assert_null(group_offset(g, "topic-7", 40));
    assert_null(group_offset(g, "topic-70", 5));
    assert_string_equal(group_offset(g, "topic-3", 1)->metadata, "meta");
    assert_null(group_offset(g, "topic-3", 2)->metadata);
    for (int p = 0; p < 40; p++)
        offsets_remove(g, "topic-7", p);
    offsets_remove(g, "topic-7", 5);   /* already gone: nothing */
    assert_null(group_offset(g, "topic-7", 5));
    int n = 0;
    for (struct committed_offset *c = g->offsets; c; c = c->next)
        n++;
    assert_int_equal(n, 49 * 40);
    assert_int_equal(group_offset(g, "topic-49", 39)->offset, 49039);
}

int main(void)
{
    slog_set_level(SLOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transition_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_illegal_transitions_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_join_to_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_initial_delay_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_join_during_sync_restarts_rebalance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_member_leaves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leave_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_join_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_member_id_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_member_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_member_rejoin_fences_old_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_takeover_fences_parked_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_deadline_stops_when_all_synced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rebalance_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry_during_parked_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abandoned_join_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry_in_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_errors_and_abandon, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_join_replaces_parked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offsets_table, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
