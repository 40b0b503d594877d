/* ListOffsets by timestamp and MAX_TIMESTAMP. Segment maxima and the
 * sparse time index narrow the search to one batch, whose records are
 * then read to find the exact offset. */
#include <stdlib.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/batch.h"
#include "log/kerr.h"
#include "log/plog_internal.h"

/* Reads one whole batch found by a header walk. */
static int read_batch(int fd, const struct walked_batch *b, uint8_t **out)
{
    *out = xmalloc((size_t)b->size);
    if (read_exact(fd, *out, (size_t)b->size, b->pos) != 0) {
        free(*out);
        *out = NULL;
        return KERR_KAFKA_STORAGE_ERROR;
    }
    return 0;
}

struct ts_search {
    int64_t ts, min_offset;
    int64_t found_offset, found_ts;
};

static int first_at_or_after(void *arg, const struct record_view *r)
{
    struct ts_search *q = arg;
    if (r->offset < q->min_offset || r->timestamp < q->ts)
        return 0;
    q->found_offset = r->offset;
    q->found_ts = r->timestamp;
    return 1;
}

static int search_batch(int fd, const struct walked_batch *b, record_cb cb, struct ts_search *q)
{
    uint8_t *buf;
    int rc = read_batch(fd, b, &buf);
    if (rc)
        return rc;
    struct batch_validator *v = batch_validator_new();
    rc = batch_for_each_record(v, buf, (size_t)b->size, cb, q);
    batch_validator_free(v);
    free(buf);
    return rc;
}

int plog_offset_for_timestamp(struct plog *l, int64_t ts, int64_t *offset, int64_t *found_ts)
{
    *offset = *found_ts = -1;
    struct ts_search q = {ts, l->log_start, -1, -1};
    for (int i = plog_find_segment(l, l->log_start); i < l->nsegs; i++) {
        struct segment *s = &l->segs[i];
        if (s->base >= l->hw)
            break;
        int rc = index_ensure(l, i);
        if (rc)
            return rc;
        if (s->max_ts < ts)
            continue;
        struct fileref *f = plog_segment_file(l, i);
        if (!f)
            return KERR_KAFKA_STORAGE_ERROR;
        int64_t limit = i == l->nsegs - 1 ? l->hw_pos : s->size;
        struct hdr_walker w;
        struct walked_batch b;
        walker_init(&w, f->fd, index_pos_for_offset(s, index_offset_for_time(s, ts)), limit);
        while (walker_next(&w, &b)) {
            if (b.last < l->log_start || b.max_ts < ts)
                continue;
            if ((rc = search_batch(f->fd, &b, first_at_or_after, &q)))
                return rc;
            if (q.found_offset >= 0) {
                *offset = q.found_offset;
                *found_ts = q.found_ts;
                return 0;
            }
        }
        if (w.err)
            return w.err;
    }
    return 0;
}

/* The first record carrying the batch's largest timestamp. */
static int largest_record(void *arg, const struct record_view *r)
{
    struct ts_search *q = arg;
    if (r->timestamp > q->found_ts) {
        q->found_ts = r->timestamp;
        q->found_offset = r->offset;
    }
    return r->timestamp >= q->ts;   /* reached the batch maximum: done */
}

int plog_max_timestamp(struct plog *l, int64_t *offset, int64_t *ts)
{
    *offset = *ts = -1;
    int best = -1;
    for (int i = plog_find_segment(l, l->log_start); i < l->nsegs; i++) {
        int rc = index_ensure(l, i);
        if (rc)
            return rc;
        if (l->segs[i].max_ts >= 0 && (best < 0 || l->segs[i].max_ts > l->segs[best].max_ts))
            best = i;
    }
    if (best < 0)
        return 0;
    struct segment *s = &l->segs[best];
    struct hdr_walker w;
    struct walked_batch b;
    int rc = plog_locate(l, best, s->max_ts_offset, s->size, &w, &b);
    if (rc)
        return rc;
    struct ts_search q = {b.max_ts, 0, -1, -1};
    if ((rc = search_batch(plog_segment_file(l, best)->fd, &b, largest_record, &q)))
        return rc;
    *offset = q.found_offset >= 0 ? q.found_offset : b.base;
    *ts = s->max_ts;
    return 0;
}
