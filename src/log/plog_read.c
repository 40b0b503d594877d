/* plog_read: which byte range of which segment file answers a fetch. */
#include "core/fileref.h"
#include "core/util.h"
#include "log/kerr.h"
#include "log/plog_internal.h"

/* Ends the range at the last batch boundary within max_bytes (but after
 * at least the first batch). The offset index gives a boundary close to
 * the budget, so only a few headers past it are read. */
static int64_t range_end(struct plog *l, int i, int64_t pos, int64_t first_end, int64_t limit,
                         int32_t max_bytes, struct hdr_walker *w)
{
    int64_t budget_end = pos + MAX(max_bytes, 0);
    int64_t end = first_end;
    if (budget_end <= end)
        return end;   /* KIP-74: the first batch goes whole */
    struct segment *s = &l->segs[i];
    index_ensure(l, i);   /* without it we only walk further */
    int64_t jump = index_boundary_below(s, MIN(budget_end, limit));
    if (jump > end) {
        end = jump;
        walker_init(w, w->fd, end, limit);
    }
    struct walked_batch b;
    while (walker_next(w, &b) && b.pos + b.size <= budget_end)
        end = b.pos + b.size;
    return end;   /* a bad header further on only shortens the answer */
}

int plog_read(struct plog *l, int64_t offset, int32_t max_bytes, struct log_read *out)
{
    out->file = NULL;
    out->pos = 0;
    out->len = 0;
    if (offset < l->log_start || offset > l->hw)
        return KERR_OFFSET_OUT_OF_RANGE;
    if (offset == l->hw)
        return 0;
    int i = plog_find_segment(l, offset);
    if (i < l->nsegs - 1 && offset >= l->segs[i].end)
        i++;   /* at the very end of a closed segment: the next one starts there */
    struct segment *s = &l->segs[i];
    bool is_active = i == l->nsegs - 1;
    int64_t limit = is_active ? l->hw_pos : s->size;
    struct fileref *f = plog_segment_file(l, i);
    if (!f)
        return KERR_KAFKA_STORAGE_ERROR;

    struct hdr_walker w;
    struct walked_batch b;
    int64_t pos = offset == s->base ? 0 : is_active ? plog_hint_lookup(l, offset) : -1;
    int64_t first_end = -1;
    if (pos < 0) {
        int rc = plog_locate(l, i, offset, limit, &w, &b);
        /* In a gap past a segment's last batch (a damaged log), as Kafka:
         * go on to the next segment; below the active one there is nothing yet. */
        if (rc == KERR_OFFSET_OUT_OF_RANGE)
            return is_active ? 0 : plog_read(l, l->segs[i + 1].base, max_bytes, out);
        if (rc)
            return rc;
        pos = b.pos;
        first_end = b.pos + b.size;
    }
    int64_t end = limit;   /* the common case: all that is readable fits */
    if (limit - pos > (int64_t)max_bytes) {
        if (first_end < 0) {
            walker_init(&w, f->fd, pos, limit);
            if (!walker_next(&w, &b))
                return w.err ? w.err : KERR_KAFKA_STORAGE_ERROR;
            first_end = b.pos + b.size;
        }
        end = range_end(l, i, pos, first_end, limit, max_bytes, &w);
    }
    out->file = f;
    out->pos = pos;
    out->len = (int32_t)(end - pos);
    return 0;
}
