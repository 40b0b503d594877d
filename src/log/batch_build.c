/* batch_build: records are encoded straight into the output when the
 * batch is not compressed (no copy), into a scratch block otherwise. */
#include "log/batch_build.h"
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "core/byteorder.h"

static size_t bytes_size(int32_t len) { return varint_size(len) + (len > 0 ? (size_t)len : 0); }

static void put_bytes(struct bytebuf *out, const uint8_t *p, int32_t len)
{
    bytebuf_varint(out, len < 0 ? -1 : len);
    if (len > 0)
        bytebuf_put(out, p, (size_t)len);
}

void batch_encode_record(struct bytebuf *out, int32_t offset_delta, int64_t timestamp_delta,
                         const struct batch_record *r)
{
    size_t body = 1 + varint_size(timestamp_delta) + varint_size(offset_delta) + bytes_size(r->key_len) +
                  bytes_size(r->value_len) + varint_size(r->header_count);
    for (int32_t i = 0; i < r->header_count; i++)
        body += bytes_size(r->headers[i].key_len) + bytes_size(r->headers[i].value_len);
    bytebuf_reserve(out, varint_size((int64_t)body) + body);
    bytebuf_varint(out, (int64_t)body);
    bytebuf_u8(out, 0);   /* record attributes: unused */
    bytebuf_varint(out, timestamp_delta);
    bytebuf_varint(out, offset_delta);
    put_bytes(out, r->key, r->key_len);
    put_bytes(out, r->value, r->value_len);
    bytebuf_varint(out, r->header_count);
    for (int32_t i = 0; i < r->header_count; i++) {
        put_bytes(out, r->headers[i].key, r->headers[i].key_len);
        put_bytes(out, r->headers[i].value, r->headers[i].value_len);
    }
}

/* Writes the header in front of the records block that ends out. */
static void fill_header(struct bytebuf *out, size_t at, const struct batch_spec *s, int32_t count,
                        int32_t last_offset_delta, int64_t base_ts, int64_t max_ts)
{
    uint8_t *b = out->p + at;
    size_t total = out->len - at;
    put_be64(b + BATCH_OFF_BASE_OFFSET, 0);
    put_be32(b + BATCH_OFF_LENGTH, (uint32_t)(total - BATCH_LOG_OVERHEAD));
    put_be32(b + BATCH_OFF_LEADER_EPOCH, (uint32_t)-1);
    b[BATCH_OFF_MAGIC] = 2;
    put_be16(b + BATCH_OFF_ATTRIBUTES, (uint16_t)(s->attributes | (int16_t)s->codec));
    put_be32(b + BATCH_OFF_LAST_OFFSET_DELTA, (uint32_t)last_offset_delta);
    put_be64(b + BATCH_OFF_BASE_TIMESTAMP, (uint64_t)base_ts);
    put_be64(b + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)max_ts);
    put_be64(b + BATCH_OFF_PRODUCER_ID, (uint64_t)s->producer_id);
    put_be16(b + BATCH_OFF_PRODUCER_EPOCH, (uint16_t)s->producer_epoch);
    put_be32(b + BATCH_OFF_BASE_SEQUENCE, (uint32_t)s->base_sequence);
    put_be32(b + BATCH_OFF_RECORDS_COUNT, (uint32_t)count);
    put_be32(b + BATCH_OFF_CRC, crc32c(0, b + BATCH_OFF_ATTRIBUTES, total - BATCH_OFF_ATTRIBUTES));
}

static size_t reserve_header(struct bytebuf *out)
{
    size_t at = out->len;
    bytebuf_reserve(out, BATCH_HEADER_SIZE);
    out->len += BATCH_HEADER_SIZE;
    return at;
}

void batch_frame(struct bytebuf *out, const struct batch_spec *spec, const uint8_t *records, size_t len,
                 int32_t count, int32_t last_offset_delta, int64_t base_timestamp, int64_t max_timestamp)
{
    struct batch_spec s = spec ? *spec : BATCH_SPEC_PLAIN;
    size_t at = reserve_header(out);
    bytebuf_put(out, records, len);
    fill_header(out, at, &s, count, last_offset_delta, base_timestamp, max_timestamp);
}

int batch_build(struct bytebuf *out, const struct batch_spec *spec, const struct batch_record *recs, int32_t count)
{
    struct batch_spec s = spec ? *spec : BATCH_SPEC_PLAIN;
    if (count <= 0)
        return -1;
    int64_t base_ts = recs[0].timestamp, max_ts = base_ts;
    size_t at = reserve_header(out);
    struct bytebuf scratch = {0};
    struct bytebuf *block = s.codec == CODEC_NONE ? out : &scratch;
    for (int32_t i = 0; i < count; i++) {
        batch_encode_record(block, i, recs[i].timestamp - base_ts, &recs[i]);
        max_ts = MAX(max_ts, recs[i].timestamp);
    }
    if (block == &scratch) {
        int rc = batch_compress(s.codec, scratch.p, scratch.len, out);
        bytebuf_free(&scratch);
        if (rc) {
            out->len = at;
            return -1;
        }
    }
    fill_header(out, at, &s, count, count - 1, base_ts, max_ts);
    return 0;
}
