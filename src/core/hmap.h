/* An intrusive chained hash table: entries embed a struct hnode, the
 * table only links them. The caller hashes its key (hmap_hash) and
 * compares keys itself while walking the nodes of one hash, so one table
 * type serves any key. It grows by doubling once it holds as many
 * entries as buckets, so a lookup stays O(1) on average. */
#ifndef SLUICE_HMAP_H
#define SLUICE_HMAP_H
#include <stddef.h>
#include <stdint.h>

struct hnode {
    struct hnode *next;        /* in its bucket */
    uint64_t hash;
};

struct hmap {
    struct hnode **buckets;
    size_t nbuckets;           /* a power of two, 0 until the first insert */
    size_t count;
};

/* The entry that embeds node n: HMAP_ENTRY(n, struct cgroup, hnode). */
#define HMAP_ENTRY(n, type, field) ((type *)(void *)((char *)(n) - offsetof(type, field)))

/* FNV-1a over n bytes, continuing from seed (0 to start). */
uint64_t hmap_hash(const void *p, size_t n, uint64_t seed);

/* The first node with this hash, then the next ones: NULL at the end.
 * Different keys may share a hash, so compare the key of each. */
struct hnode *hmap_first(const struct hmap *m, uint64_t hash);
struct hnode *hmap_next(const struct hnode *n);

void hmap_insert(struct hmap *m, struct hnode *n, uint64_t hash);
void hmap_remove(struct hmap *m, struct hnode *n);
/* Frees the buckets; the entries belong to the caller. */
void hmap_free(struct hmap *m);
#endif
