/* Record batch parsing, validation (every codec), stamping and CRC-32C. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <zstd.h>   /* a stream of several zstd frames, below */
#include "batch_builder.h"
#include "log/batch.h"
#include "log/kerr.h"

static const int all_codecs[] = {CODEC_NONE, CODEC_GZIP, CODEC_SNAPPY, CODEC_LZ4, CODEC_ZSTD};

static int validate(const uint8_t *b, size_t len, bool deep)
{
    struct batch_validator *v = batch_validator_new();
    char why[128] = "";
    int rc = batch_validate(v, b, len, deep, NULL, why, sizeof(why));
    batch_validator_free(v);
    return rc;
}

/* Bit at a time: slow and plainly the definition, to check the fast one. */
static uint32_t crc32c_reference(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return ~crc;
}

static void test_crc32c_vectors(void **state)
{
    (void)state;
    assert_int_equal(crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(crc32c(0, "", 0), 0);
    uint8_t zeros[32] = {0}, ones[32];
    memset(ones, 0xff, sizeof(ones));
    assert_int_equal(crc32c(0, zeros, 32), 0x8A9136AAu);   /* RFC 3720 B.4 */
    assert_int_equal(crc32c(0, ones, 32), 0x62A8AB43u);
    /* every alignment and many lengths, across the vector code's block
     * sizes: the reference and chained calls agree */
    static uint8_t buf[5000];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n + off <= sizeof(buf); n += (n < 300 ? 1 : 97)) {
            uint32_t a = crc32c_reference(0, buf + off, n);
            assert_int_equal(crc32c(0, buf + off, n), a);
            size_t third = n / 3;
            assert_int_equal(crc32c(crc32c(0, buf + off, third), buf + off + third, n - third), a);
        }
}

static void test_parse_header(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = bb_batch(CODEC_NONE, 3, 0, 1000, 10, &len);
    struct batch_info bi;
    assert_int_equal(batch_parse_header(b, len, &bi), 0);
    assert_int_equal(bi.records_count, 3);
    assert_int_equal(bi.last_offset_delta, 2);
    assert_int_equal(bi.base_timestamp, 1000);
    assert_int_equal(bi.max_timestamp, 1020);
    assert_int_equal(batch_total_size(&bi), len);
    assert_int_equal(batch_parse_header(b, 60, &bi), -1);
    b[BATCH_OFF_MAGIC] = 1;
    assert_int_equal(batch_parse_header(b, len, &bi), -1);
    b[BATCH_OFF_MAGIC] = 2;
    put_be32(b + BATCH_OFF_LENGTH, 10);
    assert_int_equal(batch_parse_header(b, len, &bi), -1);
    free(b);
}

struct collected {
    int n;
    int64_t offsets[64];
    int64_t timestamps[64];
    char values[64][16];
    int headers;
};

static int collect(void *arg, const struct record_view *r)
{
    struct collected *c = arg;
    if (c->n >= (int)ARRAY_LEN(c->offsets)) {   /* count the rest only */
        c->n++;
        return 0;
    }
    c->offsets[c->n] = r->offset;
    c->timestamps[c->n] = r->timestamp;
    snprintf(c->values[c->n], sizeof(c->values[0]), "%.*s", r->value_len < 0 ? 0 : MIN(r->value_len, 15),
             r->value ? (const char *)r->value : "");
    const uint8_t *p = r->headers;
    struct record_header_view h;
    while (record_next_header(&p, r->headers + r->headers_len, &h))
        c->headers++;
    c->n++;
    return 0;
}

static void test_every_codec_validates_deep(void **state)
{
    (void)state;
    struct batch_validator *v = batch_validator_new();
    for (size_t c = 0; c < ARRAY_LEN(all_codecs); c++) {
        size_t len;
        uint8_t *b = bb_batch(all_codecs[c], 50, 100, 5000, 3, &len);
        struct batch_info bi;
        char why[128] = "";
        int rc = batch_validate(v, b, len, true, &bi, why, sizeof(why));
        if (rc)
            fail_msg("codec %d: %d %s", all_codecs[c], rc, why);
        assert_int_equal(batch_validate(v, b, len, false, NULL, NULL, 0), 0);
        assert_int_equal(bi.records_count, 50);
        struct collected col = {0};
        assert_int_equal(batch_for_each_record(v, b, len, collect, &col), 0);
        assert_int_equal(col.n, 50);
        assert_int_equal(col.offsets[49], 49);
        assert_int_equal(col.timestamps[0], 5000);
        assert_int_equal(col.timestamps[49], 5000 + 49 * 3);
        assert_string_equal(col.values[7], "value-7xxxxxxxx");
        free(b);
    }
    batch_validator_free(v);
}

static void test_nulls_and_headers(void **state)
{
    (void)state;
    struct bytebuf rec = {0};
    const char *hk[] = {"h1", "h2"}, *hv[] = {"v1", NULL};
    bb_record(&rec, 0, 0, NULL, -1, NULL, -1, 2, hk, hv);
    bb_record(&rec, 1, 5, "k", 1, "", 0, 0, NULL, NULL);
    size_t len;
    uint8_t *b = bb_frame(0, rec.p, rec.len, 2, 1, 100, 105, &len);
    assert_int_equal(validate(b, len, true), 0);
    struct batch_validator *v = batch_validator_new();
    struct collected col = {0};
    assert_int_equal(batch_for_each_record(v, b, len, collect, &col), 0);
    assert_int_equal(col.n, 2);
    assert_int_equal(col.headers, 2);
    batch_validator_free(v);
    free(b);

    /* a header key may not be null */
    struct bytebuf bad = {0}, body = {0};
    bytebuf_u8(&body, 0);
    bytebuf_varint(&body, 0);
    bytebuf_varint(&body, 0);
    bytebuf_varint(&body, -1);
    bytebuf_varint(&body, -1);
    bytebuf_varint(&body, 1);
    bytebuf_varint(&body, -1);   /* null header key */
    bytebuf_varint(&body, -1);
    bytebuf_varint(&bad, (int64_t)body.len);
    bytebuf_put(&bad, body.p, body.len);
    b = bb_frame(0, bad.p, bad.len, 1, 0, 0, 0, &len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    free(b);
    free(bad.p);
    free(body.p);
    free(rec.p);
}

static void test_corrupt_crc_and_size(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = bb_batch(CODEC_NONE, 5, 10, 0, 1, &len);
    assert_int_equal(validate(b, len, true), 0);
    b[len - 3] ^= 0x40;
    assert_int_equal(validate(b, len, true), KERR_CORRUPT_MESSAGE);
    b[len - 3] ^= 0x40;
    assert_int_equal(validate(b, len - 1, true), KERR_CORRUPT_MESSAGE);   /* truncated */
    assert_int_equal(validate(b, 40, true), KERR_CORRUPT_MESSAGE);
    b[BATCH_OFF_MAGIC] = 1;
    assert_int_equal(validate(b, len, true), KERR_CORRUPT_MESSAGE);
    b[BATCH_OFF_MAGIC] = 2;
    put_be16(b + BATCH_OFF_ATTRIBUTES, 5);   /* codec 5 */
    bb_fix_crc(b, len);
    assert_int_equal(validate(b, len, true), KERR_UNSUPPORTED_COMPRESSION_TYPE);
    put_be16(b + BATCH_OFF_ATTRIBUTES, 7);
    bb_fix_crc(b, len);
    assert_int_equal(validate(b, len, false), KERR_UNSUPPORTED_COMPRESSION_TYPE);
    free(b);
}

static void test_counts_and_offsets(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = bb_batch(CODEC_NONE, 3, 0, 0, 1, &len);
    /* wrong lastOffsetDelta */
    put_be32(b + BATCH_OFF_LAST_OFFSET_DELTA, 3);
    bb_fix_crc(b, len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    /* recordsCount says 4 (lastOffsetDelta agrees) but there are 3 */
    put_be32(b + BATCH_OFF_RECORDS_COUNT, 4);
    bb_fix_crc(b, len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    /* recordsCount says 2: the third record is left over */
    put_be32(b + BATCH_OFF_RECORDS_COUNT, 2);
    put_be32(b + BATCH_OFF_LAST_OFFSET_DELTA, 1);
    bb_fix_crc(b, len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    /* empty batch */
    put_be32(b + BATCH_OFF_RECORDS_COUNT, 0);
    put_be32(b + BATCH_OFF_LAST_OFFSET_DELTA, (uint32_t)-1);
    bb_fix_crc(b, len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    put_be32(b + BATCH_OFF_RECORDS_COUNT, (uint32_t)-5);
    bb_fix_crc(b, len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    free(b);

    /* offset deltas out of order: 0, 2, 1 */
    struct bytebuf rec = {0};
    bb_record(&rec, 0, 0, "a", 1, "a", 1, 0, NULL, NULL);
    bb_record(&rec, 2, 0, "b", 1, "b", 1, 0, NULL, NULL);
    bb_record(&rec, 1, 0, "c", 1, "c", 1, 0, NULL, NULL);
    b = bb_frame(0, rec.p, rec.len, 3, 2, 0, 0, &len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    free(b);
    free(rec.p);
}

static void test_record_framing(void **state)
{
    (void)state;
    /* declared record length one byte longer than its fields */
    struct bytebuf body = {0}, rec = {0};
    bytebuf_u8(&body, 0);
    bytebuf_varint(&body, 0);
    bytebuf_varint(&body, 0);
    bytebuf_varint(&body, 1);
    bytebuf_put(&body, "k", 1);
    bytebuf_varint(&body, 1);
    bytebuf_put(&body, "v", 1);
    bytebuf_varint(&body, 0);
    bytebuf_u8(&body, 0x55);   /* stray byte inside the record */
    bytebuf_varint(&rec, (int64_t)body.len);
    bytebuf_put(&rec, body.p, body.len);
    size_t len;
    uint8_t *b = bb_frame(0, rec.p, rec.len, 1, 0, 0, 0, &len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    free(b);
    /* declared length shorter than the fields */
    rec.len = 0;
    bytebuf_varint(&rec, (int64_t)body.len - 3);
    bytebuf_put(&rec, body.p, body.len - 1);
    b = bb_frame(0, rec.p, rec.len, 1, 0, 0, 0, &len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    free(b);
    /* value length larger than the record */
    body.len = 0;
    bytebuf_u8(&body, 0);
    bytebuf_varint(&body, 0);
    bytebuf_varint(&body, 0);
    bytebuf_varint(&body, -1);
    bytebuf_varint(&body, 1000);
    bytebuf_put(&body, "abc", 3);
    bytebuf_varint(&body, 0);
    rec.len = 0;
    bytebuf_varint(&rec, (int64_t)body.len);
    bytebuf_put(&rec, body.p, body.len);
    b = bb_frame(0, rec.p, rec.len, 1, 0, 0, 0, &len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    free(b);
    /* trailing garbage after the last record, inside the batch */
    free(rec.p);
    rec = (struct bytebuf){0};
    bb_record(&rec, 0, 0, "k", 1, "v", 1, 0, NULL, NULL);
    bytebuf_put(&rec, "\0\0\0", 3);
    b = bb_frame(0, rec.p, rec.len, 1, 0, 0, 0, &len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    free(b);
    /* a record length that overruns the batch */
    rec.len = 0;
    bytebuf_varint(&rec, 500);
    bytebuf_put(&rec, body.p, body.len);
    b = bb_frame(0, rec.p, rec.len, 1, 0, 0, 0, &len);
    assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
    free(b);
    free(rec.p);
    free(body.p);
}

static void test_compressed_framing_errors(void **state)
{
    (void)state;
    for (size_t c = 1; c < ARRAY_LEN(all_codecs); c++) {
        int codec = all_codecs[c];
        /* trailing bytes after the last record, inside the compressed block */
        struct bytebuf rec = {0};
        bb_record(&rec, 0, 0, "k", 1, "v", 1, 0, NULL, NULL);
        bb_record(&rec, 1, 0, "k", 1, "v", 1, 0, NULL, NULL);
        bytebuf_put(&rec, "junk", 4);
        size_t clen, len;
        uint8_t *cb = bb_compress(codec, rec.p, rec.len, 0, &clen);
        uint8_t *b = bb_frame((int16_t)codec, cb, clen, 2, 1, 0, 0, &len);
        assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
        assert_int_equal(validate(b, len, false), 0);   /* shallow: header and CRC only */
        free(b);
        /* fewer records than declared */
        b = bb_frame((int16_t)codec, cb, clen, 3, 2, 0, 0, &len);
        assert_int_equal(validate(b, len, true), KERR_INVALID_RECORD);
        free(b);
        free(cb);
        free(rec.p);
    }
}

static void test_corrupt_compressed_payload(void **state)
{
    (void)state;
    for (size_t c = 1; c < ARRAY_LEN(all_codecs); c++) {
        int codec = all_codecs[c];
        size_t len;
        uint8_t *b = bb_batch(codec, 40, 200, 0, 1, &len);
        assert_int_equal(validate(b, len, true), 0);
        /* truncated compressed block */
        size_t cut = len - 9;
        put_be32(b + BATCH_OFF_LENGTH, (uint32_t)(cut - BATCH_LOG_OVERHEAD));
        bb_fix_crc(b, cut);
        assert_int_equal(validate(b, cut, true), KERR_CORRUPT_MESSAGE);
        assert_int_equal(validate(b, cut, false), 0);
        /* garbage instead of compressed data */
        put_be32(b + BATCH_OFF_LENGTH, (uint32_t)(len - BATCH_LOG_OVERHEAD));
        memset(b + BATCH_HEADER_SIZE, 0xff, len - BATCH_HEADER_SIZE);
        bb_fix_crc(b, len);
        assert_int_equal(validate(b, len, true), KERR_CORRUPT_MESSAGE);
        free(b);
        /* a flipped byte: the codecs with checksums notice */
        if (codec != CODEC_SNAPPY) {
            b = bb_batch(codec, 40, 200, 0, 1, &len);
            b[BATCH_HEADER_SIZE + (len - BATCH_HEADER_SIZE) / 2] ^= 0x21;
            bb_fix_crc(b, len);
            int rc = validate(b, len, true);
            assert_true(rc == KERR_CORRUPT_MESSAGE || rc == KERR_INVALID_RECORD);
            free(b);
        }
    }
}

static void test_xerial_and_raw_snappy(void **state)
{
    (void)state;
    struct bytebuf rec = {0};
    char val[300];
    memset(val, 'q', sizeof(val));
    for (int i = 0; i < 100; i++)
        bb_record(&rec, i, i, "key", 3, val, (int32_t)sizeof(val), 0, NULL, NULL);
    size_t sizes[] = {0, 1000, 64 << 10};   /* raw, many small chunks, one big chunk */
    for (size_t s = 0; s < ARRAY_LEN(sizes); s++) {
        size_t clen, len;
        uint8_t *cb = bb_compress(CODEC_SNAPPY, rec.p, rec.len, sizes[s], &clen);
        uint8_t *b = bb_frame(CODEC_SNAPPY, cb, clen, 100, 99, 0, 99, &len);
        assert_int_equal(validate(b, len, true), 0);
        struct batch_validator *v = batch_validator_new();
        struct collected col = {0};
        assert_int_equal(batch_for_each_record(v, b, len, collect, &col), 0);
        assert_int_equal(col.n, 100);
        assert_int_equal(col.offsets[63], 63);
        batch_validator_free(v);
        if (sizes[s] == 1000) {   /* a chunk length running past the end */
            put_be32(b + BATCH_HEADER_SIZE + 16, 1u << 30);
            bb_fix_crc(b, len);
            assert_int_equal(validate(b, len, true), KERR_CORRUPT_MESSAGE);
        }
        free(b);
        free(cb);
    }
    free(rec.p);
}

static void test_gzip_concatenated_members(void **state)
{
    (void)state;
    struct bytebuf r1 = {0}, r2 = {0};
    bb_record(&r1, 0, 0, "a", 1, "1", 1, 0, NULL, NULL);
    bb_record(&r2, 1, 0, "b", 1, "2", 1, 0, NULL, NULL);
    size_t c1, c2, len;
    uint8_t *g1 = bb_compress(CODEC_GZIP, r1.p, r1.len, 0, &c1);
    uint8_t *g2 = bb_compress(CODEC_GZIP, r2.p, r2.len, 0, &c2);
    struct bytebuf both = {0};
    bytebuf_put(&both, g1, c1);
    bytebuf_put(&both, g2, c2);
    uint8_t *b = bb_frame(CODEC_GZIP, both.p, both.len, 2, 1, 0, 0, &len);
    assert_int_equal(validate(b, len, true), 0);
    free(b);
    free(g1);
    free(g2);
    free(both.p);
    free(r1.p);
    free(r2.p);
}

/* A record that decodes to more than 64 MiB is refused before it is
 * decoded, and the whole batch is capped too. */
static void test_decompression_bomb(void **state)
{
    (void)state;
    size_t big = (64u << 20) + 1024;
    uint8_t *zeros = calloc(1, big);
    struct bytebuf rec = {0};
    bb_record(&rec, 0, 0, NULL, -1, zeros, (int32_t)big, 0, NULL, NULL);
    free(zeros);
    for (int codec = CODEC_GZIP; codec <= CODEC_ZSTD; codec++) {
        size_t clen, len;
        uint8_t *cb = bb_compress(codec, rec.p, rec.len, codec == CODEC_SNAPPY ? (1u << 16) : 0, &clen);
        assert_true(clen < big / 10);
        uint8_t *b = bb_frame((int16_t)codec, cb, clen, 1, 0, 0, 0, &len);
        struct batch_validator *v = batch_validator_new();
        char why[128];
        assert_int_equal(batch_validate(v, b, len, true, NULL, why, sizeof(why)), KERR_CORRUPT_MESSAGE);
        assert_non_null(strstr(why, "limit"));
        batch_validator_free(v);
        free(b);
        free(cb);
    }
    free(rec.p);

    /* total decoded size: 200 records of 20 KiB against a 1 MiB cap */
    size_t len;
    uint8_t *b = bb_batch(CODEC_ZSTD, 200, 20 << 10, 0, 1, &len);
    struct batch_validator *v = batch_validator_new();
    assert_int_equal(batch_validate(v, b, len, true, NULL, NULL, 0), 0);
    batch_validator_set_limits(v, 0, 1u << 20);
    char why[128];
    assert_int_equal(batch_validate(v, b, len, true, NULL, why, sizeof(why)), KERR_CORRUPT_MESSAGE);
    assert_non_null(strstr(why, "limit"));
    batch_validator_free(v);
    free(b);

    /* raw snappy claiming an impossible decoded size */
    uint8_t fake[16] = {0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 'a'};
    b = bb_frame(CODEC_SNAPPY, fake, sizeof(fake), 1, 0, 0, 0, &len);
    assert_int_equal(validate(b, len, true), KERR_CORRUPT_MESSAGE);
    free(b);
}

/* The default 1 GiB cap on a whole batch, with a bomb of ~1.1 GiB of
 * small records streamed through zstd: memory stays at one window. */
static void test_bomb_default_total_cap(void **state)
{
    (void)state;
    size_t value_size = 1 << 20;
    uint8_t *val = calloc(1, value_size);
    int count = 1100;
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 1);
    struct bytebuf out = {0};
    uint8_t chunk[1 << 16];
    for (int i = 0; i < count; i++) {
        struct bytebuf rec = {0};
        bb_record(&rec, i, 0, NULL, -1, val, (int32_t)value_size, 0, NULL, NULL);
        ZSTD_inBuffer in = {rec.p, rec.len, 0};
        ZSTD_EndDirective mode = i == count - 1 ? ZSTD_e_end : ZSTD_e_continue;
        size_t left;
        do {
            ZSTD_outBuffer ob = {chunk, sizeof(chunk), 0};
            left = ZSTD_compressStream2(cc, &ob, &in, mode);
            bytebuf_put(&out, chunk, ob.pos);
        } while (in.pos < in.size || (mode == ZSTD_e_end && left != 0));
        free(rec.p);
    }
    ZSTD_freeCCtx(cc);
    free(val);
    size_t len;
    uint8_t *b = bb_frame(CODEC_ZSTD, out.p, out.len, count, count - 1, 0, 0, &len);
    free(out.p);
    struct batch_validator *v = batch_validator_new();
    char why[128];
    assert_int_equal(batch_validate(v, b, len, true, NULL, why, sizeof(why)), KERR_CORRUPT_MESSAGE);
    assert_non_null(strstr(why, "limit"));
    batch_validator_free(v);
    free(b);
}

static void test_stamp(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = bb_batch(CODEC_LZ4, 4, 10, 1000, 1, &len);
    batch_stamp(b, 12345, 7, false, 0);
    struct batch_info bi;
    assert_int_equal(batch_validate(NULL, b, len, false, &bi, NULL, 0), 0);
    assert_int_equal(bi.base_offset, 12345);
    assert_int_equal(bi.leader_epoch, 7);
    assert_int_equal(bi.max_timestamp, 1003);
    batch_stamp(b, 99, 8, true, 777777);
    assert_int_equal(validate(b, len, true), 0);
    assert_int_equal(batch_parse_header(b, len, &bi), 0);
    assert_int_equal(bi.max_timestamp, 777777);
    assert_true(bi.attributes & BATCH_ATTR_LOG_APPEND_TIME);
    assert_int_equal(bi.attributes & BATCH_ATTR_COMPRESSION_MASK, CODEC_LZ4);
    struct batch_validator *v = batch_validator_new();
    struct collected col = {0};
    assert_int_equal(batch_for_each_record(v, b, len, collect, &col), 0);
    assert_int_equal(col.timestamps[0], 777777);   /* LogAppendTime applies to every record */
    assert_int_equal(col.offsets[3], 102);
    batch_validator_free(v);
    free(b);
}

static void test_records_max_timestamp(void **state)
{
    (void)state;
    struct batch_validator *v = batch_validator_new();
    for (size_t c = 0; c < sizeof(all_codecs) / sizeof(all_codecs[0]); c++) {
        size_t len;
        uint8_t *b = bb_batch(all_codecs[c], 3, 10, 5000, 10, &len);
        batch_set_max_timestamp(b, -1);   /* as sarama 1.22 writes it; CRC redone */
        struct batch_info bi;
        /* Shallow validation too: a max below the base is walked for. */
        assert_int_equal(batch_validate(v, b, len, false, &bi, NULL, 0), 0);
        assert_int_equal(bi.max_timestamp, -1);
        assert_int_equal(bi.records_max_timestamp, 5020);
        batch_set_max_timestamp(b, bi.records_max_timestamp);
        assert_int_equal(batch_validate(v, b, len, true, &bi, NULL, 0), 0);
        assert_int_equal(bi.max_timestamp, 5020);
        assert_int_equal(bi.records_max_timestamp, 5020);
        free(b);
    }
    batch_validator_free(v);
}

static int stop_after_two(void *arg, const struct record_view *r)
{
    (void)r;
    return ++*(int *)arg == 2;
}

static void test_for_each_stops_early(void **state)
{
    (void)state;
    for (size_t c = 0; c < ARRAY_LEN(all_codecs); c++) {
        size_t len;
        uint8_t *b = bb_batch(all_codecs[c], 10, 0, 0, 1, &len);
        struct batch_validator *v = batch_validator_new();
        int seen = 0;
        assert_int_equal(batch_for_each_record(v, b, len, stop_after_two, &seen), 0);
        assert_int_equal(seen, 2);
        /* the validator is reusable after an early stop */
        assert_int_equal(batch_validate(v, b, len, true, NULL, NULL, 0), 0);
        batch_validator_free(v);
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_vectors),
        cmocka_unit_test(test_parse_header),
        cmocka_unit_test(test_every_codec_validates_deep),
        cmocka_unit_test(test_nulls_and_headers),
        cmocka_unit_test(test_corrupt_crc_and_size),
        cmocka_unit_test(test_counts_and_offsets),
        cmocka_unit_test(test_record_framing),
        cmocka_unit_test(test_compressed_framing_errors),
        cmocka_unit_test(test_corrupt_compressed_payload),
        cmocka_unit_test(test_xerial_and_raw_snappy),
        cmocka_unit_test(test_gzip_concatenated_members),
        cmocka_unit_test(test_decompression_bomb),
        cmocka_unit_test(test_bomb_default_total_cap),
        cmocka_unit_test(test_stamp),
        cmocka_unit_test(test_records_max_timestamp),
        cmocka_unit_test(test_for_each_stops_early),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
