/* Kafka primitive types: a bounded reader over a request and a writer
 * that builds a response.
 *
 * The reader never reads past its end: an underflow or an impossible
 * length sets r->err and every later read returns zero values, so
 * decoders read fields straight through and check r->err once.
 * Strings and bytes are views into the request buffer (struct kstr,
 * struct kbytes); nothing is copied.
 *
 * The writer appends to one growable buffer. Record data that lives in
 * a log segment is not copied: wbuf_put_file() records a "splice" (file,
 * offset, length) at the current position, and the connection later
 * sends the bytes around it with write() and the file range with
 * sendfile(). */
#ifndef SLUICE_WIRE_H
#define SLUICE_WIRE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/byteorder.h"
#include "core/util.h"

struct fileref;

/* Bytes view; len -1 means null. */
struct kbytes {
    const uint8_t *p;
    int32_t len;
};

/* The "records" type: either in memory (p/len) or a range of a file. */
struct krecords {
    const uint8_t *p;
    int32_t len;               /* -1 = null */
    struct fileref *file;      /* if set, bytes are file[file_off, file_off+len) */
    int64_t file_off;
};

/* ---- reader ---- */
struct rbuf {
    const uint8_t *p, *end;
    int err;                   /* non-zero after any malformed read */
};

static inline void rbuf_init(struct rbuf *r, const void *p, size_t n)
{
    r->p = p;
    /* No bytes may come as NULL (a request that gave its frame back):
     * NULL + 0 is undefined behaviour. */
    r->end = n ? (const uint8_t *)p + n : (const uint8_t *)p;
    r->err = 0;
}
static inline size_t rbuf_left(const struct rbuf *r) { return (size_t)(r->end - r->p); }

int8_t r_i8(struct rbuf *r);
int16_t r_i16(struct rbuf *r);
int32_t r_i32(struct rbuf *r);
int64_t r_i64(struct rbuf *r);
uint16_t r_u16(struct rbuf *r);
uint32_t r_u32(struct rbuf *r);
double r_f64(struct rbuf *r);
bool r_bool(struct rbuf *r);
uint32_t r_uvarint(struct rbuf *r);
int32_t r_varint(struct rbuf *r);
int64_t r_varlong(struct rbuf *r);
void r_uuid(struct rbuf *r, struct kuuid *u);
/* compact: flexible-version encodings */
struct kstr r_string(struct rbuf *r, bool compact);
struct kbytes r_bytes(struct rbuf *r, bool compact);
struct krecords r_records(struct rbuf *r, bool compact);
/* Array length: -1 for null, else count. Fails (err) if the count cannot
 * possibly fit in the remaining bytes at min_elem_size bytes each. */
int32_t r_array_len(struct rbuf *r, bool compact, size_t min_elem_size);
const uint8_t *r_raw(struct rbuf *r, size_t n);
void r_skip(struct rbuf *r, size_t n);
/* Skips a whole tagged-fields section (all tags unknown to the caller). */
void r_skip_tags(struct rbuf *r);

/* ---- writer ---- */
struct wsplice {
    size_t at;                 /* position in data where the file bytes go */
    struct fileref *file;      /* holds a reference */
    int64_t off;
    size_t len;
};

struct wbuf {
    uint8_t *data;
    size_t len, cap;
    struct wsplice *spl;
    size_t nspl, capspl;
    size_t spliced;            /* total bytes in splices */
};

void wbuf_init(struct wbuf *w);
void wbuf_free(struct wbuf *w);     /* drops file references */
void wbuf_reset(struct wbuf *w);
/* Total encoded size, memory plus spliced file bytes. */
static inline size_t wbuf_size(const struct wbuf *w) { return w->len + w->spliced; }
void wbuf_reserve(struct wbuf *w, size_t extra);
void w_raw(struct wbuf *w, const void *p, size_t n);
void w_i8(struct wbuf *w, int8_t v);
void w_i16(struct wbuf *w, int16_t v);
void w_i32(struct wbuf *w, int32_t v);
void w_i64(struct wbuf *w, int64_t v);
void w_u16(struct wbuf *w, uint16_t v);
void w_u32(struct wbuf *w, uint32_t v);
void w_f64(struct wbuf *w, double v);
void w_bool(struct wbuf *w, bool v);
void w_uvarint(struct wbuf *w, uint32_t v);
void w_varint(struct wbuf *w, int32_t v);
void w_varlong(struct wbuf *w, int64_t v);
void w_uuid(struct wbuf *w, const struct kuuid *u);
void w_string(struct wbuf *w, bool compact, struct kstr s);
void w_cstring(struct wbuf *w, bool compact, const char *s);   /* NULL = null */
void w_bytes(struct wbuf *w, bool compact, struct kbytes b);
void w_records(struct wbuf *w, bool compact, const struct krecords *rec);
void w_array_len(struct wbuf *w, bool compact, int32_t n);      /* -1 = null */
void w_empty_tags(struct wbuf *w);
/* Appends a file range as a splice (takes a new reference on file). */
void wbuf_put_file(struct wbuf *w, struct fileref *file, int64_t off, size_t len);
/* Reserve 4 bytes to fill in later (frame sizes). Returns the position. */
size_t w_reserve_i32(struct wbuf *w);
void w_patch_i32(struct wbuf *w, size_t at, int32_t v);

#endif
