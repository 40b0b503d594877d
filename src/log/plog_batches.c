/* plog_for_each_batch: walks batch headers (not records) from an offset
 * to the log end, for rebuilding state kept beside the log. */
#include <stdlib.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/batch.h"
#include "log/kerr.h"
#include "log/plog_internal.h"

const char *plog_dir(const struct plog *l) { return l->dir; }

int plog_for_each_batch(struct plog *l, int64_t from, plog_batch_fn fn, void *arg)
{
    if (from < l->log_start)
        from = l->log_start;
    if (from >= plog_leo(l))
        return 0;
    struct hdr_walker *wp = xmalloc(sizeof(*wp));   /* 16 KiB buffer: not on the stack */
    int rc = 0;
    for (int i = plog_find_segment(l, from); i < l->nsegs && rc == 0; i++) {
        struct segment *s = &l->segs[i];
        if (s->end <= from || s->size == 0)
            continue;
        struct walked_batch b;
        if (from > s->base) {
            rc = plog_locate(l, i, from, s->size, wp, &b);
            if (rc == KERR_OFFSET_OUT_OF_RANGE) {
                rc = 0;
                continue;
            }
            if (rc)
                break;
        } else {
            struct fileref *f = plog_segment_file(l, i);
            if (!f) {
                rc = KERR_KAFKA_STORAGE_ERROR;
                break;
            }
            walker_init(wp, f->fd, 0, s->size);
            if (!walker_next(wp, &b)) {
                rc = wp->err;
                break;
            }
        }
        for (;;) {
            struct batch_info bi;
            const uint8_t *h = wp->buf + (b.pos - wp->buf_off);
            if (batch_parse_header(h, BATCH_HEADER_SIZE, &bi) != 0) {
                rc = KERR_CORRUPT_MESSAGE;
                break;
            }
            if (fn(arg, &bi))
                goto out;
            if (!walker_next(wp, &b)) {
                rc = wp->err;
                break;
            }
        }
    }
out:
    free(wp);
    return rc;
}
