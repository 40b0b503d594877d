/* A growing text buffer, always NUL-terminated (HTTP and REST bodies,
 * JSON, metrics text). Binary data goes in core/bytebuf.h. */
#ifndef SLUICE_SBUF_H
#define SLUICE_SBUF_H
#include <stddef.h>

struct sbuf {
    char *p;
    size_t len, cap;
};
void sbuf_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_add(struct sbuf *s, const char *p, size_t n);
#endif
