/* Counters bumped where events happen; formatting them is someone
 * else's job (logs now, /metrics later). */
#ifndef SLUICE_STATS_H
#define SLUICE_STATS_H
#include <stdint.h>

#define STATS_MAX_API 100
/* Latency histogram upper bounds in microseconds (Prometheus "le"). */
#define STATS_LAT_BUCKETS 12
static const uint64_t stats_lat_bounds_us[STATS_LAT_BUCKETS] = {
    100, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000};

struct broker_stats {
    uint64_t requests[STATS_MAX_API];
    uint64_t request_errors[STATS_MAX_API];
    uint64_t records_produced_batches;
    uint64_t fsyncs;             /* fdatasync calls by the flusher */
    uint64_t fsync_rounds;       /* group-commit rounds */
    uint64_t fsync_us_total;
    uint64_t corrupt_batches;
    uint64_t duplicate_batches;  /* idempotent retries answered with their original offset */
    /* Completed responses per API (response_end): latency histogram
     * (cumulative buckets are computed when formatting) and its sum. */
    uint64_t latency_bucket[STATS_MAX_API][STATS_LAT_BUCKETS + 1];   /* last: above every bound */
    uint64_t latency_us_sum[STATS_MAX_API];
    uint64_t latency_count[STATS_MAX_API];
    uint64_t fsync_bucket[STATS_LAT_BUCKETS + 1];
    uint64_t records_produced;   /* records (offsets) appended by Produce */
    uint64_t records_fetched;    /* records handed out by Fetch (whole batches) */
    uint64_t fetch_bytes;        /* record bytes handed out by Fetch */
    uint64_t produce_bytes;      /* record bytes appended by Produce */
    uint64_t slow_requests;      /* above sluice.slow.request.ms */
    uint64_t http_requests;
};
#endif
