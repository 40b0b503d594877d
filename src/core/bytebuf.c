#include "core/bytebuf.h"
#include <stdlib.h>
#include <string.h>
#include "core/util.h"

uint8_t *bytebuf_reserve(struct bytebuf *b, size_t extra)
{
    if (b->len + extra > b->cap) {
        b->cap = MAX(b->cap * 2, b->len + extra + 64);
        b->p = xrealloc(b->p, b->cap);
    }
    return b->p + b->len;
}

void bytebuf_put(struct bytebuf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    memcpy(bytebuf_reserve(b, n), p, n);
    b->len += n;
}

void bytebuf_u8(struct bytebuf *b, uint8_t v)
{
    *bytebuf_reserve(b, 1) = v;
    b->len++;
}

void bytebuf_be(struct bytebuf *b, uint64_t v, int bytes)
{
    uint8_t *p = bytebuf_reserve(b, (size_t)bytes);
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
    b->len += (size_t)bytes;
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

void bytebuf_varint(struct bytebuf *b, int64_t v)
{
    uint64_t z = zigzag(v);
    uint8_t *p = bytebuf_reserve(b, 10);
    size_t n = 0;
    while (z >= 0x80) {
        p[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    p[n++] = (uint8_t)z;
    b->len += n;
}

size_t varint_size(int64_t v)
{
    uint64_t z = zigzag(v);
    size_t n = 1;
    while (z >= 0x80) {
        z >>= 7;
        n++;
    }
    return n;
}

void bytebuf_free(struct bytebuf *b)
{
    free(b->p);
    *b = (struct bytebuf){0};
}
