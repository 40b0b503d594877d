/* Idempotent producers: per partition, each producer id's epoch and the
 * sequence ranges of its last five appends (no per-record state).
 *
 * Rules (Kafka's, except that a producer this partition does not know
 * must start at sequence 0):
 *  - same epoch, same (first, last) sequence as one of the last five
 *    appends: a duplicate, answered with the original offsets;
 *  - an epoch lower than the known one: INVALID_PRODUCER_EPOCH;
 *  - a newer epoch, or an unknown producer: the sequence must be 0;
 *  - otherwise first sequence must be last sequence + 1 (wrapping from
 *    INT32_MAX to 0): else OUT_OF_ORDER_SEQUENCE_NUMBER.
 * State is kept in a hash by producer id and expires after a time of
 * inactivity. A snapshot file (written at clean shutdown) records the
 * state and the log end it covers; the rest is rebuilt from batch headers.
 * @locality: the loop thread that owns the partition. */
#ifndef SLUICE_PRODUCER_STATE_H
#define SLUICE_PRODUCER_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PSTATE_WINDOW 5
#define PSTATE_DUPLICATE (-1)   /* pstate_check: a retry of an append in the window */

struct pbatch {
    int32_t first_seq, last_seq;
    int64_t first_off, last_off;
};

struct pentry {
    struct pentry *next;        /* hash chain */
    int64_t pid;
    int16_t epoch;
    uint8_t n;                  /* appends in the window */
    uint8_t head;               /* index of the newest */
    int64_t last_ms;            /* last activity */
    struct pbatch b[PSTATE_WINDOW];
};

struct pstate {
    struct pentry **buckets;
    size_t nbuckets, count;
};

struct pstate *pstate_new(void);
void pstate_free(struct pstate *ps);

/* The last sequence of a batch of (last_offset_delta + 1) records. */
int32_t pstate_last_seq(int32_t base_seq, int32_t last_offset_delta);

struct pentry *pstate_find(struct pstate *ps, int64_t pid);
/* Finds or creates (epoch -1, empty window). */
struct pentry *pstate_upsert(struct pstate *ps, int64_t pid);
void pstate_remove(struct pstate *ps, int64_t pid);

/* Checks an append of sequences [first_seq, last_seq] by (pid, epoch).
 * Returns 0 (append it), PSTATE_DUPLICATE with *dup set, or a Kafka error
 * code. An entry idle for more than expire_ms (> 0) is dropped first. */
int pstate_check(struct pstate *ps, int64_t pid, int16_t epoch, int32_t first_seq, int32_t last_seq,
                 int64_t now_ms, int64_t expire_ms, struct pbatch *dup);
/* Words a rejection rc of pstate_check for the client, from the state
 * the check saw (call it before anything changes). */
void pstate_explain(struct pstate *ps, int rc, int64_t pid, int16_t epoch, int32_t first_seq, char *buf, size_t n);
/* Records an append (after the check, or while rebuilding from the log:
 * no checks then). A different epoch resets the window. Returns true if
 * the epoch changed (or the producer is new here). */
bool pstate_record(struct pstate *ps, int64_t pid, int16_t epoch, int32_t first_seq, int32_t last_seq,
                   int64_t first_off, int64_t last_off, int64_t now_ms);
/* Drops entries idle for more than expire_ms; returns how many. */
size_t pstate_expire(struct pstate *ps, int64_t now_ms, int64_t expire_ms);
void pstate_for_each(struct pstate *ps, void (*fn)(const struct pentry *e, void *arg), void *arg);

/* Snapshot file: written atomically (fileio_write_atomic); covers the
 * log up to log_end. Load returns 0, or -1 if missing or bad (ps may
 * then hold part of it: clear it with a new one). */
int pstate_save(const struct pstate *ps, const char *path, int64_t log_end);
int pstate_load(struct pstate *ps, const char *path, int64_t *log_end);
#endif
