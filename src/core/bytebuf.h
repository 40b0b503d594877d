/* A growing byte buffer for building binary data (record batches and
 * the offsets log's keys and values). Allocation failure aborts, as
 * everywhere (util.h). */
#ifndef SLUICE_BYTEBUF_H
#define SLUICE_BYTEBUF_H
#include <stddef.h>
#include <stdint.h>

struct bytebuf {
    uint8_t *p;
    size_t len, cap;
};

/* Makes room for extra more bytes; returns where they start. */
uint8_t *bytebuf_reserve(struct bytebuf *b, size_t extra);
void bytebuf_put(struct bytebuf *b, const void *p, size_t n);
void bytebuf_u8(struct bytebuf *b, uint8_t v);
/* The low `bytes` bytes of v, big-endian. */
void bytebuf_be(struct bytebuf *b, uint64_t v, int bytes);
/* Zig-zag varint, as inside records. */
void bytebuf_varint(struct bytebuf *b, int64_t v);
/* Size of v as bytebuf_varint writes it. */
size_t varint_size(int64_t v);
void bytebuf_free(struct bytebuf *b);
#endif
