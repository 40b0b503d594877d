/* Test helper: encodes records into magic-2 batches, compressed with any
 * codec through the codec libraries directly (not through src/log). */
#ifndef TEST_BATCH_BUILDER_H
#define TEST_BATCH_BUILDER_H
#include <lz4frame.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include "log/batch.h"
#include "protocol/wire.h"

struct bb {
    uint8_t *p;
    size_t len, cap;
};

static inline void bb_put(struct bb *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static inline void bb_byte(struct bb *b, uint8_t v) { bb_put(b, &v, 1); }

static inline void bb_varint(struct bb *b, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    while (z >= 0x80) {
        bb_byte(b, (uint8_t)(z | 0x80));
        z >>= 7;
    }
    bb_byte(b, (uint8_t)z);
}

static inline void bb_bytes(struct bb *b, const void *p, int32_t len)
{
    bb_varint(b, len);
    if (len > 0)
        bb_put(b, p, (size_t)len);
}

/* One record; klen/vlen -1 = null. Headers: nh pairs, hval NULL = null value. */
static inline void bb_record(struct bb *out, int32_t offset_delta, int64_t ts_delta, const void *key,
                             int32_t klen, const void *val, int32_t vlen, int nh, const char *const *hkey,
                             const char *const *hval)
{
    struct bb body = {0};
    bb_byte(&body, 0);
    bb_varint(&body, ts_delta);
    bb_varint(&body, offset_delta);
    bb_bytes(&body, key, klen);
    bb_bytes(&body, val, vlen);
    bb_varint(&body, nh);
    for (int i = 0; i < nh; i++) {
        bb_bytes(&body, hkey[i], (int32_t)strlen(hkey[i]));
        bb_bytes(&body, hval[i], hval[i] ? (int32_t)strlen(hval[i]) : -1);
    }
    bb_varint(out, (int64_t)body.len);
    bb_put(out, body.p, body.len);
    free(body.p);
}

/* Compresses with codec; xerial_chunk > 0 gives Java's snappy framing. */
static inline uint8_t *bb_compress(int codec, const uint8_t *p, size_t n, size_t xerial_chunk,
                                   size_t *out_len)
{
    struct bb out = {0};
    switch (codec) {
    case CODEC_NONE:
        bb_put(&out, p, n);
        break;
    case CODEC_GZIP: {
        z_stream z;
        memset(&z, 0, sizeof(z));
        deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        uLong bound = deflateBound(&z, n) + 32;
        out.p = malloc(bound);
        z.next_in = (Bytef *)(uintptr_t)p;
        z.avail_in = (uInt)n;
        z.next_out = out.p;
        z.avail_out = (uInt)bound;
        deflate(&z, Z_FINISH);
        out.len = z.total_out;
        deflateEnd(&z);
        break;
    }
    case CODEC_SNAPPY:
        if (xerial_chunk) {
            static const uint8_t magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
            uint8_t ver[8] = {0, 0, 0, 1, 0, 0, 0, 1};
            bb_put(&out, magic, 8);
            bb_put(&out, ver, 8);
            for (size_t off = 0; off < n; off += xerial_chunk) {
                size_t c = n - off < xerial_chunk ? n - off : xerial_chunk;
                size_t clen = snappy_max_compressed_length(c);
                char *tmp = malloc(clen);
                snappy_compress((const char *)p + off, c, tmp, &clen);
                uint8_t l4[4];
                put_be32(l4, (uint32_t)clen);
                bb_put(&out, l4, 4);
                bb_put(&out, tmp, clen);
                free(tmp);
            }
        } else {
            size_t clen = snappy_max_compressed_length(n);
            out.p = malloc(clen);
            snappy_compress((const char *)p, n, (char *)out.p, &clen);
            out.len = clen;
        }
        break;
    case CODEC_LZ4: {
        LZ4F_preferences_t prefs;
        memset(&prefs, 0, sizeof(prefs));
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        size_t bound = LZ4F_compressFrameBound(n, &prefs);
        out.p = malloc(bound);
        out.len = LZ4F_compressFrame(out.p, bound, p, n, &prefs);
        break;
    }
    case CODEC_ZSTD: {
        ZSTD_CCtx *c = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
        size_t bound = ZSTD_compressBound(n);
        out.p = malloc(bound);
        out.len = ZSTD_compress2(c, out.p, bound, p, n);
        ZSTD_freeCCtx(c);
        break;
    }
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
    size_t total = BATCH_HEADER_SIZE + rlen;
    uint8_t *b = calloc(1, total);
    put_be64(b + BATCH_OFF_BASE_OFFSET, 0);
    put_be32(b + BATCH_OFF_LENGTH, (uint32_t)(total - BATCH_LOG_OVERHEAD));
    put_be32(b + BATCH_OFF_LEADER_EPOCH, (uint32_t)-1);
    b[BATCH_OFF_MAGIC] = 2;
    put_be16(b + BATCH_OFF_ATTRIBUTES, (uint16_t)attributes);
    put_be32(b + BATCH_OFF_LAST_OFFSET_DELTA, (uint32_t)last_offset_delta);
    put_be64(b + BATCH_OFF_BASE_TIMESTAMP, (uint64_t)base_ts);
    put_be64(b + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)max_ts);
    put_be64(b + BATCH_OFF_PRODUCER_ID, (uint64_t)-1);
    put_be16(b + BATCH_OFF_PRODUCER_EPOCH, (uint16_t)-1);
    put_be32(b + BATCH_OFF_BASE_SEQUENCE, (uint32_t)-1);
    put_be32(b + BATCH_OFF_RECORDS_COUNT, (uint32_t)count);
    if (rlen)
        memcpy(b + BATCH_HEADER_SIZE, rec, rlen);
    bb_fix_crc(b, total);
    *len = total;
    return b;
}

/* count records: key "key-<i>", value "value-<i>" padded with 'x' to
 * value_size (if larger), timestamp base_ts + i * ts_step. */
static inline uint8_t *bb_batch(int codec, int count, size_t value_size, int64_t base_ts, int64_t ts_step,
                                size_t *len)
{
    struct bb rec = {0};
    char key[32];
    size_t vcap = value_size > 32 ? value_size : 32;
    char *val = malloc(vcap);
    for (int i = 0; i < count; i++) {
        int klen = snprintf(key, sizeof(key), "key-%d", i);
        int vlen = snprintf(val, vcap, "value-%d", i);
        if (value_size > (size_t)vlen) {
            memset(val + vlen, 'x', value_size - (size_t)vlen);
            vlen = (int)value_size;
        }
        bb_record(&rec, i, (int64_t)i * ts_step, key, klen, val, vlen, 0, NULL, NULL);
    }
    free(val);
    size_t clen;
    uint8_t *c = bb_compress(codec, rec.p, rec.len, 0, &clen);
    free(rec.p);
    int64_t max_ts = base_ts + (int64_t)(count > 0 ? count - 1 : 0) * ts_step;
    if (ts_step < 0)
        max_ts = base_ts;
    uint8_t *b = bb_frame((int16_t)codec, c, clen, count, count - 1, base_ts, max_ts, len);
    free(c);
    return b;
}
#endif
