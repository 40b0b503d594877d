/* Counters bumped where events happen; formatting them is someone
 * else's job (logs now, /metrics later). */
#ifndef SLUICE_STATS_H
#define SLUICE_STATS_H
#include <stdint.h>

#define STATS_MAX_API 100

struct broker_stats {
    uint64_t requests[STATS_MAX_API];
    uint64_t request_errors[STATS_MAX_API];
    uint64_t bytes_in, bytes_out;
    uint64_t records_produced_batches;
    uint64_t fsyncs;             /* fdatasync calls by the flusher */
    uint64_t fsync_rounds;       /* group-commit rounds */
    uint64_t fsync_us_total;
    uint64_t connections_accepted;
    uint64_t connections_closed;
    uint64_t frames_too_large;
    uint64_t corrupt_batches;
    uint64_t duplicate_batches;  /* idempotent retries answered with their original offset */
};
#endif
