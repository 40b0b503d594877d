#include "broker/producers.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker/broker.h"
#include "broker/topics.h"
#include "core/slog.h"
#include "core/util.h"
#include "log/batch.h"
#include "log/fileio.h"
#include "log/producer_state.h"
#include "protocol/gen/errors.h"

static void ids_path(struct broker *b, char *out, size_t n) { snprintf(out, n, "%s/producer-ids", b->data_dir); }

int producers_load(struct broker *b, char *err, size_t errlen)
{
    struct producer_ids *pi = &b->producer_ids;
    pi->epochs = pstate_new();
    char path[PATH_MAX];
    ids_path(b, path, sizeof(path));
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[128];
    long long v = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "next.producer.id.block=%lld", &v) == 1)
            break;
    fclose(f);
    if (v < 0) {
        snprintf(err, errlen, "%s: no next.producer.id.block line", path);
        return -1;
    }
    /* Ids below the persisted mark may have been handed out: never again. */
    pi->next = pi->block_end = v;
    return 0;
}

void producers_free(struct broker *b)
{
    pstate_free(b->producer_ids.epochs);
    b->producer_ids.epochs = NULL;
}

static int allocate(struct broker *b, int64_t *out)
{
    struct producer_ids *pi = &b->producer_ids;
    if (pi->next >= pi->block_end) {
        int64_t end = pi->next + PRODUCER_ID_BLOCK;
        char path[PATH_MAX], text[128];
        ids_path(b, path, sizeof(path));
        int n = snprintf(text, sizeof(text), "# Written by sluice: producer ids below this are allocated\n"
                                             "next.producer.id.block=%lld\n", (long long)end);
        if (fileio_write_atomic(path, text, (size_t)n) != 0) {
            log_error("producer", "cannot persist producer id block", "file=%s error=\"%s\"", path, strerror(errno));
            return KERR_COORDINATOR_NOT_AVAILABLE;
        }
        pi->block_end = end;
    }
    *out = pi->next++;
    return 0;
}

struct find_epoch {
    int64_t pid;
    int16_t epoch;
    bool found;
};

static void find_epoch_topic(struct topic *t, void *arg)
{
    struct find_epoch *f = arg;
    for (int32_t i = 0; i < t->partition_count; i++) {
        struct pentry *e = t->partitions[i]->producers ? pstate_find(t->partitions[i]->producers, f->pid) : NULL;
        if (e && (!f->found || e->epoch > f->epoch)) {
            f->epoch = e->epoch;
            f->found = true;
        }
    }
}

int producers_init(struct broker *b, int64_t pid, int16_t epoch, int64_t *out_pid, int16_t *out_epoch)
{
    struct producer_ids *pi = &b->producer_ids;
    int64_t now = now_ms();
    if (pid >= 0) {
        /* KIP-360: the producer asks for an epoch bump of its own id. */
        struct pentry *e = pstate_find(pi->epochs, pid);
        if (!e) {
            /* Not touched lately (its entry here expired while it kept
             * producing with one epoch): the partitions may know it. */
            struct find_epoch f = {.pid = pid};
            topics_for_each(b, find_epoch_topic, &f);
            if (f.found) {
                e = pstate_upsert(pi->epochs, pid);
                e->epoch = f.epoch;
            }
        }
        if (!e || epoch < 0 || epoch < e->epoch)
            return KERR_INVALID_PRODUCER_EPOCH;
        if (epoch < INT16_MAX - 1) {
            e->epoch = (int16_t)(epoch + 1);
            e->last_ms = now;
            *out_pid = pid;
            *out_epoch = e->epoch;
            log_info("producer", "producer epoch bumped", "producer_id=%lld epoch=%d", (long long)pid, e->epoch);
            return 0;
        }
        /* Epoch exhausted: a new id, as Kafka does. */
    }
    int64_t id;
    int rc = allocate(b, &id);
    if (rc)
        return rc;
    struct pentry *e = pstate_upsert(pi->epochs, id);
    e->epoch = 0;
    e->last_ms = now;
    *out_pid = id;
    *out_epoch = 0;
    return 0;
}

void producers_note_epoch(struct broker *b, int64_t pid, int16_t epoch)
{
    struct pentry *e = pstate_upsert(b->producer_ids.epochs, pid);
    if (epoch > e->epoch)
        e->epoch = epoch;
    e->last_ms = now_ms();
}

static void expire_topic(struct topic *t, void *arg)
{
    int64_t *a = arg;
    for (int32_t i = 0; i < t->partition_count; i++)
        if (t->partitions[i]->producers)
            pstate_expire(t->partitions[i]->producers, a[0], a[1]);
}

void producers_expire(struct broker *b, int64_t now)
{
    int64_t a[2] = {now, config_int(&b->cfg, P_PRODUCER_ID_EXPIRATION_MS)};
    topics_for_each(b, expire_topic, a);
    if (b->producer_ids.epochs)
        pstate_expire(b->producer_ids.epochs, now, a[1]);
}

/* ---- per partition ---- */

struct rebuild {
    struct broker *b;
    struct pstate *ps;
    int64_t now;
    uint64_t batches;
};

static int rebuild_batch(void *arg, const struct batch_info *bi)
{
    struct rebuild *r = arg;
    r->batches++;
    if (bi->producer_id < 0 || (bi->attributes & BATCH_ATTR_CONTROL))
        return 0;
    /* Activity time is the rebuild's: record timestamps are the client's. */
    pstate_record(r->ps, bi->producer_id, bi->producer_epoch, bi->base_sequence,
                  pstate_last_seq(bi->base_sequence, bi->last_offset_delta), bi->base_offset,
                  bi->base_offset + bi->last_offset_delta, r->now);
    return 0;
}

static void note_epoch(const struct pentry *e, void *arg)
{
    struct broker *b = arg;
    /* Never hand out an id the logs already hold (a lost producer-ids file). */
    if (e->pid >= b->producer_ids.next)
        b->producer_ids.next = e->pid + 1;
    struct pentry *g = pstate_upsert(b->producer_ids.epochs, e->pid);
    if (e->epoch > g->epoch)
        g->epoch = e->epoch;
    if (e->last_ms > g->last_ms)
        g->last_ms = e->last_ms;
}

static void snapshot_path(struct partition *p, char *out, size_t n)
{
    snprintf(out, n, "%s/producer-state", plog_dir(p->log));
}

void partition_producers_open(struct broker *b, struct partition *p)
{
    int64_t t0 = mono_us();
    char path[PATH_MAX];
    snapshot_path(p, path, sizeof(path));
    struct rebuild r = {.b = b, .ps = pstate_new(), .now = now_ms()};
    int64_t snap_end = -1, from = plog_log_start(p->log);
    bool had_snapshot = false;
    if (pstate_load(r.ps, path, &snap_end) == 0) {
        had_snapshot = true;
        if (snap_end >= plog_log_start(p->log) && snap_end <= plog_log_end(p->log)) {
            from = snap_end;
        } else {
            /* It describes a log that is no longer there (truncated tail,
             * deleted head): rebuild from the log alone, and never use it again. */
            log_warn("producer", "discarding producer state snapshot", "file=%s snapshot_end=%lld log_end=%lld",
                     path, (long long)snap_end, (long long)plog_log_end(p->log));
            fileio_unlink(path);
            pstate_free(r.ps);
            r.ps = pstate_new();
            had_snapshot = false;
        }
    }
    int rc = plog_for_each_batch(p->log, from, rebuild_batch, &r);
    if (rc)
        log_warn("producer", "producer state rebuild stopped early", "dir=%s error=%s", plog_dir(p->log),
                 kafka_error_name(rc));
    pstate_expire(r.ps, r.now, config_int(&b->cfg, P_PRODUCER_ID_EXPIRATION_MS));
    p->producers = r.ps;
    if (b->producer_ids.epochs)
        pstate_for_each(r.ps, note_epoch, b);
    /* Logged when batch headers had to be read (no snapshot, or a crash). */
    if (r.batches)
        log_info("producer", "producer state loaded", "dir=%s snapshot=%s from_offset=%lld batches_scanned=%llu "
                 "producers=%zu ms=%.1f", plog_dir(p->log), had_snapshot ? "yes" : "no", (long long)from,
                 (unsigned long long)r.batches, r.ps->count, (double)(mono_us() - t0) / 1000.0);
}

void partition_producers_snapshot(struct partition *p, int64_t upto)
{
    if (!p->producers || !p->log)
        return;
    char path[PATH_MAX];
    snapshot_path(p, path, sizeof(path));
    /* Written even when empty: the next start reads no log below upto. */
    if (pstate_save(p->producers, path, upto) != 0)
        log_warn("producer", "cannot write producer state snapshot", "file=%s error=\"%s\"", path, strerror(errno));
}

void partition_producers_close(struct broker *b, struct partition *p, bool clean)
{
    if (!p->producers)
        return;
    if (clean && p->log)
        partition_producers_snapshot(p, plog_log_end(p->log));
    pstate_free(p->producers);
    p->producers = NULL;
}
