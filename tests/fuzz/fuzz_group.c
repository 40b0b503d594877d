/* libFuzzer target: the group coordinator's state machine, driven by a
 * sequence of operations read from the input, with a fake clock and
 * timers as in tests/unit/test_group.c (no sockets, no event loop).
 *
 * Each operation is one byte (the low 3 bits pick it) and a few argument
 * bytes: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, the clock moving
 * forward (firing due timers), a parked call abandoned (its connection
 * went away), an offset set or removed, a group deleted. Member ids are
 * picked from those the coordinator handed out, so the sequences reach
 * deep states (rebalances with several members, static members, fenced
 * ids), plus made-up ones.
 *
 * After every operation: each group's member count matches its list, an
 * Empty group has no members, and no call was answered twice. At the end
 * the coordinator is cleared: every parked call is answered and every
 * timer stopped. The state machine aborts by itself on an illegal
 * transition.
 *
 * Build and run: scripts/run-fuzz fuzz_group. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/slog.h"
#include "group/group.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct group_coordinator gc_fuzz;

/* ---- the fake host ---- */
#include "../common/fake_clock.h"

/* ---- calls: a fixed pool, each answered at most once ---- */

#define MAX_CALLS 128
enum call_kind { CALL_JOIN, CALL_SYNC };
struct call {
    union {
        struct join_call join;
        struct sync_call sync;
    } u;
    enum call_kind kind;
    int answers;
    bool abandoned;
};
static struct call calls[MAX_CALLS];
static int ncalls;

/* Member ids the coordinator handed out, to be used again. */
#define MAX_IDS 16
static char ids[MAX_IDS][128];
static int nids, next_id_slot;
static int32_t last_generation;

static void remember_id(const char *id)
{
    if (!id || !*id)
        return;
    for (int i = 0; i < nids; i++)
        if (strcmp(ids[i], id) == 0)
            return;
    snprintf(ids[next_id_slot], sizeof(ids[0]), "%s", id);
    next_id_slot = (next_id_slot + 1) % MAX_IDS;
    if (nids < MAX_IDS)
        nids++;
}

static void on_join(struct join_call *c, const struct join_answer *a)
{
    struct call *k = (struct call *)c;
    CHECK(!k->abandoned, "an abandoned JoinGroup was answered");
    CHECK(++k->answers == 1, "a JoinGroup was answered twice");
    remember_id(a->member_id);
    if (!a->error)
        last_generation = a->generation;
}

static void on_sync(struct sync_call *c, const struct sync_answer *a)
{
    struct call *k = (struct call *)c;
    CHECK(!k->abandoned, "an abandoned SyncGroup was answered");
    CHECK(++k->answers == 1, "a SyncGroup was answered twice");
}

static struct call *new_call(enum call_kind kind)
{
    if (ncalls == MAX_CALLS)
        return NULL;
    struct call *k = &calls[ncalls++];
    memset(k, 0, sizeof(*k));
    k->kind = kind;
    if (kind == CALL_JOIN)
        k->u.join.done = on_join;
    else
        k->u.sync.done = on_sync;
    return k;
}

/* ---- reading the input ---- */

struct input {
    const uint8_t *p, *end;
};

static uint8_t byte(struct input *in) { return in->p < in->end ? *in->p++ : 0; }

static const char *const groups[] = {"g", "h"};
static const char *const instances[] = {"static-a", "static-b"};
static const char *const protocols[] = {"range", "roundrobin", "cooperative-sticky"};
static const char *const types[] = {"consumer", "connect"};

static struct kstr pick_member(uint8_t b)
{
    if (b % 4 == 0 || nids == 0)
        return b & 0x10 ? kstr_c("unknown-member") : kstr_c("");
    return kstr_c(ids[b % nids]);
}

static struct kstr pick_instance(uint8_t b) { return b & 1 ? kstr_c(instances[(b >> 1) & 1]) : KSTR_NULL; }

static int32_t pick_generation(uint8_t b)
{
    switch (b & 3) {
    case 0: return last_generation;
    case 1: return last_generation - 1;
    case 2: return -1;
    default: return (int32_t)b;
    }
}

static void op_join(struct input *in)
{
    uint8_t g = byte(in), m = byte(in), i = byte(in), p = byte(in), s = byte(in);
    struct call *k = new_call(CALL_JOIN);
    if (!k)
        return;
    struct join_protocol protos[2] = {
        {kstr_c(protocols[p % 3]), (const uint8_t *)"meta", 4},
        {kstr_c(protocols[(p / 3) % 3]), (const uint8_t *)"m2", 2},
    };
    static const int32_t sessions[] = {10000, 6000, 1000, 3600000};
    struct join_args a = {
        .group_id = kstr_c(groups[g & 1]),
        .member_id = pick_member(m),
        .instance_id = pick_instance(i),
        .protocol_type = kstr_c(types[(g >> 1) & 1 && (g & 0x40) ? 1 : 0]),
        .client_id = kstr_c("fuzz"),
        .client_host = "127.0.0.1:1",
        .session_timeout_ms = sessions[s & 3],
        .rebalance_timeout_ms = (s & 4) ? 1000 : 30000,
        .nprotocols = (p & 0x80) ? 2 : 1,
        .protocols = protos,
        .member_id_required = (g & 2) != 0,
    };
    group_join(&gc_fuzz, &a, &k->u.join);
}

static void op_sync(struct input *in)
{
    uint8_t g = byte(in), m = byte(in), gen = byte(in), t = byte(in);
    struct call *k = new_call(CALL_SYNC);
    if (!k)
        return;
    struct sync_assignment as[2] = {
        {pick_member(t), (const uint8_t *)"assign-1", 8},
        {pick_member((uint8_t)(t >> 2)), (const uint8_t *)"assign-2", 8},
    };
    struct sync_args a = {
        .group_id = kstr_c(groups[g & 1]),
        .member_id = pick_member(m),
        .instance_id = pick_instance((uint8_t)(g >> 1)),
        .protocol_type = (g & 8) ? kstr_c(types[(g >> 4) & 1]) : KSTR_NULL,
        .protocol_name = (g & 8) ? kstr_c(protocols[(g >> 5) % 3]) : KSTR_NULL,
        .generation = pick_generation(gen),
        .nassignments = t & 3 ? (t & 3) % 3 : 0,
        .assignments = as,
    };
    group_sync(&gc_fuzz, &a, &k->u.sync);
}

static void op_abandon(struct input *in)
{
    uint8_t b = byte(in);
    if (ncalls == 0)
        return;
    struct call *k = &calls[b % ncalls];
    if (k->answers || k->abandoned)
        return;
    k->abandoned = true;
    if (k->kind == CALL_JOIN)
        group_join_abandon(&k->u.join);
    else
        group_sync_abandon(&k->u.sync);
}

static void op_offsets(struct input *in)
{
    uint8_t g = byte(in), t = byte(in), o = byte(in);
    struct cgroup *grp = group_lookup(&gc_fuzz, kstr_c(groups[g & 1]));
    if (!grp)
        return;
    const char *topic = t & 1 ? "orders" : "payments";
    if (o & 0x80)
        offsets_remove(grp, topic, t >> 1 & 7);
    else
        offset_set(grp, topic, t >> 1 & 7, o, -1, (o & 1) ? "meta" : NULL, (o & 1) ? 4 : -1, clock_ms);
    CHECK(!(o & 0x80) || group_offset(grp, topic, t >> 1 & 7) == NULL, "a removed offset is still found");
}

static void op_delete(struct input *in)
{
    uint8_t g = byte(in);
    struct cgroup *grp = group_lookup(&gc_fuzz, kstr_c(groups[g & 1]));
    if (grp && grp->state == GROUP_EMPTY && grp->nmembers == 0)
        group_delete(grp);
}

static void check_groups(void)
{
    for (struct cgroup *g = gc_fuzz.groups; g; g = g->next) {
        int n = 0;
        for (struct member *m = g->members; m; m = m->next) {
            CHECK(m->group == g, "a member points at another group");
            n++;
        }
        CHECK(n == g->nmembers, "member count differs from the member list");
        CHECK(g->state != GROUP_EMPTY || n == 0, "an Empty group has members");
        CHECK(g->state != GROUP_DEAD, "a Dead group is still listed");
        CHECK(group_lookup(&gc_fuzz, kstr_c(g->id)) == g, "a listed group is not found by id");
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    slog_set_level(SLOG_ERROR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct group_host host = fake_host_reset(1000000);
    ncalls = nids = next_id_slot = 0;
    last_generation = 0;
    struct group_limits limits = {.min_session_timeout_ms = 1000,
                                  .max_session_timeout_ms = 600000,
                                  .initial_rebalance_delay_ms = 3000,
                                  .max_size = 4};
    memset(&gc_fuzz, 0, sizeof(gc_fuzz));
    group_coordinator_init(&gc_fuzz, &host, &limits);

    struct input in = {data, data + size};
    while (in.p < in.end) {
        uint8_t op = byte(&in);
        switch (op & 7) {
        case 0: op_join(&in); break;
        case 1: op_sync(&in); break;
        case 2: {
            uint8_t g = byte(&in), m = byte(&in), gen = byte(&in);
            group_heartbeat(&gc_fuzz, kstr_c(groups[g & 1]), pick_member(m), pick_instance((uint8_t)(g >> 1)),
                            pick_generation(gen));
            break;
        }
        case 3: {
            uint8_t g = byte(&in), m = byte(&in);
            group_leave(&gc_fuzz, kstr_c(groups[g & 1]), pick_member(m), pick_instance((uint8_t)(g >> 1)));
            break;
        }
        case 4: advance((int64_t)(op >> 3) * 500); break;
        case 5: op_abandon(&in); break;
        case 6: op_offsets(&in); break;
        default: op_delete(&in); break;
        }
        check_groups();
    }

    group_coordinator_clear(&gc_fuzz);
    CHECK(narmed == 0, "a timer is still armed after the coordinator was cleared");
    for (int i = 0; i < ncalls; i++)
        CHECK(calls[i].abandoned || calls[i].answers == 1, "a parked call was never answered");
    return 0;
}
