/* Record framing inside a batch. Compressed records are decoded a
 * window at a time: only one record has to be in memory at once, and a
 * record or batch that decodes beyond its limit is refused, so a
 * decompression bomb cannot exhaust memory. */
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "log/batch_internal.h"
#include "log/kerr.h"
#include "log/varint.h"

#define WINDOW_MIN (64u << 10)
#define WINDOW_KEEP (1u << 20)      /* larger windows are freed after the batch */
#define VARINT_MAX 5

/* Unparsed bytes of the records stream: either the batch itself
 * (uncompressed, eof from the start) or the validator's window. */
struct rstream {
    const uint8_t *p, *end;
    bool eof;
    uint64_t decoded;
};

static int invalid(const char **why, const char *reason)
{
    *why = reason;
    return KERR_INVALID_RECORD;
}

/* Makes at least need bytes readable, unless the stream ends first. */
static int fill(struct batch_validator *v, struct rstream *s, size_t need, const char **why)
{
    while ((size_t)(s->end - s->p) < need && !s->eof) {
        size_t avail = (size_t)(s->end - s->p);
        size_t want = MAX(need, (size_t)WINDOW_MIN);
        if (v->win_cap < want) {
            size_t cap = MAX(want, v->win_cap * 2);
            uint8_t *w = xmalloc(cap);
            if (avail)
                memcpy(w, s->p, avail);
            free(v->win);
            v->win = w;
            v->win_cap = cap;
        } else if (avail && s->p != v->win) {
            memmove(v->win, s->p, avail);
        }
        s->p = v->win;
        s->end = v->win + avail;
        size_t got;
        int rc = decomp_read(&v->d, v->win + avail, v->win_cap - avail, &got, why);
        if (rc)
            return rc;
        if (got == 0) {
            s->eof = true;
            break;
        }
        s->end += got;
        s->decoded += got;
        if (s->decoded > v->max_decoded) {
            *why = "decompressed batch exceeds the size limit";
            return KERR_CORRUPT_MESSAGE;
        }
    }
    return 0;
}

static bool take_bytes(const uint8_t **p, const uint8_t *end, int32_t len, bool nullable,
                       const uint8_t **view)
{
    if (len < (nullable ? -1 : 0) || (len > 0 && (size_t)len > (size_t)(end - *p)))
        return false;
    *view = len >= 0 ? *p : NULL;
    if (len > 0)
        *p += len;
    return true;
}

/* Parses one record body (after its length) of exactly n bytes. */
static int parse_record(const uint8_t *p, size_t n, int32_t index, struct record_view *rv,
                        int64_t *ts_delta, const char **why)
{
    const uint8_t *end = p + n;
    int32_t offset_delta, header_count;
    p++;   /* attributes: unused in magic 2 */
    if (!rd_varlong(&p, end, ts_delta) || !rd_varint(&p, end, &offset_delta))
        return invalid(why, "record is truncated");
    if (offset_delta != index)
        return invalid(why, "record offset deltas are not 0, 1, 2, ...");
    if (!rd_varint(&p, end, &rv->key_len) || !take_bytes(&p, end, rv->key_len, true, &rv->key))
        return invalid(why, "record key does not fit");
    if (!rd_varint(&p, end, &rv->value_len) || !take_bytes(&p, end, rv->value_len, true, &rv->value))
        return invalid(why, "record value does not fit");
    if (!rd_varint(&p, end, &header_count) || header_count < 0)
        return invalid(why, "record header count is invalid");
    rv->header_count = header_count;
    rv->headers = p;
    for (int32_t i = 0; i < header_count; i++) {
        int32_t klen, vlen;
        const uint8_t *view;
        if (!rd_varint(&p, end, &klen) || !take_bytes(&p, end, klen, false, &view))
            return invalid(why, "record header key is null or does not fit");
        if (!rd_varint(&p, end, &vlen) || !take_bytes(&p, end, vlen, true, &view))
            return invalid(why, "record header value does not fit");
    }
    rv->headers_len = (size_t)(p - rv->headers);
    if (p != end)
        return invalid(why, "record length does not match its contents");
    return 0;
}

int batch_walk_records(struct batch_validator *v, const struct batch_info *bi, const uint8_t *batch,
                       size_t len, record_cb cb, void *arg, const char **why)
{
    const uint8_t *records = batch + BATCH_HEADER_SIZE;
    size_t rlen = len - BATCH_HEADER_SIZE;
    int codec = bi->attributes & BATCH_ATTR_COMPRESSION_MASK;
    bool log_append_time = bi->attributes & BATCH_ATTR_LOG_APPEND_TIME;
    struct rstream s = {records, records + rlen, true, 0};
    size_t max_record = v ? v->max_record : BATCH_MAX_RECORD_DEFAULT;   /* v is optional when uncompressed */
    int rc = 0;
    if (codec != CODEC_NONE) {
        if (!v)
            return invalid(why, "compressed batch needs a validator");
        rc = decomp_begin(&v->d, codec, records, rlen, v->max_decoded, why);
        if (rc)
            return rc;
        s.p = s.end = v->win;
        s.eof = false;
    }
    for (int32_t i = 0; i < bi->records_count; i++) {
        if ((rc = fill(v, &s, VARINT_MAX, why)))
            goto out;
        const uint8_t *q = s.p;
        int32_t rec_len;
        if (s.p == s.end) {
            rc = invalid(why, "fewer records than recordsCount");
            goto out;
        }
        if (!rd_varint(&q, s.end, &rec_len) || rec_len <= 0) {
            rc = invalid(why, "record length is invalid");
            goto out;
        }
        if ((size_t)rec_len > max_record) {
            *why = "record exceeds the size limit";
            rc = KERR_CORRUPT_MESSAGE;
            goto out;
        }
        size_t prefix = (size_t)(q - s.p), need = prefix + (size_t)rec_len;
        if ((rc = fill(v, &s, need, why)))   /* may move the window: q is stale after this */
            goto out;
        if ((size_t)(s.end - s.p) < need) {
            rc = invalid(why, "record runs past the end of the batch");
            goto out;
        }
        struct record_view rv;
        int64_t ts_delta;
        if ((rc = parse_record(s.p + prefix, (size_t)rec_len, i, &rv, &ts_delta, why)))
            goto out;
        if (cb) {
            /* unsigned sums: hostile deltas must not be undefined behaviour */
            rv.offset = (int64_t)((uint64_t)bi->base_offset + (uint64_t)i);
            rv.timestamp = log_append_time ? bi->max_timestamp
                                           : (int64_t)((uint64_t)bi->base_timestamp + (uint64_t)ts_delta);
            if (cb(arg, &rv))
                goto out;   /* the caller has what it wanted */
        }
        s.p += need;
    }
    if ((rc = fill(v, &s, 1, why)))
        goto out;
    if (s.p != s.end)
        rc = invalid(why, "bytes left after the last record");
out:
    if (codec != CODEC_NONE && v->win_cap > WINDOW_KEEP) {
        free(v->win);
        v->win = NULL;
        v->win_cap = 0;
    }
    if (codec != CODEC_NONE)
        decomp_trim(&v->d);
    return rc;
}

int record_next_header(const uint8_t **pos, const uint8_t *end, struct record_header_view *h)
{
    const uint8_t *p = *pos;
    if (p >= end)
        return 0;
    if (!rd_varint(&p, end, &h->key_len) || !take_bytes(&p, end, h->key_len, false, &h->key) ||
        !rd_varint(&p, end, &h->value_len) || !take_bytes(&p, end, h->value_len, true, &h->value))
        return 0;
    *pos = p;
    return 1;
}
