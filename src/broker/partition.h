/* One partition: its life (open, close, delete), the one way anything is
 * appended to it, and the waiters that its high watermark releases.
 *
 * partition_append() is the append sequence for every writer (Produce,
 * the HTTP test message, the offsets log; next transaction markers and
 * the compactor), on the loop thread:
 *   1. a partition whose last fsync failed refuses (its storage error);
 *   2. an idempotent producer's records are checked against the
 *      partition's producer state: a retry of one of its last appends is
 *      a duplicate, answered with the original offsets, nothing written;
 *   3. plog_append; when that rolled the segment, the producer state is
 *      snapshotted as of the new base (recovery reads less);
 *   4. the producer state and the broker's stats (topics only) note it;
 *   5. the flusher is asked to fsync it (group commit);
 *   6. a waiter the caller passed is queued (for a duplicate, only if
 *      the original is not durable yet) and its done() fires from the
 *      flusher's callback (partition_flushed): with 0 once the high
 *      watermark reaches the log end of this append; with the fsync's
 *      error (KAFKA_STORAGE_ERROR) if that failed; with
 *      UNKNOWN_TOPIC_OR_PARTITION if the partition is deleted first.
 *      done() never fires inside partition_append.
 * Returns 0 or a Kafka error code; on an error nothing was written, no
 * waiter is queued and out->error may hold words for the client. The
 * records must be validated batches laid end to end (plog_append) and
 * are modified in place (offsets stamped).
 * @locality: loop thread. */
#ifndef SLUICE_PARTITION_H
#define SLUICE_PARTITION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "log/plog.h"

struct broker;
struct pstate;
struct topic;

/* A caller waiting for the high watermark to reach end. */
struct ack_waiter {
    struct ack_waiter *next;
    struct partition *partition;   /* set while queued */
    int64_t end;
    void (*done)(struct ack_waiter *w, int16_t error);
    void *owner;
};

/* A parked Fetch registered on one partition. */
struct fetch_link {
    struct fetch_link *prev, *next;
    struct partition *partition;
    void *owner;
};

struct partition {
    struct topic *topic;                       /* NULL: the offsets log, not client traffic */
    int32_t index;
    struct plog *log;
    struct ack_waiter *ack_head, *ack_tail;    /* ascending end */
    struct fetch_link *fetch_waiters;
    int flushes_in_flight;                     /* flusher entries holding this */
    size_t flush_slot;                         /* position in the flusher's queue */
    uint64_t flush_slot_gen;
    bool deleted;                              /* freed when no flush holds it */
    int16_t storage_error;                     /* last fsync failure, sticky until ok */
    struct pstate *producers;                  /* idempotent producers (producers.h) */
};

/* ---- life ---- */
/* Opens (recovering) the log of partition index of t and its producer state. */
struct partition *partition_open(struct broker *b, struct topic *t, int32_t index, char *err, size_t errlen);
/* Clean shutdown: snapshots producer state, checkpoints the log, frees. */
void partition_close(struct broker *b, struct partition *p);
/* Deletes the log: waiting acks fail, parked fetches wake; freed once no
 * flush holds it. */
void partition_delete(struct broker *b, struct partition *p);

/* ---- append ---- */
/* The idempotence fields of the records appended (all their batches). */
struct append_producer {
    int64_t id;
    int16_t epoch;
    int32_t first_seq, last_seq;
};

struct partition_appended {
    int64_t base_offset;        /* the first offset (the original's, for a duplicate) */
    int64_t log_append_time;    /* -1 unless the topic uses LogAppendTime */
    bool duplicate;             /* a producer's retry: nothing was written */
    bool waiting;               /* the waiter was queued (always, unless a duplicate) */
    char error[160];            /* set on some errors; empty otherwise */
};

/* See the top of this file. producer NULL: not idempotent; w NULL: no
 * wait (w->done and w->owner are the caller's to set). */
int partition_append(struct broker *b, struct partition *p, uint8_t *records, size_t len, int32_t batch_count,
                     const struct append_producer *producer, struct ack_waiter *w, struct partition_appended *out);
/* Takes a queued waiter back (its owner is going away); done() will not fire. */
void partition_remove_ack_waiter(struct partition *p, struct ack_waiter *w);

/* The flusher's callback: the log is durable up to end, or the fsync failed. */
void partition_flushed(struct broker *b, struct partition *p, int64_t end, int error);

/* ---- parked fetches ---- */
void partition_add_fetch_waiter(struct partition *p, struct fetch_link *l);
void partition_remove_fetch_waiter(struct fetch_link *l);
#endif
