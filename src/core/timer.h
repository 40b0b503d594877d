/* A timer as the event loop (net/loop.h) schedules it. Here rather than
 * in net/ so code that only holds timers, such as the group state
 * machine, which sets them through callbacks, needs no event loop. */
#ifndef SLUICE_TIMER_H
#define SLUICE_TIMER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

typedef void (*timer_cb)(struct loop *l, void *arg);
struct timer {
    int64_t when_ms;          /* monotonic */
    timer_cb cb;
    void *arg;
    size_t heap_index;        /* 0 = not scheduled */
};

static inline bool timer_pending(const struct timer *t) { return t->heap_index != 0; }
#endif
