/* The registry's storage: every change is a record of the `_schemas`
 * topic (record.h says the format), appended through the broker's log
 * and answered once fsynced; at start the topic is read from its start
 * and every record applied in order.
 *
 * The append below is today's sequence (plog_append, then
 * partition_append_done and an ack waiter on the high watermark, as
 * src/group/offsets.c and the HTTP test message do). It is the one place
 * to switch to partition_append() and batch_build() once the append API
 * being carved out of topics.c lands.
 *
 * A change is applied in memory when appended, not when durable, so the
 * next request plans against it (two registrations in one fsync round
 * never take the same id); its answer still waits for the fsync. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "broker/broker.h"
#include "broker/partition.h"
#include "broker/topics.h"
#include "core/bytebuf.h"
#include "core/fileref.h"
#include "core/slog.h"
#include "core/util.h"
#include "core/sbuf.h"
#include "log/batch.h"
#include "log/batch_build.h"
#include "protocol/gen/errors.h"
#include "schema/record.h"
#include "schema/service.h"
#include "schema/store.h"

/* One commit waiting for its fsync. */
struct pending_commit {
    struct ack_waiter waiter;
    struct schema_service *svc;
    schema_commit_done done;
    void *ctx;
    struct pending_commit *prev, *next;
};

/* The topic's partition; created with the first change (a broker whose
 * registry is never used shows no `_schemas` topic). */
static struct partition *schemas_partition(struct broker *b, bool create, char *err, size_t errlen)
{
    struct topic *t = topic_find(b, kstr_c(SR_TOPIC));
    if (!t && create) {
        /* Never deleted by retention: until compaction exists, the
         * records stay so that they can move into a compacted topic. */
        struct topic_config cfg = {0};
        if (!topic_config_set(&cfg, "retention.ms", "-1", err, errlen) ||
            !topic_config_set(&cfg, "retention.bytes", "-1", err, errlen)) {
            topic_config_free(&cfg);
            return NULL;
        }
        int rc = topic_create(b, SR_TOPIC, 1, &cfg, false, &t, err, errlen);
        topic_config_free(&cfg);
        if (rc != 0)
            return NULL;
    }
    return t && t->partition_count > 0 ? t->partitions[0] : NULL;
}

/* ---- appending ---- */

/* One uncompressed batch of key/value records (a NULL value is a
 * tombstone), stamped now. */
static int build_batch(struct bytebuf *out, char **keys, char **values, size_t n)
{
    int64_t now = now_ms();
    struct batch_record *recs = xcalloc(n, sizeof(*recs));
    for (size_t i = 0; i < n; i++)
        recs[i] = (struct batch_record){.timestamp = now,
                                        .key = (const uint8_t *)keys[i],
                                        .key_len = keys[i] ? (int32_t)strlen(keys[i]) : -1,
                                        .value = (const uint8_t *)values[i],
                                        .value_len = values[i] ? (int32_t)strlen(values[i]) : -1};
    int rc = batch_build(out, NULL, recs, (int32_t)n);
    free(recs);
    return rc;
}

static void unlink_pending(struct schema_service *svc, struct pending_commit *pc)
{
    if (pc->prev)
        pc->prev->next = pc->next;
    else
        svc->pending = pc->next;
    if (pc->next)
        pc->next->prev = pc->prev;
}

static void on_durable(struct ack_waiter *w, int16_t error)
{
    struct pending_commit *pc = w->owner;
    w->partition = NULL;
    unlink_pending(pc->svc, pc);
    if (error)
        log_warn("schema", "change not stored", "error=%d", error);
    pc->done(pc->ctx, error ? SR_STORE_ERROR : SR_OK);
    free(pc);
}

void schema_commit(struct schema_service *svc, struct sr_change *changes, size_t n, schema_commit_done done,
                   void *ctx)
{
    char err[256] = "";
    struct broker *b = svc->b;
    struct partition *p = schemas_partition(b, true, err, sizeof(err));
    char **keys = xcalloc(n, sizeof(*keys)), **values = xcalloc(n, sizeof(*values));
    for (size_t i = 0; i < n; i++)
        sr_record_encode(&changes[i], &keys[i], &values[i]);
    struct bytebuf batch = {0};
    int rc = build_batch(&batch, keys, values, n) ? KERR_CORRUPT_MESSAGE : 0;
    for (size_t i = 0; i < n; i++) {
        free(keys[i]);
        free(values[i]);
    }
    free(keys);
    free(values);
    struct pending_commit *pc = xcalloc(1, sizeof(*pc));
    pc->svc = svc;
    pc->done = done;
    pc->ctx = ctx;
    pc->waiter.done = on_durable;
    pc->waiter.owner = pc;
    struct partition_appended a;
    a.error[0] = '\0';
    if (!rc)
        rc = !p ? -1 : partition_append(b, p, batch.p, batch.len, 1, NULL, &pc->waiter, &a);
    bytebuf_free(&batch);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            if (!sr_change_apply(&svc->reg, &changes[i]))
                log_warn("schema", "change refused", "subject=%s version=%d id=%d",
                         changes[i].subject ? changes[i].subject : "", changes[i].version, changes[i].id);
    } else {
        log_warn("schema", "change not appended", "error=%d reason=%s", rc, a.error[0] ? a.error : err);
    }
    for (size_t i = 0; i < n; i++)
        sr_change_free(&changes[i]);
    if (rc != 0) {
        free(pc);
        done(ctx, SR_STORE_ERROR);
        return;
    }
    pc->next = svc->pending;
    if (svc->pending)
        svc->pending->prev = pc;
    svc->pending = pc;
}

void schema_store_cancel_all(struct schema_service *svc)
{
    /* The records stay appended (a restart applies them); only nobody
     * is told. */
    while (svc->pending) {
        struct pending_commit *pc = svc->pending;
        unlink_pending(svc, pc);
        if (pc->waiter.partition)
            partition_remove_ack_waiter(pc->waiter.partition, &pc->waiter);
        pc->done(pc->ctx, SR_STORE_ERROR);
        free(pc);
    }
}

/* ---- replay ---- */

struct replay {
    struct schema_registry *reg;
    size_t applied, skipped;
};

static int replay_record(void *arg, const struct record_view *rec)
{
    struct replay *rp = arg;
    bool tombstone = !rec->value || rec->value_len < 0;
    if (rec->key && rec->key_len > 0 &&
        sr_record_apply(rp->reg, (const char *)rec->key, (size_t)rec->key_len, (const char *)rec->value,
                        tombstone ? 0 : (size_t)rec->value_len, tombstone))
        rp->applied++;
    else
        rp->skipped++;
    return 0;
}

int schema_store_load(struct schema_service *svc, char *err, size_t errlen)
{
    struct broker *b = svc->b;
    struct partition *p = schemas_partition(b, false, err, errlen);
    struct replay rp = {.reg = &svc->reg};
    if (!p)
        return 0;
    char why[200];
    if (plog_replay(p->log, b->validator, replay_record, &rp, NULL, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "cannot read %s: %s", SR_TOPIC, why);
        return -1;
    }
    size_t nsubjects;
    free((void *)sr_subjects(&svc->reg, true, &nsubjects));
    log_info("schema", "registry loaded", "records=%zu skipped=%zu subjects=%zu max_id=%d", rp.applied, rp.skipped,
             nsubjects, svc->reg.max_id);
    return 0;
}
