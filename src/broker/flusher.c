#include "broker/flusher.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "broker/broker.h"
#include "broker/topics.h"
#include "core/fileref.h"
#include "core/invariant.h"
#include "core/slog.h"
#include "core/util.h"
#include "log/fileio.h"
#include "protocol/gen/errors.h"

struct flush_entry {
    struct partition *p;
    struct fileref *file;
    int64_t end;
    int error;
};

struct entry_list {
    struct flush_entry *v;
    size_t n, cap;
};

struct flusher {
    struct broker *b;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct entry_list pending;   /* loop -> flusher */
    struct entry_list done;      /* flusher -> loop */
    uint64_t gen;                /* bumps each time pending is taken */
    bool stop;
    int64_t test_delay_ms;       /* sluice.test.fsync.delay.ms */
    uint64_t fsyncs, rounds, fsync_us;
    uint64_t fsync_bucket[STATS_LAT_BUCKETS + 1];   /* latency histogram (stats.h bounds) */
};

static void list_push(struct entry_list *l, struct flush_entry e)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = e;
}

/* Sorts by file pointer so each file is synced once per round. */
static int by_file(const void *a, const void *b)
{
    const struct flush_entry *x = a, *y = b;
    return x->file < y->file ? -1 : x->file > y->file;
}

static void *flusher_main(void *arg)
{
    struct flusher *f = arg;
    struct entry_list work = {0};
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->pending.n && !f->stop)
            pthread_cond_wait(&f->cv, &f->mu);
        if (!f->pending.n && f->stop)
            break;
        struct entry_list tmp = f->pending;
        f->pending = work;
        f->pending.n = 0;
        work = tmp;
        f->gen++;
        pthread_mutex_unlock(&f->mu);

        if (f->test_delay_ms > 0)
            usleep((useconds_t)f->test_delay_ms * 1000);
        qsort(work.v, work.n, sizeof(*work.v), by_file);
        uint64_t syncs = 0, us = 0, bucket[STATS_LAT_BUCKETS + 1] = {0};
        for (size_t i = 0; i < work.n; i++) {
            if (i > 0 && work.v[i].file == work.v[i - 1].file) {
                work.v[i].error = work.v[i - 1].error;
                continue;
            }
            int64_t t0 = mono_us();
            int rc = fileio_fdatasync(work.v[i].file->fd);
            uint64_t one = (uint64_t)(mono_us() - t0);
            us += one;
            int bi = 0;
            while (bi < STATS_LAT_BUCKETS && one > stats_lat_bounds_us[bi])
                bi++;
            bucket[bi]++;
            syncs++;
            work.v[i].error = rc == 0 ? 0 : KERR_KAFKA_STORAGE_ERROR;
            if (rc != 0)
                log_error("flush", "fdatasync failed", "error=\"%s\"", strerror(errno));
        }

        pthread_mutex_lock(&f->mu);
        for (size_t i = 0; i < work.n; i++)
            list_push(&f->done, work.v[i]);
        work.n = 0;
        f->fsyncs += syncs;
        f->fsync_us += us;
        for (int bi = 0; bi <= STATS_LAT_BUCKETS; bi++)
            f->fsync_bucket[bi] += bucket[bi];
        f->rounds++;
        pthread_mutex_unlock(&f->mu);
        loop_wake(f->b->loop);
        pthread_mutex_lock(&f->mu);
    }
    pthread_mutex_unlock(&f->mu);
    free(work.v);
    return NULL;
}

/* On the loop thread: apply what the flusher finished. */
static void flusher_collect(struct loop *l, void *arg)
{
    struct flusher *f = arg;
    struct broker *b = f->b;
    pthread_mutex_lock(&f->mu);
    struct entry_list done = f->done;
    f->done = (struct entry_list){0};
    b->stats.fsyncs = f->fsyncs;
    b->stats.fsync_rounds = f->rounds;
    b->stats.fsync_us_total = f->fsync_us;
    memcpy(b->stats.fsync_bucket, f->fsync_bucket, sizeof(f->fsync_bucket));
    pthread_mutex_unlock(&f->mu);
    for (size_t i = 0; i < done.n; i++) {
        struct flush_entry *e = &done.v[i];
        fileref_put(e->file);
        e->p->flushes_in_flight--;
        INVARIANT(e->p->flushes_in_flight >= 0, "flushes in flight >= 0", "partition=%d in_flight=%d",
                  e->p->index, e->p->flushes_in_flight);
        partition_flushed(b, e->p, e->end, e->error);
    }
    free(done.v);
}

struct flusher *flusher_start(struct broker *b)
{
    struct flusher *f = xcalloc(1, sizeof(*f));
    f->b = b;
    f->gen = 1;
    f->test_delay_ms = config_int(&b->cfg, P_TEST_FSYNC_DELAY_MS);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    int rc = pthread_create(&f->thread, NULL, flusher_main, f);
    if (rc != 0) {
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->cv);
        free(f);
        errno = rc;   /* for the caller's message */
        return NULL;
    }
    /* the thread wakes the loop only after a request, which comes later */
    loop_set_wake_handler(b->loop, flusher_collect, f);
    return f;
}

void flusher_stop(struct flusher *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    flusher_collect(f->b->loop, f);
    free(f->pending.v);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
}

void flusher_request(struct flusher *f, struct partition *p)
{
    struct fileref *file = plog_active_file(p->log);
    int64_t end = plog_log_end(p->log);
    pthread_mutex_lock(&f->mu);
    if (p->flush_slot_gen == f->gen && p->flush_slot < f->pending.n && f->pending.v[p->flush_slot].p == p) {
        /* Already queued this round: just extend it. A roll since then
         * synced the old file itself, so the new one is what's left. */
        struct flush_entry *e = &f->pending.v[p->flush_slot];
        if (e->file != file) {
            fileref_put(e->file);
            e->file = fileref_get(file);
        }
        e->end = end;
    } else {
        p->flush_slot = f->pending.n;
        p->flush_slot_gen = f->gen;
        p->flushes_in_flight++;
        list_push(&f->pending, (struct flush_entry){p, fileref_get(file), end, 0});
        pthread_cond_signal(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
}
