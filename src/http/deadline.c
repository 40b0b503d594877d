/* Request deadlines (deadline.h): a list of the open connections, each
 * with the time its request must have arrived by (0: none now), and a
 * thread that looks at them a few times a second. */
#include "http/deadline.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include "core/util.h"

#define SWEEP_MS 250

struct tracked_conn {
    struct tracked_conn *prev, *next;
    int fd;
    int64_t deadline_us;             /* 0: its request has arrived */
};

struct http_deadlines {
    pthread_mutex_t mu;
    pthread_cond_t cv;               /* wakes the sweeper to stop */
    pthread_t sweeper;
    bool stopping;
    int64_t allowed_us;
    struct tracked_conn *conns;
};

struct timespec realtime_after_ms(int64_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static void *sweep(void *arg)
{
    struct http_deadlines *d = arg;
    pthread_mutex_lock(&d->mu);
    while (!d->stopping) {
        int64_t now = mono_us();
        for (struct tracked_conn *t = d->conns; t; t = t->next)
            if (t->deadline_us && now > t->deadline_us) {
                /* libmicrohttpd reads EOF and closes it (then tells us). */
                shutdown(t->fd, SHUT_RDWR);
                t->deadline_us = 0;
            }
        struct timespec until = realtime_after_ms(SWEEP_MS);
        pthread_cond_timedwait(&d->cv, &d->mu, &until);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

struct http_deadlines *deadlines_start(unsigned seconds)
{
    struct http_deadlines *d = xcalloc(1, sizeof(*d));
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    d->allowed_us = (int64_t)seconds * 1000000;
    if (pthread_create(&d->sweeper, NULL, sweep, d) != 0) {
        pthread_mutex_destroy(&d->mu);
        pthread_cond_destroy(&d->cv);
        free(d);
        return NULL;
    }
    return d;
}

void deadlines_free(struct http_deadlines *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    d->stopping = true;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->sweeper, NULL);
    while (d->conns) {   /* none once the daemon has stopped; just in case */
        struct tracked_conn *t = d->conns;
        d->conns = t->next;
        free(t);
    }
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    free(d);
}

void deadlines_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    struct http_deadlines *d = cls;
    struct tracked_conn *t = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED && !t) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!info)
            return;
        t = xcalloc(1, sizeof(*t));
        t->fd = info->connect_fd;
        pthread_mutex_lock(&d->mu);
        t->deadline_us = mono_us() + d->allowed_us;
        t->next = d->conns;
        if (d->conns)
            d->conns->prev = t;
        d->conns = t;
        pthread_mutex_unlock(&d->mu);
        *socket_context = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && t) {
        pthread_mutex_lock(&d->mu);
        if (t->prev)
            t->prev->next = t->next;
        else
            d->conns = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&d->mu);
        free(t);
        *socket_context = NULL;
    }
}

static void set_deadline(struct http_deadlines *d, struct MHD_Connection *c, bool restart)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct tracked_conn *t = info ? info->socket_context : NULL;
    if (!t)
        return;
    pthread_mutex_lock(&d->mu);
    t->deadline_us = restart ? mono_us() + d->allowed_us : 0;
    pthread_mutex_unlock(&d->mu);
}

void deadline_clear(struct http_deadlines *d, struct MHD_Connection *c) { set_deadline(d, c, false); }

void deadline_restart(struct http_deadlines *d, struct MHD_Connection *c) { set_deadline(d, c, true); }
