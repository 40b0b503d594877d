/* The coordinator's groups: created on first use, found by id through a
 * hash index, deleted when empty. Lookups cost the same with ten groups
 * or a hundred thousand. */
#include <stdlib.h>
#include "group/group.h"
#include "group/group_internal.h"
#include "protocol/gen/errors.h"

void group_coordinator_init(struct group_coordinator *gc, const struct group_host *host,
                            const struct group_limits *limits)
{
    gc->host = *host;
    gc->limits = *limits;
    gc->groups = NULL;
    gc->index = (struct hmap){0};
}

static uint64_t id_hash(struct kstr id) { return hmap_hash(id.p, id.len > 0 ? (size_t)id.len : 0, 0); }

struct cgroup *group_lookup(struct group_coordinator *gc, struct kstr id)
{
    for (struct hnode *n = hmap_first(&gc->index, id_hash(id)); n; n = hmap_next(n)) {
        struct cgroup *g = HMAP_ENTRY(n, struct cgroup, hnode);
        if (kstr_eq(id, g->id))
            return g;
    }
    return NULL;
}

struct cgroup *group_lookup_or_create(struct group_coordinator *gc, struct kstr id)
{
    struct cgroup *g = group_lookup(gc, id);
    if (g)
        return g;
    g = xcalloc(1, sizeof(*g));
    g->gc = gc;
    g->id = xstrndup(id.p ? id.p : "", id.len > 0 ? (size_t)id.len : 0);
    g->state = GROUP_EMPTY;
    g->state_since_ms = now_ms();
    group_join_timer_init(g);
    g->next = gc->groups;
    if (gc->groups)
        gc->groups->prev = g;
    gc->groups = g;
    hmap_insert(&gc->index, &g->hnode, id_hash(id));
    return g;
}

static void unlink_group(struct group_coordinator *gc, struct cgroup *g)
{
    if (g->prev)
        g->prev->next = g->next;
    else
        gc->groups = g->next;
    if (g->next)
        g->next->prev = g->prev;
    hmap_remove(&gc->index, &g->hnode);
}

static void group_free(struct cgroup *g)
{
    struct group_host *h = &g->gc->host;
    h->timer_cancel(h->ctx, &g->join_timer);
    while (g->members)
        group_drop_member(g, g->members, KERR_COORDINATOR_NOT_AVAILABLE, NULL);
    while (g->pending) {
        struct pending_id *p = g->pending;
        g->pending = p->next;
        free(p->member_id);
        free(p);
    }
    group_offsets_clear(g);
    free(g->id);
    free(g->protocol_type);
    free(g->protocol_name);
    free(g->leader_id);
    free(g);
}

void group_delete(struct cgroup *g)
{
    if (g->state == GROUP_EMPTY)
        group_set_state(g, GROUP_DEAD);
    unlink_group(g->gc, g);
    group_free(g);
}

void group_coordinator_clear(struct group_coordinator *gc)
{
    while (gc->groups) {
        struct cgroup *g = gc->groups;
        unlink_group(gc, g);
        group_free(g);
    }
    hmap_free(&gc->index);
}
