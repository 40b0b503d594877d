/* A partition's life, its append sequence and its waiters (partition.h). */
#include "broker/partition.h"
#include <stdio.h>
#include <stdlib.h>
#include "broker/broker.h"
#include "broker/flusher.h"
#include "broker/producers.h"
#include "broker/topics.h"
#include "core/invariant.h"
#include "core/slog.h"
#include "log/producer_state.h"
#include "protocol/gen/errors.h"

/* ---- life ---- */

struct partition *partition_open(struct broker *b, struct topic *t, int32_t index, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/%s-%d", b->data_dir, t->name, index);
    struct log_config lc = topic_log_config(b, t);
    struct plog *log = plog_open(dir, &lc, err, errlen);
    if (!log)
        return NULL;
    struct partition *p = xcalloc(1, sizeof(*p));
    p->topic = t;
    p->index = index;
    p->log = log;
    partition_producers_open(b, p);
    return p;
}

static void partition_free(struct partition *p)
{
    partition_producers_close(NULL, p, false);
    free(p);
}

void partition_close(struct broker *b, struct partition *p)
{
    partition_producers_close(b, p, true);
    plog_close(p->log);
    p->log = NULL;
    partition_free(p);
}

/* Calls done(error) for the queued waiters up to end, in order. */
static void release_acks(struct partition *p, int64_t end, int16_t error)
{
    while (p->ack_head && p->ack_head->end <= end) {
        struct ack_waiter *w = p->ack_head;
        p->ack_head = w->next;
        if (!p->ack_head)
            p->ack_tail = NULL;
        w->next = NULL;
        w->done(w, error);
    }
}

void partition_delete(struct broker *b, struct partition *p)
{
    /* Acks waiting on a deleted partition fail; fetches re-evaluate and
     * see the topic gone. */
    release_acks(p, INT64_MAX, KERR_UNKNOWN_TOPIC_OR_PARTITION);
    while (p->fetch_waiters) {
        struct fetch_link *l = p->fetch_waiters;
        void *owner = l->owner;
        partition_remove_fetch_waiter(l);
        b->hooks.fetch_wake(b, owner);
    }
    plog_delete(p->log);
    p->log = NULL;
    /* The flusher may still hold it: freed by partition_flushed then. */
    p->deleted = true;
    p->topic = NULL;
    if (p->flushes_in_flight == 0)
        partition_free(p);
}

/* ---- append ---- */

static void add_ack_waiter(struct partition *p, struct ack_waiter *w, int64_t end)
{
    /* Appends happen in offset order, so the list stays sorted; release_acks
     * stops at the first waiter past the high watermark and relies on it. */
    INVARIANT(!p->ack_tail || p->ack_tail->end <= end, "ack waiters in ascending end",
              "partition=%d tail_end=%lld new_end=%lld", p->index, (long long)(p->ack_tail ? p->ack_tail->end : -1),
              (long long)end);
    w->end = end;
    w->next = NULL;
    w->partition = p;
    if (p->ack_tail)
        p->ack_tail->next = w;
    else
        p->ack_head = w;
    p->ack_tail = w;
}

static void wait_durable(struct partition *p, struct ack_waiter *w, struct partition_appended *out)
{
    if (!w)
        return;
    add_ack_waiter(p, w, plog_log_end(p->log));   /* the log end keeps the waiters in order */
    out->waiting = true;
}

/* Step 2 of partition.h: 0 to append, PSTATE_DUPLICATE (out filled), or an error. */
static int check_producer(struct broker *b, struct partition *p, const struct append_producer *pr, int64_t now,
                          struct ack_waiter *w, struct partition_appended *out)
{
    struct pbatch dup;
    int rc = pstate_check(p->producers, pr->id, pr->epoch, pr->first_seq, pr->last_seq, now,
                          config_int(&b->cfg, P_PRODUCER_ID_EXPIRATION_MS), &dup);
    if (rc == PSTATE_DUPLICATE) {
        b->stats.duplicate_batches++;
        log_debug("producer", "duplicate batch", "topic=%s partition=%d producer_id=%lld epoch=%d "
                  "first_seq=%d last_seq=%d offset=%lld", p->topic ? p->topic->name : "-", p->index,
                  (long long)pr->id, pr->epoch, pr->first_seq, pr->last_seq, (long long)dup.first_off);
        out->duplicate = true;
        out->base_offset = dup.first_off;
        if (dup.last_off >= plog_high_watermark(p->log))
            wait_durable(p, w, out);
    } else if (rc) {
        pstate_explain(p->producers, rc, pr->id, pr->epoch, pr->first_seq, out->error, sizeof(out->error));
    }
    return rc;
}

int partition_append(struct broker *b, struct partition *p, uint8_t *records, size_t len, int32_t batch_count,
                     const struct append_producer *producer, struct ack_waiter *w, struct partition_appended *out)
{
    out->base_offset = out->log_append_time = -1;
    out->duplicate = out->waiting = false;
    out->error[0] = '\0';
    if (p->storage_error)
        return p->storage_error;
    int64_t now = producer ? now_ms() : 0;
    if (producer) {
        int rc = check_producer(b, p, producer, now, w, out);
        if (rc)
            return rc == PSTATE_DUPLICATE ? 0 : rc;
    }
    struct plog_appended a;
    int rc = plog_append(p->log, records, len, batch_count, &a);
    if (rc)
        return rc;
    /* A roll synced everything below the base: snapshot the producer
     * state as of there (before this append), bounding recovery's scan. */
    if (a.rolled)
        partition_producers_snapshot(p, a.base_offset);
    int64_t end = plog_log_end(p->log);
    if (producer && pstate_record(p->producers, producer->id, producer->epoch, producer->first_seq,
                                  producer->last_seq, a.base_offset, end - 1, now))
        producers_note_epoch(b, producer->id, producer->epoch);
    if (p->topic) {
        b->stats.records_produced_batches += (uint64_t)batch_count;
        b->stats.records_produced += (uint64_t)(end - a.base_offset);
        b->stats.produce_bytes += (uint64_t)len;
    }
    flusher_request(b->flusher, p);
    out->base_offset = a.base_offset;
    out->log_append_time = a.log_append_time;
    wait_durable(p, w, out);   /* never durable yet: the flusher has not run */
    return 0;
}

void partition_remove_ack_waiter(struct partition *p, struct ack_waiter *w)
{
    struct ack_waiter **pp = &p->ack_head, *prev = NULL;
    while (*pp && *pp != w) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = w->next;
    if (p->ack_tail == w)
        p->ack_tail = prev;
    w->next = NULL;
}

/* ---- the high watermark ---- */

void partition_flushed(struct broker *b, struct partition *p, int64_t end, int error)
{
    if (p->deleted) {
        if (p->flushes_in_flight == 0)
            partition_free(p);
        return;
    }
    if (error) {
        p->storage_error = (int16_t)error;
        /* Producers waiting on data that may not be durable get the error. */
        release_acks(p, end, (int16_t)error);
        return;
    }
    p->storage_error = 0;
    /* A roll may already have moved the high watermark past end (it
     * syncs the old segment itself): acks up to it are due either way. */
    bool moved = end > plog_high_watermark(p->log);
    if (moved)
        plog_set_high_watermark(p->log, end);
    release_acks(p, plog_high_watermark(p->log), 0);
    if (moved)
        for (struct fetch_link *l = p->fetch_waiters; l; l = l->next)
            b->hooks.fetch_wake(b, l->owner);
}

/* ---- parked fetches ---- */

void partition_add_fetch_waiter(struct partition *p, struct fetch_link *l)
{
    l->partition = p;
    l->prev = NULL;
    l->next = p->fetch_waiters;
    if (p->fetch_waiters)
        p->fetch_waiters->prev = l;
    p->fetch_waiters = l;
}

void partition_remove_fetch_waiter(struct fetch_link *l)
{
    struct partition *p = l->partition;
    if (!p)
        return;
    if (l->prev)
        l->prev->next = l->next;
    else
        p->fetch_waiters = l->next;
    if (l->next)
        l->next->prev = l->prev;
    l->prev = l->next = NULL;
    l->partition = NULL;
}
