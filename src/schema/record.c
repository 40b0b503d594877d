/* Registry changes as `_schemas` records (see record.h). */
#include "schema/record.h"
#include <jansson.h>
#include <stdint.h>
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

json_t *sr_refs_to_json(const struct sr_refs *refs)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < refs->n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:i}", "name", refs->items[i].name, "subject",
                                             refs->items[i].subject, "version", refs->items[i].version));
    return arr;
}

bool sr_refs_from_json(json_t *arr, struct sr_refs *out)
{
    memset(out, 0, sizeof(*out));
    if (!arr || json_is_null(arr))
        return true;
    if (!json_is_array(arr))
        return false;
    out->items = xcalloc(json_array_size(arr) + 1, sizeof(*out->items));
    size_t i;
    json_t *ref;
    json_array_foreach(arr, i, ref) {
        const char *name = json_string_value(json_object_get(ref, "name"));
        const char *subject = json_string_value(json_object_get(ref, "subject"));
        json_t *version = json_object_get(ref, "version");
        if (!name || !subject || !json_is_integer(version) || json_integer_value(version) < -1 ||
            json_integer_value(version) == 0 || json_integer_value(version) > INT32_MAX) {
            sr_refs_free(out);
            return false;
        }
        out->items[out->n++] = (struct sr_ref){xstrdup(name), xstrdup(subject), (int32_t)json_integer_value(version)};
    }
    return true;
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
            if (c->refs.n)
                json_object_set_new(v, "references", sr_refs_to_json(&c->refs));
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

/* Records another registry wrote hold its own text of the schema: it is
 * canonicalized with its references resolved. A reference not known yet
 * (a log written out of order, or a record compacted away) leaves the
 * text as stored rather than losing the version. */
static bool apply_schema_text(struct schema_registry *r, const struct sr_format *f, const char *subject,
                              int32_t version, int32_t id, const char *schema, const struct sr_refs *refs,
                              bool deleted)
{
    char why[256];
    struct sr_resolved res;
    bool resolved = sr_resolve(r, refs, true, &res, why, sizeof(why)) == SR_OK;
    char *canonical = resolved ? f->canonicalize(schema, &res.deps, why, sizeof(why)) : xstrdup(schema);
    sr_resolved_free(&res);
    bool ok = canonical && sr_apply_schema(r, subject, version, id, f->type, canonical, refs, deleted);
    free(canonical);
    return ok;
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
        struct sr_refs refs;
        if (!schema || !json_is_integer(id) || !f || !sr_refs_from_json(json_object_get(value, "references"), &refs))
            return false;
        bool ok = apply_schema_text(r, f, subject, version, (int32_t)json_integer_value(id), schema, &refs,
                                    json_is_true(json_object_get(value, "deleted")));
        sr_refs_free(&refs);
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
