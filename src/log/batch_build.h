/* Building record batches (magic 2), the one way the broker writes
 * batches of its own (the offsets log, the HTTP test message, next
 * transaction markers and the compactor) and the unit tests build them.
 * Client batches are appended as received and never rebuilt.
 *
 * A built batch has base offset 0 and leader epoch -1: plog_append
 * stamps both. Offset deltas are the records' indexes; timestamps are
 * CreateTime, the first record's is the base and the largest the max. */
#ifndef SLUICE_BATCH_BUILD_H
#define SLUICE_BATCH_BUILD_H
#include <stddef.h>
#include <stdint.h>
#include "core/bytebuf.h"
#include "log/batch.h"

/* One record to write; a length of -1 is null (key, value, header value). */
struct batch_record {
    int64_t timestamp;                          /* ms */
    const uint8_t *key; int32_t key_len;
    const uint8_t *value; int32_t value_len;
    int32_t header_count;
    const struct record_header_view *headers;
};

/* The batch-wide fields. NULL in the calls below means BATCH_SPEC_PLAIN. */
struct batch_spec {
    enum compression_codec codec;
    int16_t attributes;          /* BATCH_ATTR_TRANSACTIONAL / _CONTROL; codec bits come from codec */
    int64_t producer_id;         /* -1: not idempotent */
    int16_t producer_epoch;
    int32_t base_sequence;
};
#define BATCH_SPEC_PLAIN \
    ((struct batch_spec){.codec = CODEC_NONE, .producer_id = -1, .producer_epoch = -1, .base_sequence = -1})

/* Appends one batch of count (>= 1) records to out. Returns 0, or -1
 * (nothing appended) if count is out of range or compression failed. */
int batch_build(struct bytebuf *out, const struct batch_spec *spec, const struct batch_record *recs, int32_t count);

/* The steps of batch_build, for tests that build odd batches on purpose
 * (deltas out of order, broken records, foreign compression framing). */
/* Appends one record (length prefix and body). */
void batch_encode_record(struct bytebuf *out, int32_t offset_delta, int64_t timestamp_delta,
                         const struct batch_record *r);
/* Appends a header around an already encoded (and compressed) records
 * block, with the CRC over both. */
void batch_frame(struct bytebuf *out, const struct batch_spec *spec, const uint8_t *records, size_t len,
                 int32_t count, int32_t last_offset_delta, int64_t base_timestamp, int64_t max_timestamp);
/* Appends p compressed with codec in the framing clients use (gzip
 * member, raw snappy block, lz4 frame, zstd frame). Returns 0 or -1. */
int batch_compress(enum compression_codec codec, const uint8_t *p, size_t n, struct bytebuf *out);
#endif
