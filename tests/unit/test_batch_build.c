/* batch_build (log/batch_build.h): every batch it builds goes back
 * through the broker's own header parser, deep validator and record
 * walker, with every codec, null and empty keys and values, headers and
 * the producer fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "core/bytebuf.h"
#include "log/batch.h"
#include "log/batch_build.h"
#include "log/kerr.h"

static const enum compression_codec all_codecs[] = {CODEC_NONE, CODEC_GZIP, CODEC_SNAPPY, CODEC_LZ4, CODEC_ZSTD};

/* What the walker saw, compared with what was built. */
struct seen {
    const struct batch_record *want;
    int32_t n;
    int64_t base_offset;
};

static void assert_bytes(const uint8_t *got, int32_t got_len, const uint8_t *want, int32_t want_len)
{
    assert_int_equal(got_len, want_len);
    if (want_len < 0)
        assert_null(got);
    else if (want_len > 0)
        assert_memory_equal(got, want, (size_t)want_len);
}

static int check_record(void *arg, const struct record_view *rec)
{
    struct seen *s = arg;
    const struct batch_record *w = &s->want[s->n];
    assert_int_equal(rec->offset, s->base_offset + s->n);
    assert_int_equal(rec->timestamp, w->timestamp);
    assert_bytes(rec->key, rec->key_len, w->key, w->key_len);
    assert_bytes(rec->value, rec->value_len, w->value, w->value_len);
    assert_int_equal(rec->header_count, w->header_count);
    const uint8_t *pos = rec->headers, *end = rec->headers + rec->headers_len;
    struct record_header_view h;
    for (int32_t i = 0; i < w->header_count; i++) {
        assert_int_equal(record_next_header(&pos, end, &h), 1);
        assert_bytes(h.key, h.key_len, w->headers[i].key, w->headers[i].key_len);
        assert_bytes(h.value, h.value_len, w->headers[i].value, w->headers[i].value_len);
    }
    assert_int_equal(record_next_header(&pos, end, &h), 0);
    s->n++;
    return 0;
}

/* Builds recs with spec and checks the batch field by field and record by record. */
static void round_trip(const struct batch_spec *spec, const struct batch_record *recs, int32_t count)
{
    struct bytebuf out = {0};
    bytebuf_put(&out, "prefix", 6);   /* batch_build appends */
    assert_int_equal(batch_build(&out, spec, recs, count), 0);
    const uint8_t *b = out.p + 6;
    size_t len = out.len - 6;
    struct batch_validator *v = batch_validator_new();
    struct batch_info bi;
    char why[200] = "";
    assert_int_equal(batch_parse_header(b, len, &bi), 0);
    assert_int_equal(batch_total_size(&bi), len);
    assert_int_equal(batch_validate(v, b, len, true, &bi, why, sizeof(why)), 0);
    struct batch_spec s = spec ? *spec : BATCH_SPEC_PLAIN;
    assert_int_equal(bi.base_offset, 0);
    assert_int_equal(bi.leader_epoch, -1);
    assert_int_equal(bi.attributes, s.attributes | (int16_t)s.codec);
    assert_int_equal(bi.records_count, count);
    assert_int_equal(bi.last_offset_delta, count - 1);
    assert_int_equal(bi.producer_id, s.producer_id);
    assert_int_equal(bi.producer_epoch, s.producer_epoch);
    assert_int_equal(bi.base_sequence, s.base_sequence);
    int64_t max_ts = recs[0].timestamp;
    for (int32_t i = 0; i < count; i++)
        max_ts = recs[i].timestamp > max_ts ? recs[i].timestamp : max_ts;
    assert_int_equal(bi.base_timestamp, recs[0].timestamp);
    assert_int_equal(bi.max_timestamp, max_ts);

    /* where plog_append would put it */
    batch_stamp((uint8_t *)b, 1000, 7, false, 0);
    assert_int_equal(batch_validate(v, b, len, true, NULL, why, sizeof(why)), 0);
    struct seen seen = {recs, 0, 1000};
    assert_int_equal(batch_for_each_record(v, b, len, check_record, &seen), 0);
    assert_int_equal(seen.n, count);
    batch_validator_free(v);
    bytebuf_free(&out);
}

#define B(s) (const uint8_t *)(s), (int32_t)(sizeof(s) - 1)

static void test_keys_values_null_and_empty(void **state)
{
    (void)state;
    const struct batch_record recs[] = {
        {.timestamp = 1700000000000, .key = NULL, .key_len = -1, .value = NULL, .value_len = -1},
        {.timestamp = 1700000000001, .key = B(""), .value = B("")},
        {.timestamp = 1700000000002, .key = B("k"), .value = NULL, .value_len = -1},
        {.timestamp = 1700000000003, .key = NULL, .key_len = -1, .value = B("only a value")},
    };
    for (size_t c = 0; c < sizeof(all_codecs) / sizeof(all_codecs[0]); c++) {
        struct batch_spec spec = BATCH_SPEC_PLAIN;
        spec.codec = all_codecs[c];
        round_trip(&spec, recs, 4);
    }
    round_trip(NULL, recs, 4);
}

static void test_headers(void **state)
{
    (void)state;
    const struct record_header_view h[] = {
        {B("trace"), B("abc")},
        {B("empty"), B("")},
        {B("null"), NULL, -1},
    };
    const struct batch_record recs[] = {
        {.timestamp = 5, .key = B("k1"), .value = B("v1"), .header_count = 3, .headers = h},
        {.timestamp = 5, .key = B("k2"), .value = B("v2"), .header_count = 0},
        {.timestamp = 5, .key = B("k3"), .value = B("v3"), .header_count = 1, .headers = &h[2]},
    };
    for (size_t c = 0; c < sizeof(all_codecs) / sizeof(all_codecs[0]); c++) {
        struct batch_spec spec = BATCH_SPEC_PLAIN;
        spec.codec = all_codecs[c];
        round_trip(&spec, recs, 3);
    }
}

/* Many records, values large enough that compression matters, and
 * timestamps that go down as well as up. */
static void test_many_records_every_codec(void **state)
{
    (void)state;
    enum { N = 500, VLEN = 300 };
    struct batch_record *recs = calloc(N, sizeof(*recs));
    uint8_t *vals = malloc((size_t)N * VLEN);
    for (int i = 0; i < N; i++) {
        memset(vals + (size_t)i * VLEN, 'a' + i % 26, VLEN);
        recs[i] = (struct batch_record){.timestamp = 1000 + (i % 7) * 10 - i % 3, .key = B("same key"),
                                        .value = vals + (size_t)i * VLEN, .value_len = VLEN - i % 5};
    }
    size_t plain_len = 0;
    for (size_t c = 0; c < sizeof(all_codecs) / sizeof(all_codecs[0]); c++) {
        struct batch_spec spec = BATCH_SPEC_PLAIN;
        spec.codec = all_codecs[c];
        round_trip(&spec, recs, N);
        struct bytebuf out = {0};
        assert_int_equal(batch_build(&out, &spec, recs, N), 0);
        if (spec.codec == CODEC_NONE)
            plain_len = out.len;
        else
            assert_true(out.len < plain_len / 4);   /* it really is compressed */
        bytebuf_free(&out);
    }
    free(vals);
    free(recs);
}

static void test_producer_fields_and_attributes(void **state)
{
    (void)state;
    const struct batch_record rec = {.timestamp = 42, .key = B("k"), .value = B("v")};
    struct batch_spec spec = {.codec = CODEC_LZ4, .producer_id = 12345, .producer_epoch = 3, .base_sequence = 77};
    round_trip(&spec, &rec, 1);
    spec.attributes = BATCH_ATTR_TRANSACTIONAL;
    round_trip(&spec, &rec, 1);
}

static void test_refuses_an_empty_batch(void **state)
{
    (void)state;
    struct bytebuf out = {0};
    const struct batch_record rec = {.timestamp = 1, .key = B("k"), .value = B("v")};
    assert_int_equal(batch_build(&out, NULL, &rec, 0), -1);
    assert_int_equal(out.len, 0);
    struct batch_spec bad = BATCH_SPEC_PLAIN;
    bad.codec = (enum compression_codec)7;
    assert_int_equal(batch_build(&out, &bad, &rec, 1), -1);
    assert_int_equal(out.len, 0);   /* nothing half written */
    bytebuf_free(&out);
}

/* Batches built one after another lie end to end, as plog_append wants them. */
static void test_batches_tile(void **state)
{
    (void)state;
    const struct batch_record rec = {.timestamp = 1, .key = B("k"), .value = B("v")};
    struct bytebuf out = {0};
    for (int i = 0; i < 3; i++)
        assert_int_equal(batch_build(&out, NULL, &rec, 1), 0);
    size_t pos = 0;
    int n = 0;
    struct batch_info bi;
    while (pos < out.len) {
        assert_int_equal(batch_parse_header(out.p + pos, out.len - pos, &bi), 0);
        assert_int_equal(batch_validate(NULL, out.p + pos, batch_total_size(&bi), false, NULL, NULL, 0), 0);
        pos += batch_total_size(&bi);
        n++;
    }
    assert_int_equal(pos, out.len);
    assert_int_equal(n, 3);
    bytebuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_values_null_and_empty),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_many_records_every_codec),
        cmocka_unit_test(test_producer_fields_and_attributes),
        cmocka_unit_test(test_refuses_an_empty_batch),
        cmocka_unit_test(test_batches_tile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
