#include "protocol/wire.h"
#include <stdlib.h>
#include <string.h>
#include "core/fileref.h"

/* ---- reader ---- */

static inline bool need(struct rbuf *r, size_t n)
{
    if (r->err || rbuf_left(r) < n) {
        r->err = 1;
        r->p = r->end;
        return false;
    }
    return true;
}

int8_t r_i8(struct rbuf *r) { return need(r, 1) ? (int8_t)*r->p++ : 0; }

int16_t r_i16(struct rbuf *r) { return (int16_t)r_u16(r); }

uint16_t r_u16(struct rbuf *r)
{
    if (!need(r, 2))
        return 0;
    uint16_t v = be16(r->p);
    r->p += 2;
    return v;
}

uint32_t r_u32(struct rbuf *r)
{
    if (!need(r, 4))
        return 0;
    uint32_t v = be32(r->p);
    r->p += 4;
    return v;
}

int32_t r_i32(struct rbuf *r) { return (int32_t)r_u32(r); }

int64_t r_i64(struct rbuf *r)
{
    if (!need(r, 8))
        return 0;
    uint64_t v = be64(r->p);
    r->p += 8;
    return (int64_t)v;
}

double r_f64(struct rbuf *r)
{
    uint64_t u = (uint64_t)r_i64(r);
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

bool r_bool(struct rbuf *r) { return r_i8(r) != 0; }

static uint64_t r_uvarint64(struct rbuf *r, int max_bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; i++) {
        if (!need(r, 1))
            return 0;
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return v;
    }
    r->err = 1;      /* too long */
    r->p = r->end;
    return 0;
}

uint32_t r_uvarint(struct rbuf *r)
{
    uint64_t v = r_uvarint64(r, 5);
    if (v > UINT32_MAX) {
        r->err = 1;
        return 0;
    }
    return (uint32_t)v;
}

int32_t r_varint(struct rbuf *r)
{
    uint32_t u = r_uvarint(r);
    return (int32_t)((u >> 1) ^ (~(u & 1) + 1));
}

int64_t r_varlong(struct rbuf *r)
{
    uint64_t u = r_uvarint64(r, 10);
    return (int64_t)((u >> 1) ^ (~(u & 1) + 1));
}

void r_uuid(struct rbuf *r, struct kuuid *u)
{
    if (!need(r, 16)) {
        memset(u->b, 0, 16);
        return;
    }
    memcpy(u->b, r->p, 16);
    r->p += 16;
}

/* Length of a string/bytes field: -1 null, else n. */
static int64_t r_len(struct rbuf *r, bool compact, bool wide)
{
    if (compact)
        return (int64_t)r_uvarint(r) - 1;
    return wide ? r_i32(r) : r_i16(r);
}

struct kstr r_string(struct rbuf *r, bool compact)
{
    struct kstr s = {NULL, -1};
    int64_t n = r_len(r, compact, false);
    if (r->err || n < 0) {
        if (n < -1)
            r->err = 1;
        return s;
    }
    if (!need(r, (size_t)n))
        return s;
    s.p = (const char *)r->p;
    s.len = (int32_t)n;
    r->p += n;
    return s;
}

struct kbytes r_bytes(struct rbuf *r, bool compact)
{
    struct kbytes b = {NULL, -1};
    int64_t n = r_len(r, compact, true);
    if (r->err || n < 0) {
        if (n < -1)
            r->err = 1;
        return b;
    }
    if (!need(r, (size_t)n))
        return b;
    b.p = r->p;
    b.len = (int32_t)n;
    r->p += n;
    return b;
}

struct krecords r_records(struct rbuf *r, bool compact)
{
    struct kbytes b = r_bytes(r, compact);
    struct krecords rec = {b.p, b.len, NULL, 0};
    return rec;
}

int32_t r_array_len(struct rbuf *r, bool compact, size_t min_elem_size)
{
    int64_t n = compact ? (int64_t)r_uvarint(r) - 1 : r_i32(r);
    if (r->err)
        return 0;
    if (n < -1) {
        r->err = 1;
        return 0;
    }
    if (n > 0 && min_elem_size > 0 && (uint64_t)n > rbuf_left(r) / min_elem_size) {
        r->err = 1;
        r->p = r->end;
        return 0;
    }
    return (int32_t)n;
}

const uint8_t *r_raw(struct rbuf *r, size_t n)
{
    if (!need(r, n))
        return NULL;
    const uint8_t *p = r->p;
    r->p += n;
    return p;
}

void r_skip(struct rbuf *r, size_t n)
{
    if (need(r, n))
        r->p += n;
}

void r_skip_tags(struct rbuf *r)
{
    uint32_t n = r_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        (void)r_uvarint(r);            /* tag */
        uint32_t size = r_uvarint(r);
        r_skip(r, size);
    }
}

/* ---- writer ---- */

void wbuf_init(struct wbuf *w) { memset(w, 0, sizeof(*w)); }

void wbuf_reset(struct wbuf *w)
{
    for (size_t i = 0; i < w->nspl; i++)
        fileref_put(w->spl[i].file);
    w->nspl = 0;
    w->len = 0;
    w->spliced = 0;
}

void wbuf_free(struct wbuf *w)
{
    wbuf_reset(w);
    free(w->data);
    free(w->spl);
    memset(w, 0, sizeof(*w));
}

void wbuf_reserve(struct wbuf *w, size_t extra)
{
    if (w->cap - w->len >= extra)
        return;
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < extra)
        cap *= 2;
    w->data = xrealloc(w->data, cap);
    w->cap = cap;
}

void w_raw(struct wbuf *w, const void *p, size_t n)
{
    if (!n)
        return;
    wbuf_reserve(w, n);
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

void w_i8(struct wbuf *w, int8_t v)
{
    wbuf_reserve(w, 1);
    w->data[w->len++] = (uint8_t)v;
}

void w_i16(struct wbuf *w, int16_t v) { w_u16(w, (uint16_t)v); }

void w_u16(struct wbuf *w, uint16_t v)
{
    wbuf_reserve(w, 2);
    put_be16(w->data + w->len, v);
    w->len += 2;
}

void w_u32(struct wbuf *w, uint32_t v)
{
    wbuf_reserve(w, 4);
    put_be32(w->data + w->len, v);
    w->len += 4;
}

void w_i32(struct wbuf *w, int32_t v) { w_u32(w, (uint32_t)v); }

void w_i64(struct wbuf *w, int64_t v)
{
    wbuf_reserve(w, 8);
    put_be64(w->data + w->len, (uint64_t)v);
    w->len += 8;
}

void w_f64(struct wbuf *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    w_i64(w, (int64_t)u);
}

void w_bool(struct wbuf *w, bool v) { w_i8(w, v ? 1 : 0); }

static void w_uvarint64(struct wbuf *w, uint64_t v)
{
    wbuf_reserve(w, 10);
    while (v >= 0x80) {
        w->data[w->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    w->data[w->len++] = (uint8_t)v;
}

void w_uvarint(struct wbuf *w, uint32_t v) { w_uvarint64(w, v); }

void w_varint(struct wbuf *w, int32_t v)
{
    w_uvarint64(w, (uint32_t)(((uint32_t)v << 1) ^ (uint32_t)(v >> 31)));
}

void w_varlong(struct wbuf *w, int64_t v)
{
    w_uvarint64(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void w_uuid(struct wbuf *w, const struct kuuid *u) { w_raw(w, u->b, 16); }

static void w_len(struct wbuf *w, bool compact, bool wide, int32_t n)
{
    if (compact)
        w_uvarint(w, (uint32_t)(n + 1));
    else if (wide)
        w_i32(w, n);
    else
        w_i16(w, (int16_t)n);
}

void w_string(struct wbuf *w, bool compact, struct kstr s)
{
    if (!s.p || s.len < 0) {
        w_len(w, compact, false, -1);
        return;
    }
    w_len(w, compact, false, s.len);
    w_raw(w, s.p, (size_t)s.len);
}

void w_cstring(struct wbuf *w, bool compact, const char *s) { w_string(w, compact, kstr_c(s)); }

void w_bytes(struct wbuf *w, bool compact, struct kbytes b)
{
    if (b.len < 0) {
        w_len(w, compact, true, -1);
        return;
    }
    w_len(w, compact, true, b.len);
    w_raw(w, b.p, (size_t)b.len);
}

void w_records(struct wbuf *w, bool compact, const struct krecords *rec)
{
    if (rec->len < 0) {
        w_len(w, compact, true, -1);
        return;
    }
    w_len(w, compact, true, rec->len);
    if (rec->file)
        wbuf_put_file(w, rec->file, rec->file_off, (size_t)rec->len);
    else
        w_raw(w, rec->p, (size_t)rec->len);
}

void w_array_len(struct wbuf *w, bool compact, int32_t n)
{
    if (compact)
        w_uvarint(w, (uint32_t)(n + 1));
    else
        w_i32(w, n);
}

void w_empty_tags(struct wbuf *w) { w_uvarint(w, 0); }

void wbuf_put_file(struct wbuf *w, struct fileref *file, int64_t off, size_t len)
{
    if (!len)
        return;
    if (w->nspl == w->capspl) {
        w->capspl = w->capspl ? w->capspl * 2 : 8;
        w->spl = xrealloc(w->spl, w->capspl * sizeof(*w->spl));
    }
    struct wsplice *s = &w->spl[w->nspl++];
    s->at = w->len;
    s->file = fileref_get(file);
    s->off = off;
    s->len = len;
    w->spliced += len;
}

size_t w_reserve_i32(struct wbuf *w)
{
    size_t at = w->len;
    w_i32(w, 0);
    return at;
}

void w_patch_i32(struct wbuf *w, size_t at, int32_t v) { put_be32(w->data + at, (uint32_t)v); }
