/* What the peer drivers of bench/compare share (redis_bench.c,
 * nats_bench.c, kafka_raw.c): a monotonic clock and the one JSON line
 * they print, with the same keys as `sluice bench --json`. Header-only,
 * because bench/compare builds each driver from its one .c file. */
#ifndef SLUICE_BENCH_DRIVER_COMMON_H
#define SLUICE_BENCH_DRIVER_COMMON_H
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* lat (nlat samples in ns, sorted here) may be NULL. */
static inline void print_result(const char *mode, const char *topic, uint64_t n, uint64_t bytes, uint64_t failed,
                                uint64_t ns, uint64_t *lat, uint64_t nlat)
{
    double s = (double)ns / 1e9;
    printf("{\"mode\":\"%s\",\"topic\":\"%s\",\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64
           ",\"failed\":%" PRIu64 ",\"seconds\":%.6f,\"msgs_per_s\":%.1f,\"mb_per_s\":%.3f",
           mode, topic, n, bytes, failed, s, (double)n / s, (double)bytes / s / 1e6);
    if (lat && nlat) {
        qsort(lat, nlat, sizeof(*lat), cmp_u64);
#define PCT(p) ((double)lat[(size_t)((double)(nlat - 1) * (p))] / 1e6)
        printf(",\"lat_count\":%" PRIu64 ",\"lat_p50_ms\":%.4f,\"lat_p99_ms\":%.4f,"
               "\"lat_p999_ms\":%.4f,\"lat_max_ms\":%.4f",
               nlat, PCT(0.5), PCT(0.99), PCT(0.999), (double)lat[nlat - 1] / 1e6);
#undef PCT
    }
    printf("}\n");
}
#endif
