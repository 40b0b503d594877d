/* Test helper: shorthands over log/batch_build.h for the tests, plus what
 * only tests write: Java's xerial snappy framing and CRC repairs after a
 * deliberate corruption. */
#ifndef TEST_BATCH_BUILDER_H
#define TEST_BATCH_BUILDER_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/bytebuf.h"
#include "log/batch.h"
#include "log/batch_build.h"
#include "protocol/wire.h"

/* One record; klen/vlen -1 = null. Headers: nh pairs, hval NULL = null value. */
static inline void bb_record(struct bytebuf *out, int32_t offset_delta, int64_t ts_delta, const void *key,
                             int32_t klen, const void *val, int32_t vlen, int nh, const char *const *hkey,
                             const char *const *hval)
{
    struct record_header_view *h = calloc((size_t)nh + 1, sizeof(*h));
    for (int i = 0; i < nh; i++)
        h[i] = (struct record_header_view){(const uint8_t *)hkey[i], (int32_t)strlen(hkey[i]),
                                           (const uint8_t *)hval[i], hval[i] ? (int32_t)strlen(hval[i]) : -1};
    struct batch_record r = {.key = key, .key_len = klen, .value = val, .value_len = vlen, .header_count = nh,
                             .headers = h};
    batch_encode_record(out, offset_delta, ts_delta, &r);
    free(h);
}

/* Compresses with codec; xerial_chunk > 0 gives Java's snappy framing. */
static inline uint8_t *bb_compress(int codec, const uint8_t *p, size_t n, size_t xerial_chunk, size_t *out_len)
{
    struct bytebuf out = {0};
    if (codec == CODEC_SNAPPY && xerial_chunk) {
        static const uint8_t magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
        static const uint8_t ver[8] = {0, 0, 0, 1, 0, 0, 0, 1};
        bytebuf_put(&out, magic, 8);
        bytebuf_put(&out, ver, 8);
        for (size_t off = 0; off < n; off += xerial_chunk) {
            size_t at = out.len;
            bytebuf_be(&out, 0, 4);   /* the chunk's length, below */
            if (batch_compress(CODEC_SNAPPY, p + off, n - off < xerial_chunk ? n - off : xerial_chunk, &out))
                abort();
            put_be32(out.p + at, (uint32_t)(out.len - at - 4));
        }
    } else if (batch_compress((enum compression_codec)codec, p, n, &out)) {
        abort();
    }
    *out_len = out.len;
    return out.p;
}

static inline void bb_fix_crc(uint8_t *b, size_t len)
{
    put_be32(b + BATCH_OFF_CRC, crc32c(0, b + BATCH_OFF_ATTRIBUTES, len - BATCH_OFF_ATTRIBUTES));
}

/* Wraps an already encoded (and compressed) records block in a header. */
static inline uint8_t *bb_frame(int16_t attributes, const uint8_t *rec, size_t rlen, int32_t count,
                                int32_t last_offset_delta, int64_t base_ts, int64_t max_ts, size_t *len)
{
    struct batch_spec spec = BATCH_SPEC_PLAIN;
    spec.attributes = attributes;   /* codec bits included */
    struct bytebuf out = {0};
    batch_frame(&out, &spec, rec, rlen, count, last_offset_delta, base_ts, max_ts);
    *len = out.len;
    return out.p;
}

/* count records: key "key-<i>", value "value-<i>" padded with 'x' to
 * value_size (if larger), timestamp base_ts + i * ts_step. */
static inline uint8_t *bb_batch(int codec, int count, size_t value_size, int64_t base_ts, int64_t ts_step,
                                size_t *len)
{
    size_t vcap = value_size > 32 ? value_size : 32;
    char *keys = malloc((size_t)count * 32), *vals = malloc((size_t)count * vcap);
    struct batch_record *recs = calloc((size_t)count, sizeof(*recs));
    for (int i = 0; i < count; i++) {
        char *key = keys + (size_t)i * 32, *val = vals + (size_t)i * vcap;
        int klen = snprintf(key, 32, "key-%d", i);
        int vlen = snprintf(val, vcap, "value-%d", i);
        if (value_size > (size_t)vlen) {
            memset(val + vlen, 'x', value_size - (size_t)vlen);
            vlen = (int)value_size;
        }
        recs[i] = (struct batch_record){.timestamp = base_ts + (int64_t)i * ts_step,
                                        .key = (const uint8_t *)key, .key_len = klen,
                                        .value = (const uint8_t *)val, .value_len = vlen};
    }
    struct batch_spec spec = BATCH_SPEC_PLAIN;
    spec.codec = (enum compression_codec)codec;
    struct bytebuf out = {0};
    if (batch_build(&out, &spec, recs, count) != 0)
        abort();
    free(recs);
    free(keys);
    free(vals);
    *len = out.len;
    return out.p;
}
#endif
