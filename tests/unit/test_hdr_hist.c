/* The benchmark's HDR-style histogram (src/cli/hdr_hist.c): bucket bounds,
 * relative precision, percentiles, merging. The CLI is not part of the
 * objects unit tests link, so the one source file is included here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "cli/hdr_hist.c"

static void test_buckets_cover_and_bound(void **state)
{
    (void)state;
    /* Every value lands in a bucket whose highest value is >= it and
     * within 1/64 of it; bucket indexes never decrease. */
    uint64_t vals[] = {0, 1, 127, 128, 129, 255, 256, 1000, 123456789, UINT64_MAX / 3, UINT64_MAX};
    unsigned prev = 0;
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        unsigned b = hdr_bucket_of(vals[i]);
        assert_true(b < HDR_BUCKETS);
        assert_true(b >= prev);
        prev = b;
        uint64_t hi = hdr_bucket_high(b);
        assert_true(hi >= vals[i]);
        assert_true(hi - vals[i] <= vals[i] / 64 + 1);
    }
    for (uint64_t v = 0; v < 100000; v += 7)
        assert_true(hdr_bucket_high(hdr_bucket_of(v)) >= v);
}

static void test_percentiles(void **state)
{
    (void)state;
    struct hdr_hist *h = malloc(sizeof(*h));
    hdr_init(h);
    assert_int_equal(hdr_percentile(h, 50), 0);
    for (uint64_t v = 1; v <= 10000; v++)
        hdr_record(h, v * 1000);   /* 1 us .. 10 ms in ns */
    assert_int_equal(h->count, 10000);
    assert_int_equal(h->min, 1000);
    assert_int_equal(h->max, 10000000);
    uint64_t p50 = hdr_percentile(h, 50), p99 = hdr_percentile(h, 99), p999 = hdr_percentile(h, 99.9);
    assert_true(p50 >= 5000000 && p50 <= 5000000 + 5000000 / 64);
    assert_true(p99 >= 9900000 && p99 <= 9900000 + 9900000 / 64);
    assert_true(p999 >= 9990000 && p999 <= 10000000);
    assert_int_equal(hdr_percentile(h, 100), 10000000);
    assert_true(hdr_mean(h) > 5000000 && hdr_mean(h) < 5001000);

    struct hdr_hist *g = malloc(sizeof(*g));
    hdr_init(g);
    hdr_record(g, 50000000);
    hdr_merge(h, g);
    assert_int_equal(h->count, 10001);
    assert_int_equal(h->max, 50000000);
    assert_int_equal(hdr_percentile(h, 100), 50000000);
    free(g);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_cover_and_bound),
        cmocka_unit_test(test_percentiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
