/* Schema references (see registry.h): comparing them, resolving them into
 * the texts a format reads, and finding who references a version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/registry.h"

/* Deeper than any real schema graph; a log crafted with a cycle stops here. */
#define MAX_REF_DEPTH 32

void sr_refs_copy(struct sr_refs *dst, const struct sr_refs *src)
{
    dst->n = src ? src->n : 0;
    dst->items = dst->n ? xcalloc(dst->n, sizeof(*dst->items)) : NULL;
    for (size_t i = 0; i < dst->n; i++)
        dst->items[i] = (struct sr_ref){xstrdup(src->items[i].name), xstrdup(src->items[i].subject),
                                        src->items[i].version};
}

void sr_refs_free(struct sr_refs *refs)
{
    for (size_t i = 0; i < refs->n; i++) {
        free(refs->items[i].name);
        free(refs->items[i].subject);
    }
    free(refs->items);
    refs->items = NULL;
    refs->n = 0;
}

/* In order, as Confluent compares its reference lists. */
bool sr_refs_equal(const struct sr_refs *a, const struct sr_refs *b)
{
    size_t na = a ? a->n : 0, nb = b ? b->n : 0;
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a->items[i].name, b->items[i].name) != 0 || strcmp(a->items[i].subject, b->items[i].subject) != 0 ||
            a->items[i].version != b->items[i].version)
            return false;
    return true;
}

/* ---- resolving ---- */

/* One resolution: what it adds to, and the names met so far (marked
 * before their own references are walked, as Confluent does, so that a
 * cycle in a crafted log ends at once). Hashed: a request may bring many
 * thousands of references. */
struct seen_name {
    const char *name;
    struct hnode node;
};

struct walk {
    const struct schema_registry *r;
    bool include_deleted;
    struct sr_resolved *res;
    struct hmap seen;
};

static uint64_t name_hash(const char *name) { return hmap_hash(name, strlen(name), 0); }

/* Marks a name as met; false when it was already. */
static bool mark_seen(struct walk *w, const char *name)
{
    uint64_t h = name_hash(name);
    for (struct hnode *n = hmap_first(&w->seen, h); n; n = hmap_next(n))
        if (strcmp(HMAP_ENTRY(n, struct seen_name, node)->name, name) == 0)
            return false;
    struct seen_name *e = xcalloc(1, sizeof(*e));
    e->name = name;
    hmap_insert(&w->seen, &e->node, h);
    return true;
}

static void seen_free(struct walk *w)
{
    for (size_t b = 0; b < w->seen.nbuckets; b++)
        for (struct hnode *n = w->seen.buckets[b], *next; n; n = next) {
            next = n->next;
            free(HMAP_ENTRY(n, struct seen_name, node));
        }
    hmap_free(&w->seen);
}

static void resolved_add(struct sr_resolved *res, const char *name, const char *text)
{
    if (res->deps.n == res->cap) {
        res->cap = res->cap ? res->cap * 2 : 4;
        res->names = xrealloc(res->names, res->cap * sizeof(*res->names));
        res->texts = xrealloc(res->texts, res->cap * sizeof(*res->texts));
    }
    res->names[res->deps.n] = name;
    res->texts[res->deps.n] = text;
    res->deps.n++;
}

/* Adds what refs reach, each schema after its own references. pinned,
 * when given, gets each reference's version number. */
static enum sr_err resolve_into(struct walk *w, const struct sr_refs *refs, int depth, int32_t *pinned, char *err,
                                size_t errlen)
{
    if (depth > MAX_REF_DEPTH) {
        snprintf(err, errlen, "references nest deeper than %d", MAX_REF_DEPTH);
        return SR_INVALID_SCHEMA;
    }
    for (size_t i = 0; refs && i < refs->n; i++) {
        const struct sr_ref *ref = &refs->items[i];
        const struct sr_version *v = NULL;
        if (!ref->name || !*ref->name || !ref->subject || !*ref->subject) {
            snprintf(err, errlen, "Invalid reference: a reference needs a name, a subject and a version");
            return SR_INVALID_SCHEMA;
        }
        if (sr_version_get(w->r, ref->subject, ref->version, w->include_deleted, &v) != SR_OK) {
            snprintf(err, errlen, "No schema reference found for subject \"%s\" and version %d", ref->subject,
                     ref->version);
            return SR_INVALID_SCHEMA;
        }
        if (pinned)
            pinned[i] = v->version;
        if (!mark_seen(w, ref->name))
            continue;
        enum sr_err e = resolve_into(w, &v->schema->refs, depth + 1, NULL, err, errlen);
        if (e != SR_OK)
            return e;
        resolved_add(w->res, ref->name, v->schema->canonical);
    }
    return SR_OK;
}

enum sr_err sr_resolve(const struct schema_registry *r, const struct sr_refs *refs, bool include_deleted,
                       struct sr_resolved *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    sr_refs_copy(&out->refs, refs);
    int32_t *pinned = out->refs.n ? xcalloc(out->refs.n, sizeof(*pinned)) : NULL;
    struct walk w = {.r = r, .include_deleted = include_deleted, .res = out};
    enum sr_err e = resolve_into(&w, refs, 0, pinned, err, errlen);
    for (size_t i = 0; e == SR_OK && i < out->refs.n; i++)
        out->refs.items[i].version = pinned[i];
    free(pinned);
    seen_free(&w);
    out->deps.names = out->names;
    out->deps.texts = out->texts;
    return e;
}

void sr_resolved_free(struct sr_resolved *res)
{
    sr_refs_free(&res->refs);
    free(res->names);
    free(res->texts);
    memset(res, 0, sizeof(*res));
}

/* ---- who references what ---- */

bool sr_schema_in_use(const struct schema_registry *r, const struct sr_schema *sc, bool include_deleted,
                      const char *except_subject)
{
    for (size_t b = 0; b < r->subjects.nbuckets; b++)
        for (struct hnode *h = r->subjects.buckets[b]; h; h = h->next) {
            const struct sr_subject *s = HMAP_ENTRY(h, struct sr_subject, node);
            for (size_t i = 0; (!except_subject || strcmp(s->name, except_subject) != 0) && i < s->nversions; i++)
                if (s->versions[i].schema == sc && (include_deleted || !s->versions[i].deleted))
                    return true;
        }
    return false;
}

static bool references(const struct sr_schema *sc, const char *subject, int32_t version)
{
    for (size_t i = 0; i < sc->refs.n; i++)
        if (sc->refs.items[i].version == version && strcmp(sc->refs.items[i].subject, subject) == 0)
            return true;
    return false;
}

static int cmp_ids(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int32_t *sr_referenced_by(const struct schema_registry *r, const char *subject, int32_t version,
                          bool include_deleted, size_t *n)
{
    int32_t *ids = xcalloc(r->ids.count + 1, sizeof(*ids));
    *n = 0;
    for (size_t b = 0; b < r->ids.nbuckets; b++)
        for (struct hnode *h = r->ids.buckets[b]; h; h = h->next) {
            const struct sr_schema *sc = HMAP_ENTRY(h, struct sr_schema, by_id);
            if (references(sc, subject, version) && sr_schema_in_use(r, sc, include_deleted, NULL))
                ids[(*n)++] = sc->id;
        }
    qsort(ids, *n, sizeof(*ids), cmp_ids);
    return ids;
}
