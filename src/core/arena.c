#include "core/arena.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"

struct arena_chunk {
    struct arena_chunk *next;
    size_t cap, used;
    max_align_t data[];
};

#define ARENA_CHUNK_MIN 4096

void arena_init(struct arena *a) { a->head = NULL; a->used_total = 0; }

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (need == 0)
        need = sizeof(max_align_t);
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > ARENA_CHUNK_MIN ? need : ARENA_CHUNK_MIN;
        if (c && c->cap * 2 > cap && c->cap < (1u << 20))
            cap = c->cap * 2;
        c = xmalloc(sizeof(*c) + cap);
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += need;
    a->used_total += need;
    memset(p, 0, n);
    return p;
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
    void *d = arena_alloc(a, n);
    if (n)
        memcpy(d, p, n);
    return d;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

void arena_reset(struct arena *a)
{
    arena_free(a);
}

void arena_free(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
    a->used_total = 0;
}
