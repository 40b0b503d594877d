/* The registry's state: subjects, versions and global schema ids, read
 * and changed one step at a time (see registry.h). */
#include "schema/registry.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"

static uint64_t name_hash(const char *s) { return hmap_hash(s, strlen(s), 0); }
static uint64_t id_hash(int32_t id) { return hmap_hash(&id, sizeof(id), 0); }

/* A schema's identity is its type and canonical text. */
static uint64_t text_hash(const struct sr_format *f, const char *canonical)
{
    return hmap_hash(canonical, strlen(canonical), name_hash(f->type));
}

void sr_init(struct schema_registry *r, const struct sr_format *const *formats)
{
    memset(r, 0, sizeof(*r));
    r->formats = formats;
    r->compat = SR_COMPAT_BACKWARD;     /* Confluent's default */
    r->mode = SR_MODE_READWRITE;
}

static void subject_free(struct sr_subject *s)
{
    free(s->name);
    free(s->versions);
    free(s);
}

void sr_free(struct schema_registry *r)
{
    for (size_t b = 0; b < r->subjects.nbuckets; b++)
        for (struct hnode *n = r->subjects.buckets[b], *next; n; n = next) {
            next = n->next;
            subject_free(HMAP_ENTRY(n, struct sr_subject, node));
        }
    for (size_t b = 0; b < r->ids.nbuckets; b++)
        for (struct hnode *n = r->ids.buckets[b], *next; n; n = next) {
            next = n->next;
            struct sr_schema *sc = HMAP_ENTRY(n, struct sr_schema, by_id);
            free(sc->canonical);
            sr_refs_free(&sc->refs);
            free(sc);
        }
    hmap_free(&r->subjects);
    hmap_free(&r->ids);
    hmap_free(&r->texts);
}

const struct sr_deps sr_no_deps = {0, NULL, NULL};

const struct sr_format *sr_format_by_type(const struct schema_registry *r, const char *type)
{
    if (!type || !*type)
        return r->formats[0];
    for (const struct sr_format *const *f = r->formats; *f; f++)
        if (strcmp((*f)->type, type) == 0)
            return *f;
    return NULL;
}

struct sr_subject *sr_subject(const struct schema_registry *r, const char *name)
{
    for (struct hnode *n = hmap_first(&r->subjects, name_hash(name)); n; n = hmap_next(n)) {
        struct sr_subject *s = HMAP_ENTRY(n, struct sr_subject, node);
        if (strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

static struct sr_subject *subject_get_or_add(struct schema_registry *r, const char *name)
{
    struct sr_subject *s = sr_subject(r, name);
    if (!s) {
        s = xcalloc(1, sizeof(*s));
        s->name = xstrdup(name);
        s->compat = SR_COMPAT_UNSET;
        s->mode = SR_MODE_UNSET;
        hmap_insert(&r->subjects, &s->node, name_hash(name));
    }
    return s;
}

/* A subject with no versions and no settings of its own is forgotten. */
static void subject_drop_if_empty(struct schema_registry *r, struct sr_subject *s)
{
    if (s->nversions == 0 && s->compat == SR_COMPAT_UNSET && s->mode == SR_MODE_UNSET) {
        hmap_remove(&r->subjects, &s->node);
        subject_free(s);
    }
}

struct sr_schema *sr_schema_by_id(const struct schema_registry *r, int32_t id)
{
    for (struct hnode *n = hmap_first(&r->ids, id_hash(id)); n; n = hmap_next(n)) {
        struct sr_schema *sc = HMAP_ENTRY(n, struct sr_schema, by_id);
        if (sc->id == id)
            return sc;
    }
    return NULL;
}

/* Two schemas are the same when their texts and references are, as in
 * Confluent. */
static bool same_schema(const struct sr_schema *sc, const struct sr_format *f, const char *canonical,
                        const struct sr_refs *refs)
{
    return sc->format == f && strcmp(sc->canonical, canonical) == 0 && sr_refs_equal(&sc->refs, refs);
}

struct sr_schema *sr_schema_by_text(const struct schema_registry *r, const struct sr_format *f, const char *canonical,
                                    const struct sr_refs *refs)
{
    for (struct hnode *n = hmap_first(&r->texts, text_hash(f, canonical)); n; n = hmap_next(n)) {
        struct sr_schema *sc = HMAP_ENTRY(n, struct sr_schema, by_text);
        if (same_schema(sc, f, canonical, refs))
            return sc;
    }
    return NULL;
}

bool sr_subject_live(const struct sr_subject *s)
{
    for (size_t i = 0; i < s->nversions; i++)
        if (!s->versions[i].deleted)
            return true;
    return false;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

const char **sr_subjects(const struct schema_registry *r, bool include_deleted, size_t *n)
{
    const char **names = xcalloc(r->subjects.count + 1, sizeof(*names));
    *n = 0;
    for (size_t b = 0; b < r->subjects.nbuckets; b++)
        for (struct hnode *h = r->subjects.buckets[b]; h; h = h->next) {
            struct sr_subject *s = HMAP_ENTRY(h, struct sr_subject, node);
            if (include_deleted ? s->nversions > 0 : sr_subject_live(s))
                names[(*n)++] = s->name;
        }
    qsort(names, *n, sizeof(*names), cmp_names);
    return names;
}

static struct sr_version *version_find(const struct sr_subject *s, int32_t version)
{
    for (size_t i = 0; i < s->nversions; i++)
        if (s->versions[i].version == version)
            return &s->versions[i];
    return NULL;
}

enum sr_err sr_version_get(const struct schema_registry *r, const char *subject, int32_t version,
                           bool include_deleted, const struct sr_version **out)
{
    const struct sr_subject *s = sr_subject(r, subject);
    if (!s || !(include_deleted ? s->nversions > 0 : sr_subject_live(s)))
        return SR_SUBJECT_NOT_FOUND;
    if (version == -1) {
        for (size_t i = s->nversions; i-- > 0;)
            if (include_deleted || !s->versions[i].deleted) {
                *out = &s->versions[i];
                return SR_OK;
            }
        return SR_VERSION_NOT_FOUND;
    }
    const struct sr_version *v = version_find(s, version);
    if (!v || (v->deleted && !include_deleted))
        return SR_VERSION_NOT_FOUND;
    *out = v;
    return SR_OK;
}

enum sr_err sr_lookup(const struct schema_registry *r, const char *subject, const char *type, const char *text,
                      const struct sr_refs *refs, bool include_deleted, const struct sr_version **out, char *err,
                      size_t errlen)
{
    const struct sr_subject *s = sr_subject(r, subject);
    if (!s || !(include_deleted ? s->nversions > 0 : sr_subject_live(s)))
        return SR_SUBJECT_NOT_FOUND;
    const struct sr_format *f = sr_format_by_type(r, type);
    if (!f) {
        snprintf(err, errlen, "unknown schema type %s", type);
        return SR_INVALID_SCHEMA;
    }
    struct sr_resolved res;
    if (sr_resolve(r, refs, true, &res, err, errlen) != SR_OK)
        return SR_INVALID_SCHEMA;
    char *canonical = f->canonicalize(text, &res.deps, err, errlen);
    const struct sr_schema *sc = canonical ? sr_schema_by_text(r, f, canonical, &res.refs) : NULL;
    sr_resolved_free(&res);
    if (!canonical)
        return SR_INVALID_SCHEMA;
    free(canonical);
    /* The newest version holding it, as Confluent answers. */
    for (size_t i = s->nversions; sc && i-- > 0;)
        if (s->versions[i].schema == sc && (include_deleted || !s->versions[i].deleted)) {
            *out = &s->versions[i];
            return SR_OK;
        }
    return SR_SCHEMA_NOT_FOUND;
}

/* ---- applying ---- */

static struct sr_schema *schema_add(struct schema_registry *r, int32_t id, const struct sr_format *f,
                                    const char *canonical, const struct sr_refs *refs)
{
    struct sr_schema *sc = xcalloc(1, sizeof(*sc));
    sc->id = id;
    sc->format = f;
    sc->canonical = xstrdup(canonical);
    sr_refs_copy(&sc->refs, refs);
    hmap_insert(&r->ids, &sc->by_id, id_hash(id));
    hmap_insert(&r->texts, &sc->by_text, text_hash(f, canonical));
    if (id > r->max_id)
        r->max_id = id;
    return sc;
}

bool sr_apply_schema(struct schema_registry *r, const char *subject, int32_t version, int32_t id,
                     const char *type, const char *canonical, const struct sr_refs *refs, bool deleted)
{
    const struct sr_format *f = sr_format_by_type(r, type);
    if (!f || id <= 0 || version <= 0)
        return false;
    struct sr_schema *sc = sr_schema_by_id(r, id);
    if (sc && !same_schema(sc, f, canonical, refs))
        return false;
    if (!sc)
        sc = schema_add(r, id, f, canonical, refs);
    struct sr_subject *s = subject_get_or_add(r, subject);
    struct sr_version *v = version_find(s, version);
    if (!v) {
        if (s->nversions == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 4;
            s->versions = xrealloc(s->versions, s->cap * sizeof(*s->versions));
        }
        /* Keep version order: a replayed or imported version may land
         * below ones already present. */
        size_t at = s->nversions;
        while (at > 0 && s->versions[at - 1].version > version)
            at--;
        memmove(&s->versions[at + 1], &s->versions[at], (s->nversions - at) * sizeof(*s->versions));
        s->nversions++;
        v = &s->versions[at];
        v->version = version;
    }
    v->schema = sc;
    v->deleted = deleted;
    return true;
}

void sr_apply_delete(struct schema_registry *r, const char *subject, int32_t version, bool permanent)
{
    struct sr_subject *s = sr_subject(r, subject);
    struct sr_version *v = s ? version_find(s, version) : NULL;
    if (!v)
        return;
    if (!permanent) {
        v->deleted = true;
        return;
    }
    /* The schema itself stays: its id is never given to another. */
    size_t at = (size_t)(v - s->versions);
    memmove(v, v + 1, (s->nversions - at - 1) * sizeof(*v));
    s->nversions--;
    subject_drop_if_empty(r, s);
}

/* A subject's own setting lives on its entry, created for it if needed;
 * removing the last thing a subject holds forgets it. */
void sr_apply_compat(struct schema_registry *r, const char *subject, enum sr_compat c)
{
    if (!subject) {
        if (c != SR_COMPAT_UNSET)
            r->compat = c;
        return;
    }
    struct sr_subject *s = subject_get_or_add(r, subject);
    s->compat = c;
    subject_drop_if_empty(r, s);
}

void sr_apply_mode(struct schema_registry *r, const char *subject, enum sr_mode m)
{
    if (!subject) {
        if (m != SR_MODE_UNSET)
            r->mode = m;
        return;
    }
    struct sr_subject *s = subject_get_or_add(r, subject);
    s->mode = m;
    subject_drop_if_empty(r, s);
}
