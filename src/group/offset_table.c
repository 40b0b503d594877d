/* A group's committed offsets in memory: a hash index by (topic,
 * partition) for lookups, and a list for walks (expiry, compaction,
 * OffsetFetch of everything). An OffsetCommit of N partitions costs N
 * lookups, whatever the group holds. */
#include <stdlib.h>
#include "group/group.h"

static uint64_t key_hash(const char *topic, int32_t partition)
{
    return hmap_hash(&partition, sizeof(partition), hmap_hash(topic, strlen(topic), 0));
}

struct committed_offset *group_offset(struct cgroup *g, const char *topic, int32_t partition)
{
    for (struct hnode *n = hmap_first(&g->offset_index, key_hash(topic, partition)); n; n = hmap_next(n)) {
        struct committed_offset *o = HMAP_ENTRY(n, struct committed_offset, hnode);
        if (o->partition == partition && strcmp(o->topic, topic) == 0)
            return o;
    }
    return NULL;
}

void offset_set(struct cgroup *g, const char *topic, int32_t partition, int64_t offset, int32_t epoch,
                const char *meta, int32_t meta_len, int64_t commit_ms)
{
    struct committed_offset *o = group_offset(g, topic, partition);
    if (!o) {
        o = xcalloc(1, sizeof(*o));
        o->topic = xstrdup(topic);
        o->partition = partition;
        o->next = g->offsets;
        if (g->offsets)
            g->offsets->prev = o;
        g->offsets = o;
        hmap_insert(&g->offset_index, &o->hnode, key_hash(topic, partition));
    }
    o->offset = offset;
    o->leader_epoch = epoch;
    free(o->metadata);
    o->metadata = meta && meta_len >= 0 ? xstrndup(meta, (size_t)meta_len) : NULL;
    o->commit_ms = commit_ms;
}

static void offset_free(struct committed_offset *o)
{
    free(o->topic);
    free(o->metadata);
    free(o);
}

void offsets_remove(struct cgroup *g, const char *topic, int32_t partition)
{
    struct committed_offset *o = group_offset(g, topic, partition);
    if (!o)
        return;
    if (o->prev)
        o->prev->next = o->next;
    else
        g->offsets = o->next;
    if (o->next)
        o->next->prev = o->prev;
    hmap_remove(&g->offset_index, &o->hnode);
    offset_free(o);
}

void group_offsets_clear(struct cgroup *g)
{
    while (g->offsets) {
        struct committed_offset *o = g->offsets;
        g->offsets = o->next;
        offset_free(o);
    }
    hmap_free(&g->offset_index);
}
