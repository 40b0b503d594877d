/* An HDR-style histogram of non-negative integer values (the benchmark
 * records nanoseconds): log-linear buckets, 64 per power of two above 128,
 * so every recorded value is kept within 1/64 (1.6%) of itself, from 1 ns
 * to 2^64 ns, in a fixed 30 KB with no allocation while recording. */
#ifndef SLUICE_HDR_HIST_H
#define SLUICE_HDR_HIST_H

#include <stdint.h>

#define HDR_SUB_BITS 7
#define HDR_SUB_COUNT (1u << HDR_SUB_BITS)          /* 128 */
#define HDR_HALF_COUNT (HDR_SUB_COUNT / 2)          /* 64 */
#define HDR_BUCKETS ((64 - HDR_SUB_BITS + 1) * HDR_HALF_COUNT + HDR_HALF_COUNT)

struct hdr_hist {
    uint64_t count;
    uint64_t min, max;
    long double sum;
    uint64_t buckets[HDR_BUCKETS];
};

void hdr_init(struct hdr_hist *h);
void hdr_record(struct hdr_hist *h, uint64_t v);
/* Adds every value recorded in src to dst. */
void hdr_merge(struct hdr_hist *dst, const struct hdr_hist *src);
/* The value at percentile p (0..100): the highest value equivalent to the
 * bucket holding the ceil(p% * count)-th smallest value, at most max.
 * 0 when nothing was recorded. */
uint64_t hdr_percentile(const struct hdr_hist *h, double p);
double hdr_mean(const struct hdr_hist *h);

/* Bucket index of v and the highest value that bucket holds: exposed for
 * the unit test. */
unsigned hdr_bucket_of(uint64_t v);
uint64_t hdr_bucket_high(unsigned b);

#endif
