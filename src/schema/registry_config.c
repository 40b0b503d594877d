/* Compatibility levels and modes: their names, and the global and
 * per-subject settings. */
#include <string.h>
#include "schema/registry.h"

static const char *const compat_names[] = {
    [SR_COMPAT_NONE] = "NONE",
    [SR_COMPAT_BACKWARD] = "BACKWARD",
    [SR_COMPAT_BACKWARD_TRANSITIVE] = "BACKWARD_TRANSITIVE",
    [SR_COMPAT_FORWARD] = "FORWARD",
    [SR_COMPAT_FORWARD_TRANSITIVE] = "FORWARD_TRANSITIVE",
    [SR_COMPAT_FULL] = "FULL",
    [SR_COMPAT_FULL_TRANSITIVE] = "FULL_TRANSITIVE",
};

static const char *const mode_names[] = {
    [SR_MODE_READWRITE] = "READWRITE",
    [SR_MODE_READONLY] = "READONLY",
    [SR_MODE_IMPORT] = "IMPORT",
};

const char *sr_compat_name(enum sr_compat c)
{
    return c >= 0 && (size_t)c < sizeof(compat_names) / sizeof(*compat_names) ? compat_names[c] : NULL;
}

enum sr_compat sr_compat_parse(const char *s)
{
    for (size_t i = 0; s && i < sizeof(compat_names) / sizeof(*compat_names); i++)
        if (strcmp(s, compat_names[i]) == 0)
            return (enum sr_compat)i;
    return SR_COMPAT_UNSET;
}

const char *sr_mode_name(enum sr_mode m)
{
    return m >= 0 && (size_t)m < sizeof(mode_names) / sizeof(*mode_names) ? mode_names[m] : NULL;
}

enum sr_mode sr_mode_parse(const char *s)
{
    for (size_t i = 0; s && i < sizeof(mode_names) / sizeof(*mode_names); i++)
        if (strcmp(s, mode_names[i]) == 0)
            return (enum sr_mode)i;
    return SR_MODE_UNSET;
}

enum sr_compat sr_compat_for(const struct schema_registry *r, const char *subject)
{
    const struct sr_subject *s = subject ? sr_subject(r, subject) : NULL;
    return s && s->compat != SR_COMPAT_UNSET ? s->compat : r->compat;
}

enum sr_mode sr_mode_for(const struct schema_registry *r, const char *subject)
{
    const struct sr_subject *s = subject ? sr_subject(r, subject) : NULL;
    return s && s->mode != SR_MODE_UNSET ? s->mode : r->mode;
}

enum sr_err sr_mode_plan(const struct schema_registry *r, const char *subject, enum sr_mode m, bool force)
{
    if (m == SR_MODE_UNSET)
        return SR_INVALID_MODE;
    if (m != SR_MODE_IMPORT || force)
        return SR_OK;
    /* Importing keeps the ids of another registry: it must not meet ids
     * this one has already given. */
    if (subject) {
        const struct sr_subject *s = sr_subject(r, subject);
        return s && s->nversions > 0 ? SR_NOT_PERMITTED : SR_OK;
    }
    return r->max_id > 0 ? SR_NOT_PERMITTED : SR_OK;
}

enum sr_strategy sr_strategy_parse(const char *s)
{
    const char *dot = strrchr(s, '.');
    const char *name = dot ? dot + 1 : s;
    if (strcmp(name, "TopicNameStrategy") == 0)
        return SR_TOPIC_NAME;
    if (strcmp(name, "RecordNameStrategy") == 0)
        return SR_RECORD_NAME;
    if (strcmp(name, "TopicRecordNameStrategy") == 0)
        return SR_TOPIC_RECORD_NAME;
    return SR_STRATEGY_UNKNOWN;
}
