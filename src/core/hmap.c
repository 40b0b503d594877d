/* Intrusive hash table: see hmap.h. */
#include "core/hmap.h"
#include <stdlib.h>
#include "core/util.h"

uint64_t hmap_hash(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *b = p;
    uint64_t h = seed ? seed : 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static size_t bucket_of(size_t nbuckets, uint64_t hash) { return (size_t)(hash ^ (hash >> 32)) & (nbuckets - 1); }

struct hnode *hmap_first(const struct hmap *m, uint64_t hash)
{
    if (!m->nbuckets)
        return NULL;
    for (struct hnode *n = m->buckets[bucket_of(m->nbuckets, hash)]; n; n = n->next)
        if (n->hash == hash)
            return n;
    return NULL;
}

struct hnode *hmap_next(const struct hnode *n)
{
    for (struct hnode *o = n->next; o; o = o->next)
        if (o->hash == n->hash)
            return o;
    return NULL;
}

static void grow(struct hmap *m)
{
    size_t nb = m->nbuckets ? m->nbuckets * 2 : 16;
    struct hnode **v = xcalloc(nb, sizeof(*v));
    for (size_t i = 0; i < m->nbuckets; i++)
        for (struct hnode *n = m->buckets[i], *next; n; n = next) {
            next = n->next;
            size_t b = bucket_of(nb, n->hash);
            n->next = v[b];
            v[b] = n;
        }
    free(m->buckets);
    m->buckets = v;
    m->nbuckets = nb;
}

void hmap_insert(struct hmap *m, struct hnode *n, uint64_t hash)
{
    if (m->count >= m->nbuckets)
        grow(m);
    size_t b = bucket_of(m->nbuckets, hash);
    n->hash = hash;
    n->next = m->buckets[b];
    m->buckets[b] = n;
    m->count++;
}

void hmap_remove(struct hmap *m, struct hnode *n)
{
    if (!m->nbuckets)
        return;
    for (struct hnode **pp = &m->buckets[bucket_of(m->nbuckets, n->hash)]; *pp; pp = &(*pp)->next)
        if (*pp == n) {
            *pp = n->next;
            n->next = NULL;
            m->count--;
            return;
        }
}

void hmap_free(struct hmap *m)
{
    free(m->buckets);
    *m = (struct hmap){0};
}
