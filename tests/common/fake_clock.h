/* The group coordinator's host for tests and fuzzers that run it without
 * the event loop (tests/unit/test_group.c, tests/fuzz/fuzz_group.c): a
 * clock that moves only when told, and the timers armed on it, fired in
 * time order as the clock passes them. Static functions: each includer
 * is one program. */
#ifndef SLUICE_TESTS_FAKE_CLOCK_H
#define SLUICE_TESTS_FAKE_CLOCK_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/timer.h"
#include "group/group.h"

#define FAKE_MAX_TIMERS 256
static int64_t clock_ms;
static struct timer *armed[FAKE_MAX_TIMERS];
static int narmed;

static int64_t fake_now(void *ctx) { return clock_ms; }

static void fake_cancel(void *ctx, struct timer *t)
{
    for (int i = 0; i < narmed; i++)
        if (armed[i] == t) {
            armed[i] = armed[--narmed];
            break;
        }
    t->heap_index = 0;
}

static void fake_at(void *ctx, struct timer *t, int64_t when_ms)
{
    fake_cancel(ctx, t);
    if (narmed >= FAKE_MAX_TIMERS) {
        fprintf(stderr, "fake clock: more than %d timers armed\n", FAKE_MAX_TIMERS);
        abort();
    }
    t->when_ms = when_ms;
    t->heap_index = 1;
    armed[narmed++] = t;
}

/* Moves the clock forward by ms, firing due timers in time order. */
static void advance(int64_t ms)
{
    int64_t target = clock_ms + ms;
    for (;;) {
        struct timer *next = NULL;
        for (int i = 0; i < narmed; i++)
            if (armed[i]->when_ms <= target && (!next || armed[i]->when_ms < next->when_ms))
                next = armed[i];
        if (!next)
            break;
        if (next->when_ms > clock_ms)
            clock_ms = next->when_ms;
        fake_cancel(NULL, next);
        next->cb(NULL, next->arg);
    }
    clock_ms = target;
}

/* The clock at start_ms with no timer armed, and the host that uses it. */
static struct group_host fake_host_reset(int64_t start_ms)
{
    clock_ms = start_ms;
    narmed = 0;
    return (struct group_host){NULL, fake_now, fake_at, fake_cancel};
}
#endif
