/* Applying one registry change (see change.h). */
#include "schema/change.h"
#include <stdlib.h>
#include <string.h>
#include "core/util.h"

bool sr_change_apply(struct schema_registry *r, const struct sr_change *c)
{
    switch (c->kind) {
    case SR_CHANGE_SCHEMA:
        return sr_apply_schema(r, c->subject, c->version, c->id, c->type, c->canonical, &c->refs, c->deleted);
    case SR_CHANGE_DELETE:
        sr_apply_delete(r, c->subject, c->version, true);
        return true;
    case SR_CHANGE_COMPAT:
        sr_apply_compat(r, c->subject, c->compat);
        return true;
    case SR_CHANGE_MODE:
        sr_apply_mode(r, c->subject, c->mode);
        return true;
    }
    return false;
}

void sr_change_soft_delete(const struct schema_registry *r, const char *subject, int32_t version,
                           struct sr_change *out)
{
    const struct sr_version *v = NULL;
    memset(out, 0, sizeof(*out));
    out->kind = SR_CHANGE_SCHEMA;
    out->subject = xstrdup(subject);
    out->version = version;
    out->deleted = true;
    if (sr_version_get(r, subject, version, true, &v) == SR_OK) {
        out->id = v->schema->id;
        out->type = xstrdup(v->schema->format->type);
        out->canonical = xstrdup(v->schema->canonical);
        sr_refs_copy(&out->refs, &v->schema->refs);
    }
}

void sr_change_free(struct sr_change *c)
{
    free(c->subject);
    free(c->type);
    free(c->canonical);
    sr_refs_free(&c->refs);
    memset(c, 0, sizeof(*c));
}
