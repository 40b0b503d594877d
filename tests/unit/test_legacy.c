/* Legacy message sets (magic 0/1) to v2 batches and back: every v0/v1
 * codec (snappy raw and xerial, lz4 with Kafka's old header checksum),
 * LogAppendTime wrappers, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "log/batch.h"
#include "log/batch_build.h"
#include "log/kerr.h"
#include "log/legacy.h"
#include "protocol/wire.h"

/* Appends one message (offset, size, crc, magic, attributes, [ts], key, value). */
static void put_message(struct bytebuf *b, int64_t offset, int magic, int attrs, int64_t ts, const char *key,
                        const uint8_t *value, int32_t value_len)
{
    struct bytebuf body = {0};
    bytebuf_u8(&body, (uint8_t)magic);
    bytebuf_u8(&body, (uint8_t)attrs);
    if (magic == 1)
        bytebuf_be(&body, (uint64_t)ts, 8);
    int32_t klen = key ? (int32_t)strlen(key) : -1;
    bytebuf_be(&body, (uint32_t)klen, 4);
    if (klen > 0)
        bytebuf_put(&body, key, (size_t)klen);
    bytebuf_be(&body, (uint32_t)value_len, 4);
    if (value_len > 0)
        bytebuf_put(&body, value, (size_t)value_len);
    bytebuf_be(b, (uint64_t)offset, 8);
    bytebuf_be(b, body.len + 4, 4);
    bytebuf_be(b, crc32(0, body.p, (uInt)body.len), 4);
    bytebuf_put(b, body.p, body.len);
    bytebuf_free(&body);
}

/* Three plain messages: k0/v0, null key/v1, k2/null value. */
static void plain_set(struct bytebuf *b, int magic)
{
    put_message(b, 0, magic, 0, 1000, "k0", (const uint8_t *)"v0", 2);
    put_message(b, 1, magic, 0, 1001, NULL, (const uint8_t *)"v1", 2);
    put_message(b, 2, magic, 0, 1002, "k2", NULL, -1);
}

struct seen {
    int n;
    int64_t ts[8];
    char key[8][8], value[8][8];
};

static int collect(void *arg, const struct record_view *r)
{
    struct seen *s = arg;
    s->ts[s->n] = r->timestamp;
    snprintf(s->key[s->n], 8, "%.*s", r->key_len < 0 ? 4 : r->key_len, r->key_len < 0 ? "null" : (const char *)r->key);
    snprintf(s->value[s->n], 8, "%.*s", r->value_len < 0 ? 4 : r->value_len,
             r->value_len < 0 ? "null" : (const char *)r->value);
    s->n++;
    return 0;
}

/* Converts, checks the one v2 batch made and its three records. */
static void check_converts(const struct bytebuf *set, int codec, const int64_t ts[3])
{
    struct batch_validator *v = batch_validator_new();
    struct bytebuf out = {0};
    const char *why = NULL;
    assert_int_equal(legacy_to_batch(v, set->p, set->len, &out, &why), 0);
    struct batch_info bi;
    char err[128];
    assert_int_equal(batch_validate(v, out.p, out.len, true, &bi, err, sizeof(err)), 0);
    assert_int_equal(batch_total_size(&bi), out.len);
    assert_int_equal(bi.attributes & BATCH_ATTR_COMPRESSION_MASK, codec);
    assert_int_equal(bi.records_count, 3);
    struct seen s = {0};
    assert_int_equal(batch_for_each_record(v, out.p, out.len, collect, &s), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.key[0], "k0");
    assert_string_equal(s.key[1], "null");
    assert_string_equal(s.value[1], "v1");
    assert_string_equal(s.value[2], "null");
    for (int i = 0; i < 3; i++)
        assert_int_equal(s.ts[i], ts[i]);
    bytebuf_free(&out);
    batch_validator_free(v);
}

static const int64_t CREATE_TS[3] = {1000, 1001, 1002}, NO_TS[3] = {-1, -1, -1};

static void test_plain_v0_and_v1(void **state)
{
    (void)state;
    for (int magic = 0; magic <= 1; magic++) {
        struct bytebuf set = {0};
        plain_set(&set, magic);
        check_converts(&set, CODEC_NONE, magic ? CREATE_TS : NO_TS);
        bytebuf_free(&set);
    }
}

/* A wrapper message of codec around the compressed plain set. */
static void wrapped(struct bytebuf *set, int magic, int codec, int extra_attrs, int64_t ts, struct bytebuf *z)
{
    put_message(set, 2, magic, codec | extra_attrs, ts, NULL, z->p, (int32_t)z->len);
}

static void test_every_codec(void **state)
{
    (void)state;
    const int codecs[] = {CODEC_GZIP, CODEC_SNAPPY, CODEC_LZ4};
    for (int magic = 0; magic <= 1; magic++)
        for (size_t c = 0; c < 3; c++) {
            struct bytebuf inner = {0}, z = {0}, set = {0};
            plain_set(&inner, magic);
            assert_int_equal(batch_compress((enum compression_codec)codecs[c], inner.p, inner.len, &z), 0);
            wrapped(&set, magic, codecs[c], 0, 5000, &z);
            check_converts(&set, codecs[c], magic ? CREATE_TS : NO_TS);
            bytebuf_free(&inner);
            bytebuf_free(&z);
            bytebuf_free(&set);
        }
}

static void test_snappy_xerial(void **state)
{
    (void)state;
    struct bytebuf inner = {0}, z = {0}, set = {0};
    plain_set(&inner, 1);
    static const uint8_t header[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    bytebuf_put(&z, header, sizeof(header));
    /* two chunks, as the Java client's block size would split a bigger set */
    size_t half = inner.len / 2;
    for (int k = 0; k < 2; k++) {
        const uint8_t *p = inner.p + (k ? half : 0);
        size_t n = k ? inner.len - half : half, cap = snappy_max_compressed_length(n);
        uint8_t *dst = bytebuf_reserve(&z, 4 + cap);
        assert_int_equal(snappy_compress((const char *)p, n, (char *)dst + 4, &cap), SNAPPY_OK);
        dst[0] = (uint8_t)(cap >> 24), dst[1] = (uint8_t)(cap >> 16), dst[2] = (uint8_t)(cap >> 8), dst[3] = (uint8_t)cap;
        z.len += 4 + cap;
    }
    wrapped(&set, 1, CODEC_SNAPPY, 0, 5000, &z);
    check_converts(&set, CODEC_SNAPPY, CREATE_TS);
    bytebuf_free(&inner);
    bytebuf_free(&z);
    bytebuf_free(&set);
}

static void test_lz4_old_kafka_header_checksum(void **state)
{
    (void)state;
    struct bytebuf inner = {0}, z = {0}, set = {0};
    plain_set(&inner, 0);
    assert_int_equal(batch_compress(CODEC_LZ4, inner.p, inner.len, &z), 0);
    /* Kafka 0.8-0.9 hashed the frame magic into the descriptor checksum:
     * a checksum liblz4 refuses. */
    size_t desc = 2 + ((z.p[4] & 0x08) ? 8 : 0) + ((z.p[4] & 0x01) ? 4 : 0);
    z.p[4 + desc] ^= 0x5A;
    wrapped(&set, 0, CODEC_LZ4, 0, -1, &z);
    check_converts(&set, CODEC_LZ4, NO_TS);
    bytebuf_free(&inner);
    bytebuf_free(&z);
    bytebuf_free(&set);
}

static void test_log_append_time_wrapper(void **state)
{
    (void)state;
    struct bytebuf inner = {0}, z = {0}, set = {0};
    plain_set(&inner, 1);
    assert_int_equal(batch_compress(CODEC_GZIP, inner.p, inner.len, &z), 0);
    wrapped(&set, 1, CODEC_GZIP, 0x08, 7777, &z);
    const int64_t wrapper_ts[3] = {7777, 7777, 7777};
    check_converts(&set, CODEC_GZIP, wrapper_ts);
    bytebuf_free(&inner);
    bytebuf_free(&z);
    bytebuf_free(&set);
}

static int convert(const struct bytebuf *set)
{
    struct batch_validator *v = batch_validator_new();
    struct bytebuf out = {0};
    const char *why = NULL;
    int rc = legacy_to_batch(v, set->p, set->len, &out, &why);
    assert_true(rc == 0 || (why && out.len == 0));
    bytebuf_free(&out);
    batch_validator_free(v);
    return rc;
}

static void test_refused(void **state)
{
    (void)state;
    struct bytebuf set = {0}, inner = {0}, z = {0}, nested = {0}, zz = {0};
    plain_set(&set, 1);
    set.p[set.len - 1] ^= 1;   /* the last message's CRC no longer matches */
    assert_int_equal(convert(&set), KERR_CORRUPT_MESSAGE);
    set.p[set.len - 1] ^= 1;
    set.len -= 2;              /* cut short */
    assert_int_equal(convert(&set), KERR_CORRUPT_MESSAGE);
    set.len = 0;
    assert_int_equal(convert(&set), KERR_CORRUPT_MESSAGE);
    put_message(&set, 0, 2, 0, 0, "k", (const uint8_t *)"v", 1);   /* magic 2 */
    assert_int_equal(convert(&set), KERR_CORRUPT_MESSAGE);
    set.len = 0;
    put_message(&set, 0, 1, CODEC_ZSTD, 0, NULL, (const uint8_t *)"zzzz", 4);   /* no zstd before v2 */
    assert_int_equal(convert(&set), KERR_UNSUPPORTED_COMPRESSION_TYPE);
    set.len = 0;
    put_message(&set, 0, 1, CODEC_GZIP, 0, NULL, (const uint8_t *)"not gzip", 8);
    assert_int_equal(convert(&set), KERR_CORRUPT_MESSAGE);
    /* compressed inside compressed */
    plain_set(&inner, 1);
    assert_int_equal(batch_compress(CODEC_GZIP, inner.p, inner.len, &z), 0);
    wrapped(&nested, 1, CODEC_GZIP, 0, 1, &z);
    assert_int_equal(batch_compress(CODEC_GZIP, nested.p, nested.len, &zz), 0);
    set.len = 0;
    wrapped(&set, 1, CODEC_GZIP, 0, 1, &zz);
    assert_int_equal(convert(&set), KERR_INVALID_RECORD);
    bytebuf_free(&set);
    bytebuf_free(&inner);
    bytebuf_free(&z);
    bytebuf_free(&nested);
    bytebuf_free(&zz);
}

/* Down-converted messages read back as the same records, at both magics;
 * a batch cut short at the end is left out. */
static void test_down_conversion_round_trip(void **state)
{
    (void)state;
    struct batch_validator *v = batch_validator_new();
    struct bytebuf set = {0}, log = {0};
    plain_set(&set, 1);
    const char *why = NULL;
    assert_int_equal(legacy_to_batch(v, set.p, set.len, &log, &why), 0);
    size_t one = log.len;
    assert_int_equal(legacy_to_batch(v, set.p, set.len, &log, &why), 0);
    batch_stamp(log.p + one, 3, 0, false, 0);   /* the second batch at offset 3 */
    for (int magic = 0; magic <= 1; magic++) {
        struct bytebuf msgs = {0}, back = {0};
        assert_int_equal(legacy_from_batches(v, log.p, log.len - 5, magic, &msgs), 0);   /* second cut short */
        assert_int_equal(legacy_to_batch(v, msgs.p, msgs.len, &back, &why), 0);
        struct seen s = {0};
        assert_int_equal(batch_for_each_record(v, back.p, back.len, collect, &s), 0);
        assert_int_equal(s.n, 3);
        assert_string_equal(s.key[2], "k2");
        assert_int_equal(s.ts[1], magic ? 1001 : -1);
        msgs.len = 0;
        assert_int_equal(legacy_from_batches(v, log.p, log.len, magic, &msgs), 0);
        assert_int_equal((int64_t)be64(msgs.p + msgs.len - (magic ? 36 : 28)), 5);   /* last offset */
        bytebuf_free(&msgs);
        bytebuf_free(&back);
    }
    bytebuf_free(&set);
    bytebuf_free(&log);
    batch_validator_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_v0_and_v1),
        cmocka_unit_test(test_every_codec),
        cmocka_unit_test(test_snappy_xerial),
        cmocka_unit_test(test_lz4_old_kafka_header_checksum),
        cmocka_unit_test(test_log_append_time_wrapper),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_down_conversion_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
