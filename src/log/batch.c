/* Record batch header parsing, validation and stamping. */
#include "log/batch.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "log/batch_internal.h"
#include "log/kerr.h"
#include "core/byteorder.h"

#define BATCH_MAGIC_V2 2
#define BATCH_CRC_START BATCH_OFF_ATTRIBUTES

int batch_parse_header(const uint8_t *p, size_t len, struct batch_info *out)
{
    if (len < BATCH_HEADER_SIZE)
        return -1;
    struct batch_info b;
    b.base_offset = (int64_t)be64(p + BATCH_OFF_BASE_OFFSET);
    b.batch_length = (int32_t)be32(p + BATCH_OFF_LENGTH);
    b.leader_epoch = (int32_t)be32(p + BATCH_OFF_LEADER_EPOCH);
    b.magic = (int8_t)p[BATCH_OFF_MAGIC];
    b.crc = be32(p + BATCH_OFF_CRC);
    b.attributes = (int16_t)be16(p + BATCH_OFF_ATTRIBUTES);
    b.last_offset_delta = (int32_t)be32(p + BATCH_OFF_LAST_OFFSET_DELTA);
    b.base_timestamp = (int64_t)be64(p + BATCH_OFF_BASE_TIMESTAMP);
    b.max_timestamp = (int64_t)be64(p + BATCH_OFF_MAX_TIMESTAMP);
    b.producer_id = (int64_t)be64(p + BATCH_OFF_PRODUCER_ID);
    b.producer_epoch = (int16_t)be16(p + BATCH_OFF_PRODUCER_EPOCH);
    b.base_sequence = (int32_t)be32(p + BATCH_OFF_BASE_SEQUENCE);
    b.records_count = (int32_t)be32(p + BATCH_OFF_RECORDS_COUNT);
    b.records_max_timestamp = b.max_timestamp;
    if (b.batch_length < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || b.magic != BATCH_MAGIC_V2)
        return -1;
    *out = b;
    return 0;
}

struct batch_validator *batch_validator_new(void)
{
    struct batch_validator *v = xcalloc(1, sizeof(*v));
    v->max_record = BATCH_MAX_RECORD_DEFAULT;
    v->max_decoded = BATCH_MAX_DECODED_DEFAULT;
    return v;
}

void batch_validator_free(struct batch_validator *v)
{
    if (!v)
        return;
    decomp_free(&v->d);
    free(v->win);
    free(v);
}

void batch_validator_set_limits(struct batch_validator *v, size_t max_record, uint64_t max_decoded)
{
    v->max_record = max_record ? max_record : BATCH_MAX_RECORD_DEFAULT;
    v->max_decoded = max_decoded ? max_decoded : BATCH_MAX_DECODED_DEFAULT;
}

static int fail(char *errmsg, size_t errlen, int code, const char *why)
{
    if (errmsg && errlen)
        snprintf(errmsg, errlen, "%s", why);
    return code;
}

static int note_max_timestamp(void *arg, const struct record_view *rec)
{
    int64_t *max = arg;
    if (rec->timestamp > *max)
        *max = rec->timestamp;
    return 0;
}

int batch_validate(struct batch_validator *v, const uint8_t *p, size_t len, bool deep,
                   struct batch_info *out, char *errmsg, size_t errlen)
{
    struct batch_info b;
    if (len < BATCH_HEADER_SIZE)
        return fail(errmsg, errlen, KERR_CORRUPT_MESSAGE, "batch is shorter than its header");
    if (p[BATCH_OFF_MAGIC] != BATCH_MAGIC_V2)
        return fail(errmsg, errlen, KERR_CORRUPT_MESSAGE, "batch magic is not 2");
    if (batch_parse_header(p, len, &b) != 0 || batch_total_size(&b) != len)
        return fail(errmsg, errlen, KERR_CORRUPT_MESSAGE, "batch length does not match its size");
    if (out)
        *out = b;
    if (crc32c(0, p + BATCH_CRC_START, len - BATCH_CRC_START) != b.crc)
        return fail(errmsg, errlen, KERR_CORRUPT_MESSAGE, "batch CRC mismatch");
    int codec = b.attributes & BATCH_ATTR_COMPRESSION_MASK;
    if (codec > CODEC_ZSTD)
        return fail(errmsg, errlen, KERR_UNSUPPORTED_COMPRESSION_TYPE, "unknown compression codec");
    if (b.records_count <= 0)
        return fail(errmsg, errlen, KERR_INVALID_RECORD, "batch has no records");
    if (b.last_offset_delta != b.records_count - 1)
        return fail(errmsg, errlen, KERR_INVALID_RECORD, "lastOffsetDelta does not match recordsCount");
    /* Uncompressed records are already in memory: always check them. A
     * wrong maxTimestamp is only found by reading the records. */
    bool wrong_max = b.max_timestamp < b.base_timestamp && !(b.attributes & BATCH_ATTR_LOG_APPEND_TIME);
    if (codec != CODEC_NONE && !deep && !wrong_max)
        return 0;
    const char *why = NULL;
    int64_t max_ts = INT64_MIN;
    int rc = batch_walk_records(v, &b, p, len, note_max_timestamp, &max_ts, &why);
    if (rc)
        return fail(errmsg, errlen, rc, why ? why : "invalid records");
    if (out && !(b.attributes & BATCH_ATTR_LOG_APPEND_TIME))
        out->records_max_timestamp = max_ts;
    return 0;
}

static void update_crc(uint8_t *p)
{
    size_t len = (size_t)(int32_t)be32(p + BATCH_OFF_LENGTH) + BATCH_LOG_OVERHEAD;
    put_be32(p + BATCH_OFF_CRC, crc32c(0, p + BATCH_CRC_START, len - BATCH_CRC_START));
}

void batch_set_max_timestamp(uint8_t *p, int64_t max_timestamp)
{
    put_be64(p + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)max_timestamp);
    update_crc(p);
}

void batch_stamp(uint8_t *p, int64_t base_offset, int32_t leader_epoch, bool log_append_time, int64_t now_ms)
{
    put_be64(p + BATCH_OFF_BASE_OFFSET, (uint64_t)base_offset);
    put_be32(p + BATCH_OFF_LEADER_EPOCH, (uint32_t)leader_epoch);
    if (!log_append_time)
        return;
    uint16_t attrs = be16(p + BATCH_OFF_ATTRIBUTES) | BATCH_ATTR_LOG_APPEND_TIME;
    put_be16(p + BATCH_OFF_ATTRIBUTES, attrs);
    put_be64(p + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)now_ms);
    update_crc(p);
}

int batch_for_each_record(struct batch_validator *v, const uint8_t *p, size_t len, record_cb cb, void *arg)
{
    struct batch_info b;
    if (batch_parse_header(p, len, &b) != 0 || batch_total_size(&b) != len)
        return KERR_CORRUPT_MESSAGE;
    if ((b.attributes & BATCH_ATTR_COMPRESSION_MASK) > CODEC_ZSTD)
        return KERR_UNSUPPORTED_COMPRESSION_TYPE;
    if (b.records_count < 0)
        return KERR_INVALID_RECORD;
    const char *why = NULL;
    return batch_walk_records(v, &b, p, len, cb, arg, &why);
}
