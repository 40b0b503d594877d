/* Legacy message sets to and from record batches (legacy.h). */
#include "log/legacy.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "core/util.h"
#include "log/batch_build.h"
#include "log/batch_internal.h"
#include "log/kerr.h"
#include "protocol/wire.h"

#define MSG_OVERHEAD 12                  /* offset + size */
#define MSG_ATTR_CODEC_MASK 0x07
#define MSG_ATTR_LOG_APPEND_TIME 0x08    /* magic 1 */
#define NO_WRAPPER_TIME INT64_MIN

struct conv {
    struct batch_validator *v;
    struct batch_record *recs;
    int32_t n, cap;
    uint8_t *inner[64];                  /* decompressed wrapper values, freed at the end */
    int ninner;
    int codec;                           /* the first wrapper's */
    uint64_t decoded;
};

static int bad(const char **why, int code, const char *reason)
{
    *why = reason;
    return code;
}

/* XXH32 with seed 0 of fewer than 16 bytes: enough for an lz4 frame descriptor. */
static uint32_t xxh32_short(const uint8_t *p, size_t len)
{
    const uint32_t P1 = 2654435761U, P2 = 2246822519U, P3 = 3266489917U, P4 = 668265263U, P5 = 374761393U;
#define ROTL(x, r) (((x) << (r)) | ((x) >> (32 - (r))))
    uint32_t h = P5 + (uint32_t)len;
    for (; len >= 4; p += 4, len -= 4) {
        h += ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24) * P3;
        h = ROTL(h, 17) * P4;
    }
    for (; len > 0; p++, len--) {
        h += *p * P5;
        h = ROTL(h, 11) * P1;
    }
#undef ROTL
    h ^= h >> 15;
    h *= P2;
    h ^= h >> 13;
    h *= P3;
    h ^= h >> 16;
    return h;
}

/* Kafka before 0.10 wrote the lz4 frame descriptor's checksum over the
 * frame magic too; the real one is written here over a copy, so liblz4
 * accepts both kinds. */
static void fix_lz4_header_checksum(uint8_t *f, size_t len)
{
    if (len < 7 || be32(f) != 0x04224D18)   /* the magic 0x184D2204, little-endian */
        return;
    size_t desc = 2 + ((f[4] & 0x08) ? 8 : 0) + ((f[4] & 0x01) ? 4 : 0);
    if (len > 4 + desc)
        f[4 + desc] = (uint8_t)(xxh32_short(f + 4, desc) >> 8);
}

/* Decompresses a wrapper's value whole into a new buffer (kept in c). */
static int inflate_value(struct conv *c, int codec, const uint8_t *src, size_t len, const uint8_t **out,
                         size_t *out_len, const char **why)
{
    if ((size_t)c->ninner == sizeof(c->inner) / sizeof(c->inner[0]))
        return bad(why, KERR_INVALID_RECORD, "too many compressed messages in one message set");
    uint8_t *copy = NULL;
    if (codec == CODEC_LZ4) {
        copy = xmalloc(len ? len : 1);
        memcpy(copy, src, len);
        fix_lz4_header_checksum(copy, len);
        src = copy;
    }
    int rc = decomp_begin(&c->v->d, codec, src, len, c->v->max_decoded, why);
    size_t cap = len * 4 + 256, got_total = 0, got;
    uint8_t *buf = xmalloc(cap);
    while (!rc) {
        if (cap - got_total < 4096) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        rc = decomp_read(&c->v->d, buf + got_total, cap - got_total, &got, why);
        if (rc || got == 0)
            break;
        got_total += got;
        c->decoded += got;
        if (c->decoded > c->v->max_decoded)
            rc = bad(why, KERR_CORRUPT_MESSAGE, "compressed message set decodes past the size limit");
    }
    decomp_trim(&c->v->d);
    free(copy);
    if (rc) {
        free(buf);
        return rc;
    }
    c->inner[c->ninner++] = buf;
    *out = buf;
    *out_len = got_total;
    return 0;
}

static bool take_bytes(const uint8_t **p, const uint8_t *end, const uint8_t **out, int32_t *out_len)
{
    if (end - *p < 4)
        return false;
    int32_t n = (int32_t)be32(*p);
    *p += 4;
    if (n < -1 || (n > 0 && end - *p < n))
        return false;
    *out = n > 0 ? *p : (const uint8_t *)"";
    *out_len = n;
    if (n > 0)
        *p += n;
    return true;
}

static int parse_set(struct conv *c, const uint8_t *p, size_t len, bool inner, int64_t wrapper_time,
                     const char **why)
{
    while (len > 0) {
        if (len < MSG_OVERHEAD)
            return bad(why, KERR_CORRUPT_MESSAGE, "message set ends inside a message");
        int32_t size = (int32_t)be32(p + 8);
        if (size < 14 || (size_t)size > len - MSG_OVERHEAD)
            return bad(why, KERR_CORRUPT_MESSAGE, "message size does not fit the message set");
        const uint8_t *m = p + MSG_OVERHEAD, *end = m + size;
        if (crc32(0, m + 4, (uInt)(size - 4)) != be32(m))
            return bad(why, KERR_CORRUPT_MESSAGE, "message CRC mismatch");
        int magic = m[4], attrs = m[5];
        if (magic > 1)
            return bad(why, KERR_CORRUPT_MESSAGE, "message magic is not 0 or 1");
        const uint8_t *q = m + 6;
        int64_t ts = -1;
        if (magic == 1) {
            if (end - q < 8)
                return bad(why, KERR_CORRUPT_MESSAGE, "message too short for its timestamp");
            ts = (int64_t)be64(q);
            q += 8;
        }
        struct batch_record r = {.timestamp = ts};
        if (!take_bytes(&q, end, &r.key, &r.key_len) || !take_bytes(&q, end, &r.value, &r.value_len) || q != end)
            return bad(why, KERR_CORRUPT_MESSAGE, "message key or value does not fit its size");
        int codec = attrs & MSG_ATTR_CODEC_MASK;
        if (codec != CODEC_NONE) {
            if (codec > CODEC_LZ4)
                return bad(why, KERR_UNSUPPORTED_COMPRESSION_TYPE, "message format v0/v1 has no such codec");
            if (inner)
                return bad(why, KERR_INVALID_RECORD, "compressed message inside a compressed message");
            if (r.value_len <= 0)
                return bad(why, KERR_INVALID_RECORD, "compressed message without a value");
            if (c->n == 0 && c->ninner == 0)
                c->codec = codec;
            const uint8_t *set;
            size_t set_len;
            int rc = inflate_value(c, codec, r.value, (size_t)r.value_len, &set, &set_len, why);
            if (!rc)
                rc = parse_set(c, set, set_len, true,
                               magic == 1 && (attrs & MSG_ATTR_LOG_APPEND_TIME) ? ts : NO_WRAPPER_TIME, why);
            if (rc)
                return rc;
        } else {
            if (inner && wrapper_time != NO_WRAPPER_TIME)
                r.timestamp = wrapper_time;
            if (c->n == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 16;
                c->recs = xrealloc(c->recs, (size_t)c->cap * sizeof(*c->recs));
            }
            c->recs[c->n++] = r;
        }
        p += MSG_OVERHEAD + (size_t)size;
        len -= MSG_OVERHEAD + (size_t)size;
    }
    return 0;
}

int legacy_to_batch(struct batch_validator *v, const uint8_t *p, size_t len, struct bytebuf *out, const char **why)
{
    struct conv c = {.v = v, .codec = CODEC_NONE};
    int rc = parse_set(&c, p, len, false, NO_WRAPPER_TIME, why);
    if (!rc && c.n == 0)
        rc = bad(why, KERR_CORRUPT_MESSAGE, "message set without messages");
    if (!rc) {
        struct batch_spec spec = BATCH_SPEC_PLAIN;
        spec.codec = (enum compression_codec)c.codec;
        if (batch_build(out, &spec, c.recs, c.n) != 0)
            rc = bad(why, KERR_CORRUPT_MESSAGE, "message set could not be converted");
    }
    for (int i = 0; i < c.ninner; i++)
        free(c.inner[i]);
    free(c.recs);
    return rc;
}

struct down {
    struct bytebuf *out;
    int magic;
};

static void put_bytes(struct bytebuf *b, const uint8_t *p, int32_t len)
{
    bytebuf_be(b, (uint32_t)len, 4);
    if (len > 0)
        bytebuf_put(b, p, (size_t)len);
}

static int put_message(void *arg, const struct record_view *r)
{
    struct down *d = arg;
    struct bytebuf *b = d->out;
    bytebuf_be(b, (uint64_t)r->offset, 8);
    size_t size_at = b->len;
    bytebuf_be(b, 0, 4);   /* size and CRC, filled in below */
    bytebuf_be(b, 0, 4);
    bytebuf_u8(b, (uint8_t)d->magic);
    bytebuf_u8(b, 0);      /* uncompressed, CreateTime */
    if (d->magic == 1)
        bytebuf_be(b, (uint64_t)r->timestamp, 8);
    put_bytes(b, r->key, r->key_len);
    put_bytes(b, r->value, r->value_len);
    size_t size = b->len - size_at - 4;
    put_be32(b->p + size_at, (uint32_t)size);
    put_be32(b->p + size_at + 4, (uint32_t)crc32(0, b->p + size_at + 8, (uInt)(size - 4)));
    return 0;
}

int legacy_from_batches(struct batch_validator *v, const uint8_t *p, size_t len, int magic, struct bytebuf *out)
{
    struct down d = {out, magic};
    struct batch_info bi;
    while (batch_parse_header(p, len, &bi) == 0 && batch_total_size(&bi) <= len) {
        size_t size = batch_total_size(&bi);
        if (!(bi.attributes & BATCH_ATTR_CONTROL)) {
            int rc = batch_for_each_record(v, p, size, put_message, &d);
            if (rc)
                return rc;
        }
        p += size;
        len -= size;
    }
    return 0;
}
