/* One change to the registry's state: what a request decided (after its
 * plan) and what the `_schemas` log stores, so that answering a request
 * and replaying the log apply the very same thing. */
#ifndef SLUICE_SCHEMA_CHANGE_H
#define SLUICE_SCHEMA_CHANGE_H
#include <stdbool.h>
#include <stdint.h>
#include "schema/registry.h"

enum sr_change_kind {
    SR_CHANGE_SCHEMA,        /* subject/version -> id, canonical, refs (deleted: soft-deleted) */
    SR_CHANGE_DELETE,        /* permanent delete of subject/version */
    SR_CHANGE_COMPAT,        /* subject NULL: global; SR_COMPAT_UNSET removes a subject's */
    SR_CHANGE_MODE,
};

struct sr_change {
    enum sr_change_kind kind;
    char *subject;
    int32_t version, id;
    char *type, *canonical;
    struct sr_refs refs;
    bool deleted;
    enum sr_compat compat;
    enum sr_mode mode;
};

/* Applies one change; false if the registry refuses it (a corrupt log). */
bool sr_change_apply(struct schema_registry *r, const struct sr_change *c);
/* A soft delete is the version stored again with deleted set: it needs
 * the version's schema, filled in from the registry. */
void sr_change_soft_delete(const struct schema_registry *r, const char *subject, int32_t version,
                           struct sr_change *out);
void sr_change_free(struct sr_change *c);
#endif
