/* Registry changes as `_schemas` records (see record.h). */
#include "schema/record.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"

static json_t *subject_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static char *dump(json_t *o)
{
    /* Confluent's field order; jansson keeps insertion order. */
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

void sr_record_encode(const struct sr_change *c, char **key, char **value)
{
    *value = NULL;
    switch (c->kind) {
    case SR_CHANGE_SCHEMA:
    case SR_CHANGE_DELETE:
        *key = dump(json_pack("{s:s,s:s,s:i,s:i}", "keytype", "SCHEMA", "subject", c->subject, "version", c->version,
                              "magic", 1));
        if (c->kind == SR_CHANGE_SCHEMA) {
            json_t *v = json_pack("{s:s,s:i,s:i}", "subject", c->subject, "version", c->version, "id", c->id);
            if (strcmp(c->type, "AVRO") != 0)
                json_object_set_new(v, "schemaType", json_string(c->type));
            json_object_set_new(v, "schema", json_string(c->canonical));
            json_object_set_new(v, "deleted", json_boolean(c->deleted));
            *value = dump(v);
        }
        return;
    case SR_CHANGE_COMPAT:
        *key = dump(json_pack("{s:s,s:o,s:i}", "keytype", "CONFIG", "subject", subject_or_null(c->subject), "magic", 0));
        if (c->compat != SR_COMPAT_UNSET)
            *value = dump(json_pack("{s:s}", "compatibilityLevel", sr_compat_name(c->compat)));
        return;
    case SR_CHANGE_MODE:
        *key = dump(json_pack("{s:s,s:o,s:i}", "keytype", "MODE", "subject", subject_or_null(c->subject), "magic", 0));
        if (c->mode != SR_MODE_UNSET)
            *value = dump(json_pack("{s:s}", "mode", sr_mode_name(c->mode)));
        return;
    }
    *key = NULL;
}

static void soft_delete_through(struct schema_registry *r, const char *subject, int32_t last)
{
    const struct sr_subject *s = sr_subject(r, subject);
    for (size_t i = 0; s && i < s->nversions; i++)
        if (s->versions[i].version <= last)
            sr_apply_delete(r, subject, s->versions[i].version, false);
}

static bool apply_value(struct schema_registry *r, const char *keytype, const char *subject, json_t *key,
                        json_t *value)
{
    if (strcmp(keytype, "SCHEMA") == 0) {
        json_t *jv = json_object_get(key, "version");
        if (!subject || !json_is_integer(jv))
            return false;
        int32_t version = (int32_t)json_integer_value(jv);
        if (!value) {
            sr_apply_delete(r, subject, version, true);
            return true;
        }
        const char *type = json_string_value(json_object_get(value, "schemaType"));
        const char *schema = json_string_value(json_object_get(value, "schema"));
        json_t *id = json_object_get(value, "id");
        const struct sr_format *f = sr_format_by_type(r, type);
        if (!schema || !json_is_integer(id) || !f)
            return false;
        /* Records another registry wrote hold its own text of the schema. */
        char why[256];
        char *canonical = f->canonicalize(schema, &sr_no_deps, why, sizeof(why));
        bool ok = canonical && sr_apply_schema(r, subject, version, (int32_t)json_integer_value(id), f->type,
                                               canonical, json_is_true(json_object_get(value, "deleted")));
        free(canonical);
        return ok;
    }
    if (strcmp(keytype, "CONFIG") == 0) {
        enum sr_compat c = value ? sr_compat_parse(json_string_value(json_object_get(value, "compatibilityLevel")))
                                 : SR_COMPAT_UNSET;
        if (value && c == SR_COMPAT_UNSET)
            return false;
        sr_apply_compat(r, subject, c);
        return true;
    }
    if (strcmp(keytype, "MODE") == 0) {
        enum sr_mode m = value ? sr_mode_parse(json_string_value(json_object_get(value, "mode"))) : SR_MODE_UNSET;
        if (value && m == SR_MODE_UNSET)
            return false;
        sr_apply_mode(r, subject, m);
        return true;
    }
    if (strcmp(keytype, "DELETE_SUBJECT") == 0) {
        json_t *jv = value ? json_object_get(value, "version") : NULL;
        if (!subject || !json_is_integer(jv))
            return false;
        soft_delete_through(r, subject, (int32_t)json_integer_value(jv));
        return true;
    }
    return false;
}

bool sr_record_apply(struct schema_registry *r, const char *key, size_t key_len, const char *value,
                     size_t value_len, bool tombstone)
{
    json_t *k = key ? json_loadb(key, key_len, 0, NULL) : NULL;
    json_t *v = !tombstone && value ? json_loadb(value, value_len, 0, NULL) : NULL;
    const char *keytype = json_string_value(json_object_get(k, "keytype"));
    /* A subject is a string, or null (or absent) for the global settings. */
    json_t *subject = json_object_get(k, "subject");
    bool ok = keytype && (!subject || json_is_null(subject) || json_is_string(subject)) &&
              (tombstone || json_is_object(v)) &&
              apply_value(r, keytype, json_string_value(json_object_get(k, "subject")), k, tombstone ? NULL : v);
    json_decref(k);
    json_decref(v);
    return ok;
}
