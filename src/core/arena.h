/* Region allocator: many small allocations, one free.
 * Each request's decoded structs live in one arena that is released
 * after its response has been encoded. */
#ifndef SLUICE_ARENA_H
#define SLUICE_ARENA_H
#include <stddef.h>

struct arena_chunk;
struct arena {
    struct arena_chunk *head;
    size_t used_total;          /* bytes handed out, for limits and metrics */
};

void arena_init(struct arena *a);
/* Zeroed memory, aligned for any type. Aborts on out of memory. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Frees every chunk but keeps the arena usable. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
#endif
