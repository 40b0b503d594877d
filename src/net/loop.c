#include "net/loop.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "core/slog.h"
#include "core/util.h"

#define MAX_EVENTS 256
#define MAX_HOOKS 8

struct hook {
    hook_cb cb;
    void *arg;
};

struct loop {
    int epfd;
    bool stop;
    int64_t now;
    struct timer **heap;      /* 1-based binary min-heap */
    size_t nheap, capheap;
    struct hook hooks[MAX_HOOKS];
    int nhooks;
    struct io_watch wake_watch;
    struct hook wake;
};

static void wake_readable(struct loop *l, void *arg, uint32_t ev)
{
    uint64_t v;
    while (read(l->wake_watch.fd, &v, sizeof(v)) > 0)
        ;
    if (l->wake.cb)
        l->wake.cb(l, l->wake.arg);
}

struct loop *loop_new(void)
{
    struct loop *l = xcalloc(1, sizeof(*l));
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        free(l);
        return NULL;
    }
    l->now = mono_ms();
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0 || loop_watch(l, &l->wake_watch, efd, EPOLLIN, wake_readable, NULL) < 0) {
        close(l->epfd);
        free(l);
        return NULL;
    }
    return l;
}

void loop_free(struct loop *l)
{
    if (!l)
        return;
    close(l->wake_watch.fd);
    close(l->epfd);
    free(l->heap);
    free(l);
}

int64_t loop_now_ms(struct loop *l) { return l->now; }
void loop_stop(struct loop *l) { l->stop = true; }

int loop_watch(struct loop *l, struct io_watch *w, int fd, uint32_t events, io_cb cb, void *arg)
{
    w->fd = fd;
    w->events = events;
    w->cb = cb;
    w->arg = arg;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int loop_watch_set(struct loop *l, struct io_watch *w, uint32_t events)
{
    if (w->events == events)
        return 0;
    w->events = events;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void loop_unwatch(struct loop *l, struct io_watch *w)
{
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    w->events = 0;
}

/* ---- timers: binary min-heap on when_ms ---- */

void timer_init(struct timer *t, timer_cb cb, void *arg)
{
    t->when_ms = 0;
    t->cb = cb;
    t->arg = arg;
    t->heap_index = 0;
}

static void heap_set(struct loop *l, size_t i, struct timer *t)
{
    l->heap[i] = t;
    t->heap_index = i;
}

static void heap_up(struct loop *l, size_t i)
{
    struct timer *t = l->heap[i];
    while (i > 1 && l->heap[i / 2]->when_ms > t->when_ms) {
        heap_set(l, i, l->heap[i / 2]);
        i /= 2;
    }
    heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
    struct timer *t = l->heap[i];
    for (;;) {
        size_t c = i * 2;
        if (c > l->nheap)
            break;
        if (c + 1 <= l->nheap && l->heap[c + 1]->when_ms < l->heap[c]->when_ms)
            c++;
        if (l->heap[c]->when_ms >= t->when_ms)
            break;
        heap_set(l, i, l->heap[c]);
        i = c;
    }
    heap_set(l, i, t);
}

void loop_timer_cancel(struct loop *l, struct timer *t)
{
    size_t i = t->heap_index;
    if (!i)
        return;
    struct timer *last = l->heap[l->nheap--];
    t->heap_index = 0;
    if (i <= l->nheap) {
        heap_set(l, i, last);
        heap_up(l, i);
        heap_down(l, last->heap_index);
    }
}

void loop_timer_at(struct loop *l, struct timer *t, int64_t when_ms)
{
    loop_timer_cancel(l, t);
    t->when_ms = when_ms;
    if (l->nheap + 1 >= l->capheap) {
        l->capheap = l->capheap ? l->capheap * 2 : 64;
        l->heap = xrealloc(l->heap, l->capheap * sizeof(*l->heap));
    }
    l->heap[++l->nheap] = t;
    t->heap_index = l->nheap;
    heap_up(l, l->nheap);
}

static void run_timers(struct loop *l)
{
    while (l->nheap && l->heap[1]->when_ms <= l->now) {
        struct timer *t = l->heap[1];
        loop_timer_cancel(l, t);
        t->cb(l, t->arg);
    }
}

void loop_add_before_sleep(struct loop *l, hook_cb cb, void *arg)
{
    if (l->nhooks < MAX_HOOKS)
        l->hooks[l->nhooks++] = (struct hook){cb, arg};
}

void loop_set_wake_handler(struct loop *l, hook_cb cb, void *arg) { l->wake = (struct hook){cb, arg}; }

void loop_wake(struct loop *l)
{
    uint64_t one = 1;
    ssize_t r = write(l->wake_watch.fd, &one, sizeof(one));
    (void)r;   /* EAGAIN means a wake-up is already pending */
}

void loop_run(struct loop *l)
{
    struct epoll_event events[MAX_EVENTS];
    l->stop = false;
    while (!l->stop) {
        for (int i = 0; i < l->nhooks; i++)
            l->hooks[i].cb(l, l->hooks[i].arg);
        int timeout = -1;
        if (l->nheap) {
            int64_t d = l->heap[1]->when_ms - mono_ms();
            timeout = d < 0 ? 0 : (int)MIN(d, 60000);
        }
        int n = epoll_wait(l->epfd, events, MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR) {
            log_error("loop", "epoll_wait failed", "error=\"%s\"", strerror(errno));
            break;
        }
        l->now = mono_ms();
        for (int i = 0; i < n; i++) {
            struct io_watch *w = events[i].data.ptr;
            w->cb(l, w->arg, events[i].events);
        }
        run_timers(l);
    }
}
