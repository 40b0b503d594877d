/* Committed offsets and their log.
 *
 * The coordinator keeps its own partition log in
 * <log.dirs>/__consumer_offsets-0. It is not a topic (clients cannot see,
 * produce to or delete it), but it is a struct partition like any other,
 * so the flusher fsyncs it with the rest (group commit) and an
 * OffsetCommit is answered through an ack waiter on its high watermark,
 * exactly like Produce acks=all. Retention never deletes from it; the
 * snapshot compaction below keeps it small.
 *
 * One record per committed partition, in our own format (big-endian,
 * strings int16 length; Kafka's __consumer_offsets schema is not needed
 * since nothing but this broker reads the file):
 *   key   int16 1 | string group | string topic | int32 partition
 *   value int16 1 | int64 offset | int32 leader epoch | nullable string
 *         metadata | int64 commit time (ms)
 *   a null value is a tombstone (offset deleted, expired or group deleted)
 * At start the whole log is replayed in order; the last record per key
 * wins. Groups that have offsets come back as Empty groups. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "broker/broker.h"
#include "broker/partition.h"
#include "core/bytebuf.h"
#include "core/fileref.h"
#include "core/slog.h"
#include "group/group.h"
#include "log/batch.h"
#include "log/batch_build.h"
#include "protocol/gen/errors.h"

#define REC_OFFSET 1

static void put_str(struct bytebuf *b, const char *s, int32_t len)
{
    if (!s || len < 0) {
        bytebuf_be(b, (uint16_t)-1, 2);
        return;
    }
    bytebuf_be(b, (uint16_t)len, 2);
    bytebuf_put(b, s, (size_t)len);
}

/* Offset records on their way into one batch: their keys and values
 * end to end in one buffer. */
struct offset_records {
    struct bytebuf bytes;
    struct record_span {
        size_t key_at, value_at;
        int32_t key_len, value_len;   /* value -1: a tombstone */
    } *v;
    int32_t n, cap;
};

/* One offset record (a tombstone when delete is set), as described above. */
static void add_offset_record(struct offset_records *r, const char *group, const char *topic, int32_t partition,
                              bool delete, int64_t offset, int32_t epoch, const char *meta, int32_t meta_len,
                              int64_t ts)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = xrealloc(r->v, (size_t)r->cap * sizeof(*r->v));
    }
    struct record_span *f = &r->v[r->n++];
    struct bytebuf *b = &r->bytes;
    f->key_at = b->len;
    bytebuf_be(b, REC_OFFSET, 2);
    put_str(b, group, (int32_t)strlen(group));
    put_str(b, topic, (int32_t)strlen(topic));
    bytebuf_be(b, (uint32_t)partition, 4);
    f->key_len = (int32_t)(b->len - f->key_at);
    f->value_at = b->len;
    f->value_len = -1;
    if (!delete) {
        bytebuf_be(b, 1, 2);
        bytebuf_be(b, (uint64_t)offset, 8);
        bytebuf_be(b, (uint32_t)epoch, 4);
        put_str(b, meta, meta_len);
        bytebuf_be(b, (uint64_t)ts, 8);
        f->value_len = (int32_t)(b->len - f->value_at);
    }
}

/* Appends the records (at least one) to the offsets log as one batch
 * stamped ts, and empties r. w, if given, is told once it is durable. */
static int append_records(struct broker *b, struct offset_records *r, int64_t ts, struct ack_waiter *w)
{
    struct batch_record *recs = xcalloc((size_t)r->n, sizeof(*recs));
    for (int32_t i = 0; i < r->n; i++) {
        const struct record_span *f = &r->v[i];
        recs[i] = (struct batch_record){.timestamp = ts, .key = r->bytes.p + f->key_at, .key_len = f->key_len,
                                        .value = f->value_len >= 0 ? r->bytes.p + f->value_at : NULL,
                                        .value_len = f->value_len};
    }
    struct bytebuf batch = {0};
    int rc = batch_build(&batch, NULL, recs, r->n) ? KERR_CORRUPT_MESSAGE : 0;
    free(recs);
    struct partition_appended a;
    if (!rc)
        rc = partition_append(b, &b->groups->log, batch.p, batch.len, 1, NULL, w, &a);
    bytebuf_free(&batch);
    r->n = 0;
    r->bytes.len = 0;
    return rc;
}

static void records_free(struct offset_records *r)
{
    bytebuf_free(&r->bytes);
    free(r->v);
}

/* ---- writes ---- */

struct write_item {
    char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch;
    char *metadata;
    int32_t metadata_len;
};

struct offsets_write {
    struct ack_waiter waiter;
    struct broker *b;
    char *group_id;
    struct write_item *items;
    int n;
    bool tombstones;
    int64_t commit_ms;
    void (*done)(void *arg, int16_t error);
    void *arg;
};

static void write_free(struct offsets_write *w)
{
    for (int i = 0; i < w->n; i++) {
        free(w->items[i].topic);
        free(w->items[i].metadata);
    }
    free(w->items);
    free(w->group_id);
    free(w);
}

static void on_write_durable(struct ack_waiter *aw, int16_t error)
{
    struct offsets_write *w = aw->owner;
    w->waiter.partition = NULL;
    if (!error && !w->tombstones) {
        struct cgroup *g = group_get_or_create(w->b, kstr_c(w->group_id));
        for (int i = 0; i < w->n; i++)
            offset_set(g, w->items[i].topic, w->items[i].partition, w->items[i].offset, w->items[i].leader_epoch,
                       w->items[i].metadata, w->items[i].metadata_len, w->commit_ms);
    }
    if (w->done)
        w->done(w->arg, error);
    write_free(w);
}

void offsets_write_cancel(struct offsets_write *w)
{
    /* The write still lands and is applied; only nobody is told. */
    if (w)
        w->done = NULL;
}

int offsets_write(struct broker *b, struct cgroup *g, struct offset_commit_item *items, int n, bool tombstones,
                  void (*done)(void *arg, int16_t error), void *arg, struct offsets_write **handle)
{
    if (n <= 0)
        return -1;
    int64_t ts = now_ms();
    struct offset_records recs = {0};
    for (int i = 0; i < n; i++)
        add_offset_record(&recs, g->id, items[i].topic, items[i].partition, tombstones, items[i].offset,
                          items[i].leader_epoch, items[i].metadata.p, items[i].metadata.len, ts);
    struct offsets_write *w = xcalloc(1, sizeof(*w));
    w->waiter.done = on_write_durable;
    w->waiter.owner = w;
    int rc = append_records(b, &recs, ts, &w->waiter);
    records_free(&recs);
    if (rc) {
        free(w);
        return rc;
    }
    w->b = b;
    w->group_id = xstrdup(g->id);
    w->n = n;
    w->tombstones = tombstones;
    w->commit_ms = ts;
    w->done = done;
    w->arg = arg;
    w->items = xcalloc((size_t)n, sizeof(*w->items));
    for (int i = 0; i < n; i++) {
        w->items[i].topic = xstrdup(items[i].topic);
        w->items[i].partition = items[i].partition;
        w->items[i].offset = items[i].offset;
        w->items[i].leader_epoch = items[i].leader_epoch;
        w->items[i].metadata_len = items[i].metadata.len;
        if (items[i].metadata.len >= 0)
            w->items[i].metadata = xstrndup(items[i].metadata.p ? items[i].metadata.p : "",
                                            (size_t)items[i].metadata.len);
        if (tombstones)
            offsets_remove(g, items[i].topic, items[i].partition);
    }
    if (handle)
        *handle = w;
    return 0;
}

/* ---- expiry and deleted topics ---- */

/* Writes tombstones for g's offsets that match, and drops them from
 * memory. Returns how many were written (0 when none matched or the
 * write could not start). */
static int tombstone_matching(struct broker *b, struct cgroup *g,
                              bool (*match)(const struct cgroup *g, const struct committed_offset *o, const void *arg),
                              const void *arg)
{
    int n = 0;
    for (struct committed_offset *o = g->offsets; o; o = o->next)
        if (match(g, o, arg))
            n++;
    if (n == 0)
        return 0;
    struct offset_commit_item *items = xcalloc((size_t)n, sizeof(*items));
    char **names = xcalloc((size_t)n, sizeof(char *));   /* offsets_write frees the offsets it removes */
    int k = 0;
    for (struct committed_offset *o = g->offsets; o; o = o->next)
        if (match(g, o, arg)) {
            names[k] = xstrdup(o->topic);
            items[k].topic = names[k];
            items[k].partition = o->partition;
            k++;
        }
    int written = offsets_write(b, g, items, n, true, NULL, NULL, NULL) == 0 ? n : 0;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(items);
    return written;
}

static bool in_topic(const struct cgroup *g, const struct committed_offset *o, const void *topic)
{
    return !strcmp(o->topic, topic);
}

void offsets_forget_topic(struct broker *b, const char *topic)
{
    struct group_coordinator *gc = b->groups;
    if (!gc)
        return;   /* not started yet (a topic created and undone at start-up) */
    for (struct cgroup *g = gc->groups, *next; g; g = next) {
        next = g->next;
        int n = tombstone_matching(b, g, in_topic, topic);
        if (n == 0)
            continue;
        log_info("group", "offsets of a deleted topic removed", "group=%s topic=%s partitions=%d", g->id, topic, n);
        if (g->state == GROUP_EMPTY && !g->offsets && !g->members && !g->pending)
            group_delete(g);
    }
}

struct expiry {
    int64_t now, retention;
};

static bool expired(const struct cgroup *g, const struct committed_offset *o, const void *arg)
{
    const struct expiry *x = arg;
    return MAX(o->commit_ms, g->state_since_ms) + x->retention <= x->now;
}

int offsets_expire(struct broker *b, int64_t now)
{
    struct group_coordinator *gc = b->groups;
    int64_t retention = config_int(&b->cfg, P_TEST_OFFSETS_RETENTION_MS);
    if (retention < 0)
        retention = config_int(&b->cfg, P_OFFSETS_RETENTION_MINUTES) * 60000;
    struct expiry x = {now, retention};
    int count = 0;
    for (struct cgroup *g = gc->groups, *next; g; g = next) {
        next = g->next;
        if (g->state != GROUP_EMPTY)
            continue;
        int n = tombstone_matching(b, g, expired, &x);
        if (n > 0) {
            count += n;
            log_info("group", "offsets expired", "group=%s partitions=%d", g->id, n);
        }
        group_prune_pending(g, loop_now_ms(b->loop));
        if (!g->offsets && !g->members && !g->pending)
            group_delete(g);
    }
    return count;
}

/* ---- compaction ----
 * Without log compaction the offsets log would grow with every commit.
 * When it holds many more records than there are live offsets, the live
 * offsets are written again at its end (a snapshot, with their original
 * commit times) and, once that is durable, the log start moves up to the
 * snapshot, so whole segments before it are deleted and a restart
 * replays little. It runs only while no write is in flight, so the
 * in-memory offsets are exactly what the log says up to its end. */

#define COMPACT_MIN_RECORDS 1000
#define SNAPSHOT_BATCH 500

static void on_snapshot_durable(struct ack_waiter *w, int16_t error)
{
    struct group_coordinator *gc = w->owner;
    w->partition = NULL;
    gc->compacting = false;
    if (error)
        return;
    int64_t before = plog_log_start(gc->plog);
    if (plog_delete_records(gc->plog, gc->snapshot_base) == 0)
        log_info("group", "offsets log compacted", "log_start=%lld records_dropped=%lld",
                 (long long)plog_log_start(gc->plog), (long long)(plog_log_start(gc->plog) - before));
}

int offsets_compact(struct broker *b, bool force)
{
    struct group_coordinator *gc = b->groups;
    struct plog *l = gc->plog;
    if (gc->compacting || gc->log.ack_head || gc->log.storage_error || plog_high_watermark(l) != plog_log_end(l))
        return 0;
    int64_t records = plog_log_end(l) - plog_log_start(l), live = 0;
    for (struct cgroup *g = gc->groups; g; g = g->next)
        for (struct committed_offset *o = g->offsets; o; o = o->next)
            live++;
    if (!force && (records < COMPACT_MIN_RECORDS || records <= 2 * live))
        return 0;
    gc->snapshot_base = plog_log_end(l);
    if (live == 0) {
        on_snapshot_durable(&gc->snapshot_waiter, 0);
        return 1;
    }
    struct offset_records recs = {0};
    int64_t ts = now_ms();
    int rc = 0;
    for (struct cgroup *g = gc->groups; g && !rc; g = g->next)
        for (struct committed_offset *o = g->offsets; o && !rc; o = o->next) {
            if (recs.n == SNAPSHOT_BATCH)
                rc = append_records(b, &recs, ts, NULL);
            add_offset_record(&recs, g->id, o->topic, o->partition, false, o->offset, o->leader_epoch, o->metadata,
                              o->metadata ? (int32_t)strlen(o->metadata) : -1, o->commit_ms);
        }
    /* The last batch (there is one: live > 0) carries the waiter. */
    gc->snapshot_waiter.done = on_snapshot_durable;
    gc->snapshot_waiter.owner = gc;
    if (!rc)
        rc = append_records(b, &recs, ts, &gc->snapshot_waiter);
    records_free(&recs);
    if (rc) {
        log_warn("group", "offsets log snapshot failed", "error=%s", kafka_error_name(rc));
        return 0;
    }
    gc->compacting = true;
    return 1;
}

static void on_expiry_timer(struct loop *l, void *arg)
{
    struct broker *b = arg;
    offsets_expire(b, now_ms());
    offsets_compact(b, false);
    loop_timer_at(l, &b->groups->expiry_timer,
                  loop_now_ms(l) + config_int(&b->cfg, P_OFFSETS_RETENTION_CHECK_INTERVAL_MS));
}

/* ---- replay ---- */

struct rd {
    const uint8_t *p, *end;
    bool err;
};
static uint64_t rd_be(struct rd *r, int bytes)
{
    if (r->end - r->p < bytes) {
        r->err = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = (v << 8) | *r->p++;
    return v;
}
static const char *rd_str(struct rd *r, int32_t *len)
{
    int16_t n = (int16_t)rd_be(r, 2);
    *len = n;
    if (n < 0)
        return NULL;
    if (r->end - r->p < n) {
        r->err = true;
        return NULL;
    }
    const char *s = (const char *)r->p;
    r->p += n;
    return s;
}

static int replay_record(void *arg, const struct record_view *rec)
{
    struct broker *b = arg;
    if (!rec->key || rec->key_len < 2)
        return 0;
    struct rd k = {rec->key, rec->key + rec->key_len, false};
    if (rd_be(&k, 2) != REC_OFFSET)
        return 0;
    int32_t glen, tlen;
    const char *gid = rd_str(&k, &glen);
    const char *topic = rd_str(&k, &tlen);
    int32_t partition = (int32_t)rd_be(&k, 4);
    if (k.err || !gid || !topic)
        return 0;
    char *topic_c = xstrndup(topic, (size_t)tlen);
    struct cgroup *g = group_get_or_create(b, (struct kstr){gid, glen});
    if (!rec->value || rec->value_len < 0) {
        offsets_remove(g, topic_c, partition);
        if (!g->offsets)
            group_delete(g);
    } else {
        struct rd v = {rec->value, rec->value + rec->value_len, false};
        rd_be(&v, 2);
        int64_t offset = (int64_t)rd_be(&v, 8);
        int32_t epoch = (int32_t)rd_be(&v, 4);
        int32_t mlen;
        const char *meta = rd_str(&v, &mlen);
        int64_t ts = (int64_t)rd_be(&v, 8);
        if (!v.err)
            offset_set(g, topic_c, partition, offset, epoch, meta, mlen, ts);
    }
    free(topic_c);
    return 0;
}

static int replay(struct broker *b, char *err, size_t errlen)
{
    size_t records = 0;
    char why[200];
    if (plog_replay(b->groups->plog, b->validator, replay_record, b, &records, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "cannot read the offsets log: %s", why);
        return -1;
    }
    size_t ngroups = 0;
    for (struct cgroup *g = b->groups->groups; g; g = g->next)
        ngroups++;
    log_info("group", "offsets loaded", "records=%zu groups=%zu", records, ngroups);
    return 0;
}

int groups_start(struct broker *b, char *err, size_t errlen)
{
    struct group_coordinator *gc = xcalloc(1, sizeof(*gc));
    group_coordinator_bind(gc, b);
    b->groups = gc;
    char dir[PATH_MAX + 32];
    snprintf(dir, sizeof(dir), "%s/__consumer_offsets-0", b->data_dir);
    struct log_config lc = {.segment_bytes = 8 * 1024 * 1024,
                            .segment_ms = INT64_MAX / 4,
                            .retention_ms = -1,
                            .retention_bytes = -1,
                            .index_interval_bytes = 4096,
                            .log_append_time = false};
    gc->plog = plog_open(dir, &lc, err, errlen);
    if (!gc->plog)
        return -1;
    gc->log.log = gc->plog;
    gc->log.index = 0;
    if (replay(b, err, errlen) != 0)
        return -1;
    timer_init(&gc->expiry_timer, on_expiry_timer, b);
    loop_timer_at(b->loop, &gc->expiry_timer,
                  loop_now_ms(b->loop) + config_int(&b->cfg, P_OFFSETS_RETENTION_CHECK_INTERVAL_MS));
    return 0;
}

void groups_stop(struct broker *b)
{
    struct group_coordinator *gc = b->groups;
    if (!gc)
        return;
    loop_timer_cancel(b->loop, &gc->expiry_timer);
    /* Writes the flusher never got to (it is stopped): answered with an error. */
    while (gc->log.ack_head) {
        struct ack_waiter *w = gc->log.ack_head;
        gc->log.ack_head = w->next;
        w->next = NULL;
        w->done(w, KERR_COORDINATOR_NOT_AVAILABLE);
    }
    gc->log.ack_tail = NULL;
    group_coordinator_clear(gc);
    if (gc->plog)
        plog_close(gc->plog);
    free(gc);
    b->groups = NULL;
}
