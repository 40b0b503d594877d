#include "cli/hdr_hist.h"

#include <string.h>

void hdr_init(struct hdr_hist *h)
{
    memset(h, 0, sizeof(*h));
    h->min = UINT64_MAX;
}

/* Values below 128 have a bucket each. Above, a value whose top bit is bit
 * m (m >= 7) is shifted right by e = m - 6 so that 64..127 remain: bucket
 * e * 64 + that. */
unsigned hdr_bucket_of(uint64_t v)
{
    if (v < HDR_SUB_COUNT)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned e = msb - (HDR_SUB_BITS - 1);
    return e * HDR_HALF_COUNT + (unsigned)(v >> e);
}

uint64_t hdr_bucket_high(unsigned b)
{
    if (b < HDR_SUB_COUNT)
        return b;
    unsigned e = b / HDR_HALF_COUNT - 1;
    uint64_t sub = (uint64_t)(b - e * HDR_HALF_COUNT);
    uint64_t high = ((sub + 1) << e) - 1;
    return high < ((sub << e)) ? UINT64_MAX : high;  /* the very top */
}

void hdr_record(struct hdr_hist *h, uint64_t v)
{
    h->buckets[hdr_bucket_of(v)]++;
    h->count++;
    h->sum += (long double)v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

void hdr_merge(struct hdr_hist *dst, const struct hdr_hist *src)
{
    for (unsigned i = 0; i < HDR_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

uint64_t hdr_percentile(const struct hdr_hist *h, double p)
{
    if (!h->count)
        return 0;
    if (p >= 100.0)
        return h->max;
    if (p < 0)
        p = 0;
    uint64_t want = (uint64_t)((long double)p / 100.0L * (long double)h->count + 0.999999L);
    if (want < 1)
        want = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HDR_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= want) {
            uint64_t v = hdr_bucket_high(i);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max;
}

double hdr_mean(const struct hdr_hist *h)
{
    return h->count ? (double)(h->sum / (long double)h->count) : 0.0;
}
