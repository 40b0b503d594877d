/* Deciding what a registration or a delete will do, without doing it
 * (see registry.h for why the two are apart). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/registry.h"

/* Appends one reason to err, after any reasons already there. */
__attribute__((format(printf, 3, 4))) static void add_reason(char *err, size_t errlen, const char *fmt, ...)
{
    size_t used = strnlen(err, errlen);
    if (used && used + 2 < errlen) {
        memcpy(err + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, errlen - used, fmt, ap);
    va_end(ap);
}

/* The checks a level makes between a new schema (with its resolved
 * references) and one earlier version (with its own), by the level's
 * direction: backward (the new schema reads data written with the old),
 * forward (the old reads the new) or both. */
static bool compatible_with(const struct schema_registry *r, enum sr_compat level, const struct sr_format *f,
                            const char *canonical, const struct sr_deps *deps, const struct sr_version *old,
                            char *err, size_t errlen)
{
    char why[512] = "";
    if (old->schema->format != f) {
        add_reason(err, errlen, "version %d: a different schema type (%s)", old->version, old->schema->format->type);
        return false;
    }
    struct sr_resolved old_deps;
    if (sr_resolve(r, &old->schema->refs, true, &old_deps, why, sizeof(why)) != SR_OK) {
        add_reason(err, errlen, "version %d: %s", old->version, why);
        sr_resolved_free(&old_deps);
        return false;
    }
    bool backward = level != SR_COMPAT_FORWARD && level != SR_COMPAT_FORWARD_TRANSITIVE;
    bool forward = level != SR_COMPAT_BACKWARD && level != SR_COMPAT_BACKWARD_TRANSITIVE;
    bool ok = true;
    if (backward && !f->can_read(canonical, deps, old->schema->canonical, &old_deps.deps, why, sizeof(why))) {
        add_reason(err, errlen, "the new schema cannot read data written with version %d: %s", old->version, why);
        ok = false;
    } else if (forward && !f->can_read(old->schema->canonical, &old_deps.deps, canonical, deps, why, sizeof(why))) {
        add_reason(err, errlen, "version %d cannot read data written with the new schema: %s", old->version, why);
        ok = false;
    }
    sr_resolved_free(&old_deps);
    return ok;
}

static bool transitive(enum sr_compat c)
{
    return c == SR_COMPAT_BACKWARD_TRANSITIVE || c == SR_COMPAT_FORWARD_TRANSITIVE || c == SR_COMPAT_FULL_TRANSITIVE;
}

/* Checks a canonical schema against the live versions of s that `level`
 * looks at: the latest alone, or every one for the transitive levels. */
static bool compatible_by_level(const struct schema_registry *r, const struct sr_subject *s, enum sr_compat level,
                                const struct sr_format *f, const char *canonical, const struct sr_deps *deps,
                                char *err, size_t errlen)
{
    if (!s || level == SR_COMPAT_NONE)
        return true;
    bool ok = true;
    for (size_t i = s->nversions; i-- > 0;) {
        const struct sr_version *v = &s->versions[i];
        if (v->deleted)
            continue;
        ok = compatible_with(r, level, f, canonical, deps, v, err, errlen) && ok;
        if (!transitive(level))
            break;
    }
    return ok;
}

static const struct sr_version *live_version_of(const struct sr_subject *s, const struct sr_schema *sc)
{
    for (size_t i = s ? s->nversions : 0; sc && i-- > 0;)
        if (s->versions[i].schema == sc && !s->versions[i].deleted)
            return &s->versions[i];
    return NULL;
}

/* A request's schema in canonical form, with its references resolved
 * (res, to free by the caller whatever the answer). include_deleted: may
 * the references name soft-deleted versions. NULL with the reason in err:
 * an unknown type, a reference not found or an invalid schema (42201). */
static char *canonical_of(const struct schema_registry *r, const char *type, const char *text,
                          const struct sr_refs *refs, bool include_deleted, const struct sr_format **f,
                          struct sr_resolved *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    *f = sr_format_by_type(r, type);
    if (!*f) {
        snprintf(err, errlen, "unknown schema type %s", type);
        return NULL;
    }
    if (sr_resolve(r, refs, include_deleted, res, err, errlen) != SR_OK)
        return NULL;
    return (*f)->canonicalize(text, &res->deps, err, errlen);
}

static enum sr_err plan_new_version(const struct schema_registry *r, const struct sr_register_req *req,
                                    bool importing, const struct sr_deps *deps, struct sr_register_plan *plan,
                                    char *err, size_t errlen);

enum sr_err sr_register_plan(const struct schema_registry *r, const struct sr_register_req *req,
                             struct sr_register_plan *plan, char *err, size_t errlen)
{
    memset(plan, 0, sizeof(*plan));
    if (errlen)
        err[0] = '\0';
    enum sr_mode mode = sr_mode_for(r, req->subject);
    if (mode == SR_MODE_READONLY) {
        snprintf(err, errlen, "subject %s is in read-only mode", req->subject);
        return SR_NOT_PERMITTED;
    }
    bool importing = mode == SR_MODE_IMPORT;
    if ((req->id != 0 || req->version != 0) && !importing) {
        snprintf(err, errlen, "an id or version is given only in IMPORT mode");
        return SR_NOT_PERMITTED;
    }
    if (importing && req->id <= 0) {
        snprintf(err, errlen, "IMPORT mode needs the schema's id");
        return SR_NOT_PERMITTED;
    }
    /* A new registration may not reference soft-deleted versions (as in
     * Confluent); an import brings what it is given. */
    struct sr_resolved res;
    plan->canonical = canonical_of(r, req->type, req->text, req->refs, importing, &plan->format, &res, err, errlen);
    sr_refs_copy(&plan->refs, &res.refs);
    enum sr_err e = plan->canonical ? plan_new_version(r, req, importing, &res.deps, plan, err, errlen)
                                    : SR_INVALID_SCHEMA;
    sr_resolved_free(&res);
    return e;
}

/* The part of sr_register_plan after the schema and its references are
 * known good. */
static enum sr_err plan_new_version(const struct schema_registry *r, const struct sr_register_req *req,
                                    bool importing, const struct sr_deps *deps, struct sr_register_plan *plan,
                                    char *err, size_t errlen)
{
    const struct sr_subject *s = sr_subject(r, req->subject);
    const struct sr_schema *known = sr_schema_by_text(r, plan->format, plan->canonical, &plan->refs);
    const struct sr_version *same = live_version_of(s, known);
    if (same && !importing) {
        plan->existing = true;
        plan->id = known->id;
        plan->version = same->version;
        return SR_OK;
    }
    int32_t last = s && s->nversions ? s->versions[s->nversions - 1].version : 0;
    if (importing) {
        const struct sr_schema *at_id = sr_schema_by_id(r, req->id);
        if (at_id && at_id != known) {
            snprintf(err, errlen, "schema id %d already holds a different schema", req->id);
            return SR_NOT_PERMITTED;
        }
        plan->id = req->id;
        plan->version = req->version > 0 ? req->version : last + 1;
        const struct sr_version *v = NULL;
        if (s && sr_version_get(r, req->subject, plan->version, true, &v) == SR_OK && v->schema != known) {
            snprintf(err, errlen, "version %d of %s already holds a different schema", plan->version, req->subject);
            return SR_NOT_PERMITTED;
        }
        plan->existing = v != NULL;
        return SR_OK;
    }
    if (!compatible_by_level(r, s, sr_compat_for(r, req->subject), plan->format, plan->canonical, deps, err, errlen))
        return SR_INCOMPATIBLE;
    plan->id = known ? known->id : r->max_id + 1;
    /* Numbers go on after soft-deleted versions, as Confluent's do. */
    plan->version = last + 1;
    return SR_OK;
}

void sr_register_plan_free(struct sr_register_plan *plan)
{
    free(plan->canonical);
    plan->canonical = NULL;
    sr_refs_free(&plan->refs);
}

enum sr_err sr_check(const struct schema_registry *r, const char *subject, int32_t version, const char *type,
                     const char *text, const struct sr_refs *refs, bool *compatible, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    *compatible = false;
    const struct sr_subject *s = sr_subject(r, subject);
    const struct sr_version *v = NULL;
    if (version != -1 || (s && sr_subject_live(s))) {
        enum sr_err e = sr_version_get(r, subject, version == -1 ? -1 : version, false, &v);
        if (e != SR_OK)
            return e;
    }
    const struct sr_format *f;
    struct sr_resolved res;
    char *canonical = canonical_of(r, type, text, refs, false, &f, &res, err, errlen);
    if (!canonical) {
        sr_resolved_free(&res);
        return SR_INVALID_SCHEMA;
    }
    enum sr_compat level = sr_compat_for(r, subject);
    if (version == -1)
        *compatible = compatible_by_level(r, s, level, f, canonical, &res.deps, err, errlen);
    else
        *compatible = level == SR_COMPAT_NONE || compatible_with(r, level, f, canonical, &res.deps, v, err, errlen);
    free(canonical);
    sr_resolved_free(&res);
    return SR_OK;
}

static enum sr_err writable(const struct schema_registry *r, const char *subject)
{
    return sr_mode_for(r, subject) == SR_MODE_READONLY ? SR_NOT_PERMITTED : SR_OK;
}

/* Does a schema used outside `except_subject` (NULL: anywhere) reference
 * this version? A soft delete looks at referencing versions still live, a
 * permanent one at all (Confluent's rule). Names the version in err. */
static bool referenced_elsewhere(const struct schema_registry *r, const char *subject, int32_t version,
                                 bool permanent, const char *except_subject, char *err, size_t errlen)
{
    size_t n;
    int32_t *ids = sr_referenced_by(r, subject, version, true, &n);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
        found = sr_schema_in_use(r, sr_schema_by_id(r, ids[i]), permanent, except_subject);
    free(ids);
    if (found)
        snprintf(err, errlen, "{magic=1,keytype=SCHEMA,subject=%s,version=%d}", subject, version);
    return found;
}

enum sr_err sr_delete_subject_plan(const struct schema_registry *r, const char *subject, bool permanent,
                                   int32_t **versions, size_t *n, char *err, size_t errlen)
{
    *versions = NULL;
    *n = 0;
    const struct sr_subject *s = sr_subject(r, subject);
    if (!s || s->nversions == 0)
        return SR_SUBJECT_NOT_FOUND;
    if (writable(r, subject) != SR_OK)
        return SR_NOT_PERMITTED;
    bool live = sr_subject_live(s);
    if (permanent && live)
        return SR_SUBJECT_NOT_SOFT_DELETED;
    if (!permanent && !live)
        return SR_SUBJECT_SOFT_DELETED;
    for (size_t i = 0; i < s->nversions; i++)
        if ((permanent || !s->versions[i].deleted) &&
            referenced_elsewhere(r, subject, s->versions[i].version, permanent, subject, err, errlen))
            return SR_REFERENCE_EXISTS;
    *versions = xcalloc(s->nversions, sizeof(**versions));
    for (size_t i = 0; i < s->nversions; i++)
        if (permanent || !s->versions[i].deleted)
            (*versions)[(*n)++] = s->versions[i].version;
    return SR_OK;
}

enum sr_err sr_delete_version_plan(const struct schema_registry *r, const char *subject, int32_t version,
                                   bool permanent, int32_t *resolved, char *err, size_t errlen)
{
    const struct sr_version *v = NULL;
    /* A permanent delete reaches soft-deleted versions; a soft one sees
     * them too, to say they are deleted already. */
    enum sr_err e = sr_version_get(r, subject, version, permanent || version != -1, &v);
    if (e != SR_OK)
        return e;
    if (writable(r, subject) != SR_OK)
        return SR_NOT_PERMITTED;
    if (!permanent && v->deleted)
        return SR_VERSION_SOFT_DELETED;
    if (referenced_elsewhere(r, subject, v->version, permanent, NULL, err, errlen))
        return SR_REFERENCE_EXISTS;
    if (permanent && !v->deleted)
        return SR_VERSION_NOT_SOFT_DELETED;
    *resolved = v->version;
    return SR_OK;
}
