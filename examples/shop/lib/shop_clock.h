/* Clocks: wall time for timestamps that travel in events (ce_time, the
 * retry due time), monotonic time for deadlines inside one process. */
#ifndef SHOP_CLOCK_H
#define SHOP_CLOCK_H
#include <stdint.h>
#include <time.h>

static inline int64_t shop_clock_ms(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t shop_wall_ms(void) { return shop_clock_ms(CLOCK_REALTIME); }
static inline int64_t shop_mono_ms(void) { return shop_clock_ms(CLOCK_MONOTONIC); }

#endif
