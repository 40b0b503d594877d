/* Consumer groups, the classic protocol: the group coordinator's state
 * (groups, members, committed offsets) and the logic behind JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, OffsetCommit and friends. The API
 * handlers in src/api/ decode, call in here and encode.
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
#include "core/util.h"
#include "net/loop.h"
#include "protocol/wire.h"

struct broker;
struct request;

enum group_state {
    GROUP_EMPTY,
    GROUP_PREPARING_REBALANCE,
    GROUP_COMPLETING_REBALANCE,
    GROUP_STABLE,
    GROUP_DEAD,
};
const char *group_state_name(enum group_state s);   /* Kafka's names: "Stable", ... */

struct member_protocol {
    char *name;
    uint8_t *metadata;
    int32_t metadata_len;
};

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
    struct request *join_req;          /* parked JoinGroup */
    struct request *sync_req;          /* parked SyncGroup */
    bool awaiting_sync;                /* joined this generation, no SyncGroup yet */
    struct timer session_timer;
};

struct committed_offset {
    struct committed_offset *next;
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
    struct cgroup *next;
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
    int64_t state_since_ms;            /* wall clock of the last state change */
};

struct group_coordinator {
    struct broker *b;
    struct cgroup *groups;
    struct partition log;              /* the offsets log, not a topic */
    struct plog *plog;
    struct timer expiry_timer;
    bool compacting;                   /* a snapshot is being written */
    int64_t snapshot_base;             /* its first offset: the next log start */
    struct ack_waiter snapshot_waiter;
    uint64_t next_member_seq;
};

/* Start: opens and replays the offsets log. Returns 0 or -1 with err. */
int groups_start(struct broker *b, char *err, size_t errlen);
/* Shutdown: answers parked requests, closes the log (the flusher is stopped). */
void groups_stop(struct broker *b);

struct cgroup *group_find(struct broker *b, struct kstr id);
struct cgroup *group_get_or_create(struct broker *b, struct kstr id);
void group_set_state(struct cgroup *g, enum group_state s);
struct member *group_find_member(struct cgroup *g, struct kstr member_id);
struct member *group_member_by_instance(struct cgroup *g, struct kstr instance_id);
/* Removes a member (answering its parked requests with UNKNOWN_MEMBER_ID)
 * and moves the group on: rebalance, or Empty when it was the last one. */
void group_remove_member(struct cgroup *g, struct member *m, const char *why);
/* Deletes an empty group: tombstones for its offsets, then forgets it. */
void group_delete(struct cgroup *g);
/* Forgets member ids handed out with MEMBER_ID_REQUIRED that never came back. */
void group_prune_pending(struct cgroup *g, int64_t now_mono_ms);

/* The API entry points (decode/encode are in src/api/<api>.c). */
void group_join(struct request *req);
void group_sync(struct request *req);
void group_heartbeat(struct request *req);
void group_leave(struct request *req);

/* Offsets (offsets.c). */
struct committed_offset *group_offset(struct cgroup *g, const char *topic, int32_t partition);
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
void offsets_remove(struct cgroup *g, const char *topic, int32_t partition);
/* A topic was deleted: every group's offsets for it go (tombstones), as
 * Kafka does, and groups left with nothing are removed. */
void offsets_forget_topic(struct broker *b, const char *topic);
/* Drops a group's expired offsets (empty groups only), for the timer and tests. */
int offsets_expire(struct broker *b, int64_t now_ms);
/* Compacts the offsets log when it holds far more records than live
 * offsets (or always, with force). Returns 1 if it started. */
int offsets_compact(struct broker *b, bool force);
#endif
