/* A bounded scan of one partition for the console's message browser and
 * "Contains" search (browse.h). */
#include "http/browse.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/batch.h"
#include "log/kerr.h"
#include "log/plog.h"

#define READ_BYTES (1 << 20)   /* one read from a segment */
#define FIRST_STEP 256         /* backward search: records in the first step back, doubling */
#define MAX_STEP 65536

/* ---- one record as JSON ---- */

static bool utf8_text(const uint8_t *p, int32_t n)
{
    for (int32_t i = 0; i < n;) {
        uint8_t c = p[i];
        int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return false;
        for (int k = 1; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

static json_t *hex(const uint8_t *p, int32_t n)
{
    char *s = xmalloc((size_t)n * 2 + 1);
    for (int32_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[2 * n] = 0;
    json_t *o = json_string(s);
    free(s);
    return o;
}

/* Sets NAME and NAME_format: null, json (parsed), text or hex. */
static void set_bytes(json_t *o, const char *name, const uint8_t *p, int32_t n, bool try_json)
{
    char fmt[64];
    snprintf(fmt, sizeof(fmt), "%s_format", name);
    if (n < 0 || !p) {
        json_object_set_new(o, name, json_null());
        json_object_set_new(o, fmt, json_string("null"));
        return;
    }
    if (utf8_text(p, n)) {
        json_t *parsed = try_json && n > 0 ? json_loadb((const char *)p, (size_t)n, JSON_DECODE_ANY, NULL) : NULL;
        if (parsed && (json_is_object(parsed) || json_is_array(parsed))) {
            json_object_set_new(o, name, parsed);
            json_object_set_new(o, fmt, json_string("json"));
            return;
        }
        json_decref(parsed);
        json_object_set_new(o, name, json_stringn((const char *)p, (size_t)n));
        json_object_set_new(o, fmt, json_string("text"));
        return;
    }
    json_object_set_new(o, name, hex(p, n));
    json_object_set_new(o, fmt, json_string("hex"));
}

static json_t *record_json(int32_t partition, const struct record_view *r)
{
    json_t *m = json_pack("{s:i,s:I,s:I}", "partition", partition, "offset", (json_int_t)r->offset, "timestamp",
                          (json_int_t)r->timestamp);
    set_bytes(m, "key", r->key, r->key_len, false);
    set_bytes(m, "value", r->value, r->value_len, true);
    json_t *hs = json_array();
    const uint8_t *pos = r->headers, *end = r->headers + r->headers_len;
    struct record_header_view h;
    for (int32_t i = 0; i < r->header_count && record_next_header(&pos, end, &h) == 1; i++) {
        json_t *ho = json_object();
        set_bytes(ho, "key", h.key, h.key_len, false);
        set_bytes(ho, "value", h.value, h.value_len, false);
        json_array_append_new(hs, ho);
    }
    json_object_set_new(m, "headers", hs);
    return m;
}

static bool contains(const uint8_t *p, int32_t n, const char *q, size_t ql)
{
    if (!p || n < 0 || (size_t)n < ql)
        return false;
    return memmem(p, (size_t)n, q, ql) != NULL;
}

/* ---- the newest `cap` matches of one scan ---- */

struct match_ring {
    json_t **item;
    int64_t *offset;
    int64_t *looked_before, *bytes_before;   /* what the scan had looked at before this record */
    int cap, n, head;              /* head: the oldest */
};

static void ring_init(struct match_ring *r, int cap)
{
    *r = (struct match_ring){.item = xcalloc((size_t)cap, sizeof(*r->item)),
                             .offset = xcalloc((size_t)cap, sizeof(*r->offset)),
                             .looked_before = xcalloc((size_t)cap, sizeof(*r->looked_before)),
                             .bytes_before = xcalloc((size_t)cap, sizeof(*r->bytes_before)),
                             .cap = cap};
}

static void ring_add(struct match_ring *r, json_t *m, int64_t offset, int64_t looked_before, int64_t bytes_before)
{
    int i;
    if (r->n < r->cap) {
        i = (r->head + r->n++) % r->cap;
    } else {
        i = r->head;   /* full: the oldest goes */
        json_decref(r->item[i]);
        r->head = (r->head + 1) % r->cap;
    }
    r->item[i] = m;
    r->offset[i] = offset;
    r->looked_before[i] = looked_before;
    r->bytes_before[i] = bytes_before;
}

/* Moves the matches, oldest first, to the end of out, and frees the ring. */
static void ring_drain(struct match_ring *r, json_t *out)
{
    for (int k = 0; k < r->n; k++)
        json_array_append_new(out, r->item[(r->head + k) % r->cap]);
    free(r->item);
    free(r->offset);
    free(r->looked_before);
    free(r->bytes_before);
}

/* ---- scanning [lo, hi) ---- */

struct scan {
    const struct browse_query *q;
    size_t ql;
    int64_t lo, hi;
    bool stop_when_full;           /* forward: the first matches are the answer */
    struct match_ring ring;
    int64_t max_records, max_bytes;
    int64_t looked, bytes;         /* records, and their keys', values' and headers' bytes */
    int64_t next;                  /* after the last record looked at */
    bool stop;
};

static int on_record(void *arg, const struct record_view *r)
{
    struct scan *sc = arg;
    if (r->offset < sc->lo)
        return 0;
    if (r->offset >= sc->hi) {
        sc->stop = true;
        return 1;
    }
    int64_t looked_before = sc->looked++, bytes_before = sc->bytes;
    sc->bytes += (r->key_len > 0 ? r->key_len : 0) + (r->value_len > 0 ? r->value_len : 0) + (int64_t)r->headers_len;
    sc->next = r->offset + 1;
    const char *q = sc->q->q;
    if (!q || contains(r->key, r->key_len, q, sc->ql) || contains(r->value, r->value_len, q, sc->ql))
        ring_add(&sc->ring, record_json(sc->q->partition, r), r->offset, looked_before, bytes_before);
    if ((sc->stop_when_full && sc->ring.n == sc->ring.cap) || sc->looked >= sc->max_records ||
        sc->bytes >= sc->max_bytes)
        sc->stop = true;
    return sc->stop;
}

static int scan_range(struct batch_validator *v, struct plog *l, struct scan *sc)
{
    uint8_t *buf = NULL;
    int err = 0;
    int64_t off = sc->lo;
    sc->next = sc->lo;
    while (!err && !sc->stop && off < sc->hi) {
        struct log_read rd;
        if ((err = plog_read(l, off, READ_BYTES, &rd)) != 0 || rd.len <= 0)
            break;
        buf = xrealloc(buf, (size_t)rd.len);
        if (pread(rd.file->fd, buf, (size_t)rd.len, rd.pos) != rd.len) {
            err = KERR_KAFKA_STORAGE_ERROR;
            break;
        }
        int64_t next = off;
        for (size_t pos = 0; !err && !sc->stop && pos + BATCH_HEADER_SIZE <= (size_t)rd.len;) {
            struct batch_info bi;
            if (batch_parse_header(buf + pos, (size_t)rd.len - pos, &bi) != 0)
                break;
            size_t size = batch_total_size(&bi);
            if (pos + size > (size_t)rd.len || bi.base_offset >= sc->hi)
                break;
            next = bi.base_offset + bi.last_offset_delta + 1;
            if (!(bi.attributes & BATCH_ATTR_CONTROL) && next > off)
                err = batch_for_each_record(v, buf + pos, size, on_record, sc);
            pos += size;
        }
        if (next <= off)
            break;
        off = next;
    }
    free(buf);
    if (!err && !sc->stop && off >= sc->hi)
        sc->next = sc->hi;   /* the whole range was looked at */
    return err;
}

/* ---- the two directions ---- */

static int search_forward(struct batch_validator *v, struct plog *l, const struct browse_query *q, int64_t from,
                          int64_t hw, struct browse_result *out)
{
    struct scan sc = {.q = q, .ql = q->q ? strlen(q->q) : 0, .lo = from, .hi = hw, .stop_when_full = true,
                      .max_records = q->max_records, .max_bytes = q->max_bytes};
    ring_init(&sc.ring, q->limit);
    int err = scan_range(v, l, &sc);
    ring_drain(&sc.ring, out->messages);
    out->searched_from = from;
    out->searched_to = sc.next;
    out->records = sc.looked;
    out->bytes = sc.bytes;
    return err;
}

/* Steps back from `end`, each step a forward scan of the records just
 * below the part already searched, keeping its newest matches; the step
 * doubles while the budget allows (sized by the bytes per record seen). */
static int search_backward(struct batch_validator *v, struct plog *l, const struct browse_query *q, int64_t start,
                           int64_t end, struct browse_result *out)
{
    out->searched_from = out->searched_to = end;
    int64_t step = q->q ? FIRST_STEP : q->limit;
    int found = 0, err = 0;
    while (!err && out->searched_from > start && found < q->limit && out->records < q->max_records &&
           out->bytes < q->max_bytes) {
        int64_t left = q->max_records - out->records;
        if (out->records > 0 && out->bytes > 0) {
            int64_t per_record = out->bytes / out->records + 1;
            int64_t fits = (q->max_bytes - out->bytes) / per_record + 1;
            left = fits < left ? fits : left;
        }
        step = step < left ? step : left;
        int64_t lo = out->searched_from - step > start ? out->searched_from - step : start;
        struct scan sc = {.q = q, .ql = q->q ? strlen(q->q) : 0, .lo = lo, .hi = out->searched_from,
                          .max_records = INT64_MAX, .max_bytes = INT64_MAX};
        ring_init(&sc.ring, q->limit - found);
        err = scan_range(v, l, &sc);
        /* With as many matches as wanted, the search ends at the oldest
         * kept: the records below it were looked at but are not counted. */
        bool full = sc.ring.n == sc.ring.cap;
        int64_t cut = full ? sc.ring.offset[sc.ring.head] : lo;
        int64_t not_counted = full ? sc.ring.looked_before[sc.ring.head] : 0;
        int64_t bytes_not_counted = full ? sc.ring.bytes_before[sc.ring.head] : 0;
        found += sc.ring.n;
        json_t *older = json_array();
        ring_drain(&sc.ring, older);
        json_array_extend(older, out->messages);
        json_decref(out->messages);
        out->messages = older;
        out->records += sc.looked - not_counted;
        out->bytes += sc.bytes - bytes_not_counted;
        out->searched_from = cut;
        step = step * 2 < MAX_STEP ? step * 2 : MAX_STEP;
    }
    return err;
}

int browse_partition(struct batch_validator *v, struct plog *l, const struct browse_query *q,
                     struct browse_result *out)
{
    int64_t start = plog_log_start(l), hw = plog_high_watermark(l);
    *out = (struct browse_result){.messages = json_array()};
    if (q->from >= 0)
        return search_forward(v, l, q, q->from < start ? start : q->from > hw ? hw : q->from, hw, out);
    int64_t end = q->before >= 0 && q->before < hw ? q->before : hw;
    return search_backward(v, l, q, start, end < start ? start : end, out);
}
