/* Record batches (magic 2): header parsing and validation.
 *
 * Layout (offsets from the batch start):
 *   0 baseOffset i64 | 8 batchLength i32 | 12 partitionLeaderEpoch i32 |
 *  16 magic i8 | 17 crc u32 | 21 attributes i16 | 23 lastOffsetDelta i32 |
 *  27 baseTimestamp i64 | 35 maxTimestamp i64 | 43 producerId i64 |
 *  51 producerEpoch i16 | 53 baseSequence i32 | 57 recordsCount i32 | 61 records
 * CRC-32C covers bytes 21..end. */
#ifndef SLUICE_BATCH_H
#define SLUICE_BATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BATCH_HEADER_SIZE 61
#define BATCH_LOG_OVERHEAD 12            /* baseOffset + batchLength */
#define BATCH_OFF_BASE_OFFSET 0
#define BATCH_OFF_LENGTH 8
#define BATCH_OFF_LEADER_EPOCH 12
#define BATCH_OFF_MAGIC 16
#define BATCH_OFF_CRC 17
#define BATCH_OFF_ATTRIBUTES 21
#define BATCH_OFF_LAST_OFFSET_DELTA 23
#define BATCH_OFF_BASE_TIMESTAMP 27
#define BATCH_OFF_MAX_TIMESTAMP 35
#define BATCH_OFF_PRODUCER_ID 43
#define BATCH_OFF_PRODUCER_EPOCH 51
#define BATCH_OFF_BASE_SEQUENCE 53
#define BATCH_OFF_RECORDS_COUNT 57

#define BATCH_ATTR_COMPRESSION_MASK 0x07
#define BATCH_ATTR_LOG_APPEND_TIME 0x08
#define BATCH_ATTR_TRANSACTIONAL 0x10
#define BATCH_ATTR_CONTROL 0x20

enum compression_codec {
    CODEC_NONE = 0, CODEC_GZIP = 1, CODEC_SNAPPY = 2, CODEC_LZ4 = 3, CODEC_ZSTD = 4
};

struct batch_info {
    int64_t base_offset;
    int32_t batch_length;        /* bytes after the length field */
    int32_t leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t records_count;
    /* The largest record timestamp, when batch_validate walked the
     * records (CreateTime); otherwise max_timestamp as read. */
    int64_t records_max_timestamp;
};

/* Total on-disk size of the batch: batch_length + 12. */
static inline size_t batch_total_size(const struct batch_info *b)
{
    return (size_t)b->batch_length + BATCH_LOG_OVERHEAD;
}

/* Parses the 61-byte header; no CRC check. Returns 0, or -1 if len is
 * too short, the length field is impossible, or magic != 2. */
int batch_parse_header(const uint8_t *p, size_t len, struct batch_info *out);

/* Validation scratch: reused buffers for decompression, so validating a
 * compressed batch allocates nothing once warmed up. One per thread. */
struct batch_validator;
struct batch_validator *batch_validator_new(void);
void batch_validator_free(struct batch_validator *v);
/* Decoding limits for compressed batches (0 = default): one record may
 * decode to at most max_record bytes (64 MiB), a whole batch to at most
 * max_decoded bytes (1 GiB); beyond either, CORRUPT_MESSAGE. */
void batch_validator_set_limits(struct batch_validator *v, size_t max_record, uint64_t max_decoded);

/* Validates one complete batch of exactly len bytes: size, magic 2, CRC-32C,
 * record count and offset deltas, each record's framing. With deep set,
 * compressed records are decompressed (streaming) and checked too; a
 * compressed batch whose maxTimestamp is below its base timestamp (so
 * wrong) is walked either way, for out->records_max_timestamp.
 * Returns 0 or a Kafka error code (CORRUPT_MESSAGE, INVALID_RECORD,
 * UNSUPPORTED_COMPRESSION_TYPE); errmsg (if not NULL) gets a short reason. */
int batch_validate(struct batch_validator *v, const uint8_t *p, size_t len, bool deep,
                   struct batch_info *out, char *errmsg, size_t errlen);

/* Writes a CreateTime batch's maxTimestamp and its new CRC, as Kafka
 * does on append when the header's value is not the records' (sarama
 * 1.22 sends -1). */
void batch_set_max_timestamp(uint8_t *p, int64_t max_timestamp);

/* Rewrites a batch in place for appending: base offset, leader epoch and,
 * for LogAppendTime, the timestamp type, maxTimestamp and the CRC. */
void batch_stamp(uint8_t *p, int64_t base_offset, int32_t leader_epoch,
                 bool log_append_time, int64_t now_ms);

/* One decoded record, as views into the (decompressed) batch. */
struct record_header_view {
    const uint8_t *key; int32_t key_len;       /* -1 = null */
    const uint8_t *value; int32_t value_len;   /* -1 = null */
};
struct record_view {
    int64_t offset;            /* base offset + delta */
    int64_t timestamp;         /* absolute (LogAppendTime applied) */
    const uint8_t *key; int32_t key_len;
    const uint8_t *value; int32_t value_len;
    int32_t header_count;
    const uint8_t *headers; size_t headers_len;   /* raw, walk with record_next_header */
};
/* Walks the records of a batch (decompressing if needed, into v's buffers).
 * cb returns non-zero to stop. Returns 0, or a Kafka error code. */
typedef int (*record_cb)(void *arg, const struct record_view *rec);
int batch_for_each_record(struct batch_validator *v, const uint8_t *p, size_t len,
                          record_cb cb, void *arg);
/* Iterates a record's headers: returns 1 and fills h while there are more. */
int record_next_header(const uint8_t **pos, const uint8_t *end, struct record_header_view *h);

/* CRC-32C (Castagnoli). */
uint32_t crc32c(uint32_t crc, const void *p, size_t n);
#endif
