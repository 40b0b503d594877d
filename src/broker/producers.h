/* Idempotent producers, broker side: producer id allocation, the latest
 * epoch of each live producer id, and the per-partition state's life
 * (rebuild at open, snapshot at clean close, expiry).
 *
 *   <log.dirs>/producer-ids            high-water mark of allocated ids:
 *                                      ids are handed out in blocks of
 *                                      PRODUCER_ID_BLOCK, each block
 *                                      persisted (atomically) before use,
 *                                      so an id is never given twice
 *   <log.dirs>/<topic>-<p>/producer-state  snapshot (producer_state.h)
 * @locality: loop thread. */
#ifndef SLUICE_PRODUCERS_H
#define SLUICE_PRODUCERS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRODUCER_ID_BLOCK 1000

struct broker;
struct partition;
struct pstate;

struct producer_ids {
    int64_t next;          /* next id to hand out */
    int64_t block_end;     /* persisted high-water mark: ids below it may be in use */
    struct pstate *epochs; /* pid -> latest epoch (windows unused) */
};

int producers_load(struct broker *b, char *err, size_t errlen);
void producers_free(struct broker *b);
/* InitProducerId without a transactional id. With pid >= 0 (v3+, KIP-360):
 * bumps that producer's epoch. Returns a Kafka error code. */
int producers_init(struct broker *b, int64_t pid, int16_t epoch, int64_t *out_pid, int16_t *out_epoch);
/* A produce accepted a new epoch for pid. */
void producers_note_epoch(struct broker *b, int64_t pid, int16_t epoch);
/* Drops expired producers everywhere (housekeeping). */
void producers_expire(struct broker *b, int64_t now_ms);

/* Partition state: rebuilt when the partition opens (snapshot, then the
 * batch headers after it), saved when it closes cleanly. */
void partition_producers_open(struct broker *b, struct partition *p);
void partition_producers_close(struct broker *b, struct partition *p, bool clean);
/* Writes the snapshot as of log end `upto` (the state must cover exactly
 * the log below it): at clean close, and when an append rolled the
 * segment, so that recovery after a crash reads at most the headers
 * written since the last roll. */
void partition_producers_snapshot(struct partition *p, int64_t upto);
#endif
