/* The event loop: epoll for sockets, a binary heap of timers, and
 * "before sleep" hooks that flush pending writes once per iteration
 * (so many responses made ready in one iteration go out in one write).
 * @locality: one thread; nothing here is thread-safe except loop_wake(). */
#ifndef SLUICE_LOOP_H
#define SLUICE_LOOP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/timer.h"

struct loop;

typedef void (*io_cb)(struct loop *l, void *arg, uint32_t events);
struct io_watch {
    int fd;
    uint32_t events;          /* EPOLLIN / EPOLLOUT currently watched */
    io_cb cb;
    void *arg;
};


struct loop *loop_new(void);
void loop_free(struct loop *l);
/* Runs until loop_stop(). */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);
int64_t loop_now_ms(struct loop *l);   /* monotonic time of this iteration */

int loop_watch(struct loop *l, struct io_watch *w, int fd, uint32_t events, io_cb cb, void *arg);
int loop_watch_set(struct loop *l, struct io_watch *w, uint32_t events);
void loop_unwatch(struct loop *l, struct io_watch *w);

void timer_init(struct timer *t, timer_cb cb, void *arg);
void loop_timer_at(struct loop *l, struct timer *t, int64_t when_ms);  /* (re)schedules */
void loop_timer_cancel(struct loop *l, struct timer *t);

typedef void (*hook_cb)(struct loop *l, void *arg);
void loop_add_before_sleep(struct loop *l, hook_cb cb, void *arg);

/* Cross-thread wake-up: another thread calls loop_wake(); the loop then
 * runs the callback given to loop_set_wake_handler on its own thread. */
void loop_set_wake_handler(struct loop *l, hook_cb cb, void *arg);
void loop_wake(struct loop *l);
#endif
