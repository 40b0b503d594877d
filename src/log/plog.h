/* One partition's log on disk: a directory of segments.
 *
 *   <dir>/00000000000000000000.log        record batches, as received
 *   <dir>/00000000000000000000.index      sparse (relative offset u32, position u32)
 *   <dir>/00000000000000000000.timeindex  sparse (max timestamp i64, relative offset u32)
 *   <dir>/checkpoint                      log start offset, recovery point,
 *                                         leader epoch; written atomically
 *
 * Offsets: log start <= high watermark <= log end.
 *  - log end (LEO): the next offset to assign; batches below it are written.
 *  - high watermark: end of the last fsynced batch; readers never see past it.
 * The broker's flusher fsyncs the active file and then calls
 * plog_set_high_watermark(); plog itself never blocks on fsync except
 * at roll and close. A roll (in plog_append or plog_housekeep) and
 * plog_checkpoint fsync the whole log and so move the high watermark up
 * to the log end of what they synced by themselves.
 *
 * An idle partition holds at most one open file: the active segment.
 * Older segments are opened on demand for reads.
 * @locality: every function runs on the loop thread that owns the partition. */
#ifndef SLUICE_PLOG_H
#define SLUICE_PLOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "log/batch.h"

struct fileref;

struct log_config {
    int64_t segment_bytes;          /* segment.bytes */
    int64_t segment_ms;             /* segment.ms */
    int64_t retention_ms;           /* retention.ms, -1 = forever */
    int64_t retention_bytes;        /* retention.bytes, -1 = unlimited */
    int32_t index_interval_bytes;   /* index.interval.bytes */
    bool log_append_time;           /* message.timestamp.type=LogAppendTime */
};

struct plog;

/* Opens (creating if needed) and recovers the log in dir: scans from the
 * recovery point of a clean checkpoint, or the whole active segment, and
 * truncates a torn or corrupt tail at the last valid batch (logged).
 * Returns NULL with err filled on failure. */
struct plog *plog_open(const char *dir, const struct log_config *cfg, char *err, size_t errlen);
/* Clean close writes index files and a checkpoint so the next open
 * reads nothing. It fsyncs first. */
void plog_close(struct plog *l);
void plog_set_config(struct plog *l, const struct log_config *cfg);
/* Removes the directory and all files. l is freed. */
int plog_delete(struct plog *l);

int64_t plog_log_start(const struct plog *l);
int64_t plog_log_end(const struct plog *l);
int64_t plog_high_watermark(const struct plog *l);
void plog_set_high_watermark(struct plog *l, int64_t hw);
uint64_t plog_size_bytes(const struct plog *l);
int plog_segment_count(const struct plog *l);
int32_t plog_leader_epoch(const struct plog *l);
void plog_set_leader_epoch(struct plog *l, int32_t epoch);

/* Appends count batches laid end to end in buf (each already validated),
 * stamping offsets from the log end (and LogAppendTime if configured).
 * buf is modified in place. Rolls the segment first if needed, and says
 * so: a roll synced everything below the new base offset.
 * Returns 0 or a Kafka error code (KAFKA_STORAGE_ERROR on a write error;
 * the partial write is truncated away). */
struct plog_appended {
    int64_t base_offset;        /* the first offset assigned */
    int64_t log_append_time;    /* the time stamped, -1 if none */
    bool rolled;                /* a new segment was started for it */
};
int plog_append(struct plog *l, uint8_t *buf, size_t len, int32_t batch_count, struct plog_appended *out);

/* The active segment's file and its written size, for the flusher. */
struct fileref *plog_active_file(struct plog *l);

/* Read at most max_bytes starting at the batch that contains offset,
 * from one segment, ending at a batch boundary not past the high
 * watermark. The first batch is returned whole even if larger than
 * max_bytes (KIP-74). len 0 means nothing to read yet (offset == hw).
 * Returns 0 or OFFSET_OUT_OF_RANGE (offset < log start or > hw), or
 * KAFKA_STORAGE_ERROR / CORRUPT_MESSAGE if the segment cannot be read. */
struct log_read {
    struct fileref *file;   /* borrowed: take fileref_get() to keep */
    int64_t pos;
    int32_t len;
};
int plog_read(struct plog *l, int64_t offset, int32_t max_bytes, struct log_read *out);

/* Calls cb for every record from the log start up to the high watermark,
 * in order (records of a batch that starts below the log start too), and
 * counts them in *records. Returns 0, or -1 with err if a segment cannot
 * be read; a torn batch ends the replay, as recovery left the log. */
int plog_replay(struct plog *l, struct batch_validator *v, record_cb cb, void *arg, size_t *records, char *err,
                size_t errlen);

/* ListOffsets by timestamp: the first offset whose record timestamp is
 * >= ts, with that timestamp; -1 when none. */
int plog_offset_for_timestamp(struct plog *l, int64_t ts, int64_t *offset, int64_t *found_ts);
/* The offset and timestamp of the record with the largest timestamp (-1 if empty). */
int plog_max_timestamp(struct plog *l, int64_t *offset, int64_t *ts);

/* DeleteRecords: moves log start up to offset (<= hw; -1 means hw),
 * deleting whole segments below it; persisted in the checkpoint. */
int plog_delete_records(struct plog *l, int64_t offset);
/* Retention by time and size and segment roll by time; returns the
 * number of segments deleted. Never deletes the active segment's data
 * above the high watermark. */
int plog_housekeep(struct plog *l, int64_t now_ms);

/* Writes index files and checkpoint (used at clean shutdown). The log
 * stays usable: the next append marks the checkpoint not clean again. */
int plog_checkpoint(struct plog *l);

/* Bytes of log validated by recovery when this log was opened: 0 after a
 * clean close (for tests and startup metrics). */
uint64_t plog_recovered_bytes(const struct plog *l);
/* Batch headers from the batch holding offset `from` to the log end
 * (what is written, not only the high watermark), in order, reading
 * headers only (plog_batches.c; for rebuilding producer state). fn
 * returns non-zero to stop. Returns 0 or a Kafka error code. */
struct batch_info;
typedef int (*plog_batch_fn)(void *arg, const struct batch_info *bi);
int plog_for_each_batch(struct plog *l, int64_t from, plog_batch_fn fn, void *arg);
/* The log's directory (files of other modules may live there). */
const char *plog_dir(const struct plog *l);
#endif
