/* Consumer groups, the classic protocol: the group coordinator's state
 * (groups, members, committed offsets) and its logic, with no wire
 * format. The handlers in src/api/ decode a request, call in here with
 * plain arguments and encode what comes back: a return value, or for
 * JoinGroup and SyncGroup, which may wait, a completion callback.
 *
 * The state machine (group.c, members in member.c, lookups in
 * registry.c) reads time and sets timers only through struct group_host,
 * so it runs without the event loop (tests/unit/test_group.c); the
 * broker binds it to the loop in loop_host.c.
 *
 * Membership lives in memory only (members rejoin after a restart, as
 * with Kafka). Committed offsets are durable: each commit is a record in
 * the coordinator's own log, <log.dirs>/__consumer_offsets-0 (offsets.c),
 * replayed at start.
 * @locality: everything runs on the broker's loop thread. */
#ifndef SLUICE_GROUP_H
#define SLUICE_GROUP_H
#include <stdbool.h>
#include <stdint.h>
#include "broker/topics.h"
#include "core/hmap.h"
#include "core/timer.h"
#include "core/util.h"

struct broker;

enum group_state {
    GROUP_EMPTY,
    GROUP_PREPARING_REBALANCE,
    GROUP_COMPLETING_REBALANCE,
    GROUP_STABLE,
    GROUP_DEAD,
};
const char *group_state_name(enum group_state s);   /* Kafka's names: "Stable", ... */
/* Whether from -> to is one of the transitions drawn at the top of group.c. */
bool group_transition_legal(enum group_state from, enum group_state to);

struct member_protocol {
    char *name;
    uint8_t *metadata;
    int32_t metadata_len;
};

struct join_call;
struct sync_call;

struct member {
    struct member *next;
    struct cgroup *group;
    char *member_id;
    char *instance_id;                 /* group.instance.id, NULL if dynamic */
    char *client_id, *client_host;
    int32_t session_timeout_ms, rebalance_timeout_ms;
    int nprotocols;
    struct member_protocol *protocols; /* in the member's preference order */
    uint8_t *assignment;
    int32_t assignment_len;
    struct join_call *join_call;       /* parked JoinGroup */
    struct sync_call *sync_call;       /* parked SyncGroup */
    bool awaiting_sync;                /* joined this generation, no SyncGroup yet */
    struct timer session_timer;
};

struct committed_offset {
    struct committed_offset *next, *prev;   /* the group's offsets, for walks */
    struct hnode hnode;                     /* in the group's offset_index */
    char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch;
    char *metadata;
    int64_t commit_ms;                 /* wall clock */
};

struct pending_id {
    struct pending_id *next;
    char *member_id;
    int64_t expires_ms;                /* monotonic: dropped if it does not come back */
};

struct cgroup {
    struct cgroup *next, *prev;        /* the coordinator's groups, for walks */
    struct hnode hnode;                /* in the coordinator's index */
    struct group_coordinator *gc;
    char *id;
    enum group_state state;
    int32_t generation;
    char *protocol_type;               /* NULL until a member joins */
    char *protocol_name;               /* chosen at the end of each join phase */
    char *leader_id;
    struct member *members;
    int nmembers;
    struct pending_id *pending;        /* ids handed out with MEMBER_ID_REQUIRED */
    struct timer join_timer;           /* end of the join phase, then the sync deadline */
    bool initial_delay;                /* join phase of an empty group: wait the full delay */
    int64_t initial_deadline_ms;       /* the delay grows per new member up to this */
    struct committed_offset *offsets;
    struct hmap offset_index;          /* committed offsets by (topic, partition) */
    int64_t state_since_ms;            /* wall clock of the last state change */
};

/* What the state machine needs from its host: the monotonic clock and
 * timers. A timer's cb is called with a NULL loop when it fires. */
struct group_host {
    void *ctx;
    int64_t (*now_ms)(void *ctx);
    void (*timer_at)(void *ctx, struct timer *t, int64_t when_ms);
    void (*timer_cancel)(void *ctx, struct timer *t);
};

/* The broker's group.* settings, read once at start. */
struct group_limits {
    int32_t min_session_timeout_ms, max_session_timeout_ms;
    int32_t initial_rebalance_delay_ms;
    int32_t max_size;
};

struct group_coordinator {
    struct group_host host;
    struct group_limits limits;
    struct cgroup *groups;             /* newest first */
    struct hmap index;                 /* groups by id */
    uint64_t next_member_seq;
    /* The offsets log (offsets.c); the state machine does not touch it. */
    struct broker *b;
    struct partition log;              /* the offsets log, not a topic */
    struct plog *plog;
    struct timer expiry_timer;
    bool compacting;                   /* a snapshot is being written */
    int64_t snapshot_base;             /* its first offset: the next log start */
    struct ack_waiter snapshot_waiter;
};

/* ---- the coordinator (registry.c) ---- */
void group_coordinator_init(struct group_coordinator *gc, const struct group_host *host,
                            const struct group_limits *limits);
/* Frees every group, answering parked calls with COORDINATOR_NOT_AVAILABLE. */
void group_coordinator_clear(struct group_coordinator *gc);
struct cgroup *group_lookup(struct group_coordinator *gc, struct kstr id);
struct cgroup *group_lookup_or_create(struct group_coordinator *gc, struct kstr id);
/* Deletes an empty group: it goes Dead and is forgotten (its offsets
 * too; the caller writes their tombstones first). */
void group_delete(struct cgroup *g);

/* The same through the broker, for its handlers: NULL before start. */
struct cgroup *group_find(struct broker *b, struct kstr id);
struct cgroup *group_get_or_create(struct broker *b, struct kstr id);

/* ---- members (member.c) ---- */
struct member *group_find_member(struct cgroup *g, struct kstr member_id);
struct member *group_member_by_instance(struct cgroup *g, struct kstr instance_id);
/* m's protocol of that name, NULL if it does not support it. */
const struct member_protocol *group_member_protocol(const struct member *m, const char *name);

/* ---- the state machine (group.c) ---- */
void group_set_state(struct cgroup *g, enum group_state s);
/* Forgets member ids handed out with MEMBER_ID_REQUIRED that never came back. */
void group_prune_pending(struct cgroup *g, int64_t now_mono_ms);

struct join_protocol {
    struct kstr name;
    const uint8_t *metadata;
    int32_t metadata_len;
};

/* A JoinGroup's fields. The strings and bytes are only read during the
 * call; what the coordinator keeps it copies. */
struct join_args {
    struct kstr group_id, member_id, instance_id, protocol_type;
    struct kstr client_id;
    const char *client_host;           /* "ip:port" or "ip" */
    int32_t session_timeout_ms, rebalance_timeout_ms;
    int nprotocols;
    const struct join_protocol *protocols;
    bool member_id_required;           /* v4+: new members get MEMBER_ID_REQUIRED first (KIP-394) */
};

/* A JoinGroup's answer, valid during the done callback only. */
struct join_answer {
    int16_t error;
    const char *member_id;             /* also with some errors (MEMBER_ID_REQUIRED), else NULL */
    int32_t generation;
    const char *protocol_type, *protocol_name, *leader_id;
    const struct cgroup *group;        /* for the leader only: members and their metadata */
};

/* The caller's handle of a JoinGroup: it stays valid until done is
 * called (at once or later) or group_join_abandon(). */
struct join_call {
    void (*done)(struct join_call *c, const struct join_answer *a);
    struct member *parked;             /* the coordinator's, while it waits */
};

struct sync_assignment {
    struct kstr member_id;
    const uint8_t *assignment;
    int32_t len;
};

struct sync_args {
    struct kstr group_id, member_id, instance_id;
    struct kstr protocol_type, protocol_name;   /* null when not sent (before v5) */
    int32_t generation;
    int nassignments;                  /* the leader's, else 0 */
    const struct sync_assignment *assignments;
};

struct sync_answer {
    int16_t error;
    const char *protocol_type, *protocol_name;  /* NULL on errors */
    const uint8_t *assignment;
    int32_t assignment_len;
};

struct sync_call {
    void (*done)(struct sync_call *c, const struct sync_answer *a);
    struct member *parked;
};

void group_join(struct group_coordinator *gc, const struct join_args *a, struct join_call *call);
void group_sync(struct group_coordinator *gc, const struct sync_args *a, struct sync_call *call);
/* The call's connection went away: it is forgotten without an answer. */
void group_join_abandon(struct join_call *call);
void group_sync_abandon(struct sync_call *call);
/* UNKNOWN_MEMBER_ID for an unknown group, COORDINATOR_NOT_AVAILABLE for a
 * dead one, else 0. */
int16_t group_status(struct group_coordinator *gc, struct kstr group_id);
int16_t group_heartbeat(struct group_coordinator *gc, struct kstr group_id, struct kstr member_id,
                        struct kstr instance_id, int32_t generation);
/* One member leaves, named by member id or (with member id optional) by
 * group.instance.id. Returns its error code. */
int16_t group_leave(struct group_coordinator *gc, struct kstr group_id, struct kstr member_id,
                    struct kstr instance_id);

/* ---- committed offsets in memory (offset_table.c) ---- */
struct committed_offset *group_offset(struct cgroup *g, const char *topic, int32_t partition);
/* Adds or replaces the offset of (topic, partition); meta_len -1 is null metadata. */
void offset_set(struct cgroup *g, const char *topic, int32_t partition, int64_t offset, int32_t epoch,
                const char *meta, int32_t meta_len, int64_t commit_ms);
void offsets_remove(struct cgroup *g, const char *topic, int32_t partition);
/* Drops all of g's offsets from memory. */
void group_offsets_clear(struct cgroup *g);

/* ---- the offsets log and start-up (offsets.c, loop_host.c) ---- */
/* Start: opens and replays the offsets log. Returns 0 or -1 with err. */
int groups_start(struct broker *b, char *err, size_t errlen);
/* Shutdown: answers parked requests, closes the log (the flusher is stopped). */
void groups_stop(struct broker *b);
/* Sets gc up to run on the broker: its loop's clock and timers, its
 * group.* settings (loop_host.c). */
void group_coordinator_bind(struct group_coordinator *gc, struct broker *b);

struct offset_commit_item {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch;
    struct kstr metadata;
    int16_t *error_code;               /* where the result goes */
};
/* Writes the commits (tombstones when delete is set) to the offsets log
 * and calls done once they are durable and applied, with 0 or an error.
 * Returns -1 if nothing was written (done is not called). */
struct offsets_write;
int offsets_write(struct broker *b, struct cgroup *g, struct offset_commit_item *items, int n, bool tombstones,
                  void (*done)(void *arg, int16_t error), void *arg, struct offsets_write **handle);
/* Cancels the done callback of a write whose request went away. */
void offsets_write_cancel(struct offsets_write *w);
/* A topic was deleted: every group's offsets for it go (tombstones), as
 * Kafka does, and groups left with nothing are removed. */
void offsets_forget_topic(struct broker *b, const char *topic);
/* Drops a group's expired offsets (empty groups only), for the timer and tests. */
int offsets_expire(struct broker *b, int64_t now_ms);
/* Compacts the offsets log when it holds far more records than live
 * offsets (or always, with force). Returns 1 if it started. */
int offsets_compact(struct broker *b, bool force);
#endif
