/* Avro for the registry: a canonical text to compare schemas by, and the
 * Avro specification's schema resolution rules to decide compatibility.
 *
 * Debian's libavro (1.11) validates a schema, but its parsed form drops
 * field defaults and logical types, and its avro_schema_match() refuses
 * a reader field missing from the writer even when it has a default; the
 * spec says such a field is filled from its default. So libavro judges
 * validity, this file checks what it drops (defaults must fit their
 * field's type, as Avro's Java parser and so Confluent's registry
 * require), and avro_resolve.c applies the rules to the schema's JSON. */
#include "schema/avro.h"
#include <avro.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/avro_internal.h"

/* {"type": "int"} with nothing else says the same as "int": write it so.
 * Everything else keeps its attributes, which canonical text then orders. */
static json_t *normalize(json_t *s)
{
    if (json_is_object(s)) {
        json_t *t = json_object_get(s, "type");
        if (json_object_size(s) == 1 && json_is_string(t) && is_primitive(json_string_value(t)))
            return json_incref(t);
        const char *k;
        json_t *v;
        json_t *out = json_object();
        json_object_foreach(s, k, v) json_object_set_new(out, k, normalize(v));
        return out;
    }
    if (json_is_array(s)) {
        json_t *out = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(s, i, v) json_array_append_new(out, normalize(v));
        return out;
    }
    return json_incref(s);
}

/* ---- defaults ----
 * A default is JSON whose shape the field's type gives; for a union, the
 * union's first branch (the Avro specification's rule). */

static bool default_fits(const struct side *side, json_t *type, json_t *v, int depth);

static bool record_default_fits(const struct side *side, json_t *rec, json_t *v, int depth)
{
    if (!json_is_object(v))
        return false;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(rec, "fields"), i, f) {
        json_t *given = json_object_get(v, json_string_value(json_object_get(f, "name")));
        if (!given ? !json_object_get(f, "default") : !default_fits(side, json_object_get(f, "type"), given, depth))
            return false;
    }
    return true;
}

static bool default_fits(const struct side *side, json_t *type, json_t *v, int depth)
{
    if (depth > 64)
        return true;   /* a default this deep is not worth judging */
    type = deref(side, type);
    const char *t = type_of(type);
    if (strcmp(t, "union") == 0) {
        json_t *branches = json_is_array(type) ? type : json_object_get(type, "type");
        return json_array_size(branches) > 0 && default_fits(side, json_array_get(branches, 0), v, depth + 1);
    }
    if (strcmp(t, "null") == 0)
        return json_is_null(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "int") == 0 || strcmp(t, "long") == 0)
        return json_is_integer(v);
    if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0)
        return json_is_number(v) || json_is_string(v);   /* "NaN", "Infinity" */
    if (strcmp(t, "bytes") == 0 || strcmp(t, "string") == 0 || strcmp(t, "fixed") == 0)
        return json_is_string(v);
    if (strcmp(t, "enum") == 0) {
        size_t i;
        json_t *sym;
        json_array_foreach(json_object_get(type, "symbols"), i, sym) {
            if (json_equal(sym, v))
                return true;
        }
        return false;
    }
    if (strcmp(t, "array") == 0) {
        size_t i;
        json_t *item;
        if (!json_is_array(v))
            return false;
        json_array_foreach(v, i, item) {
            if (!default_fits(side, json_object_get(type, "items"), item, depth + 1))
                return false;
        }
        return true;
    }
    if (strcmp(t, "map") == 0) {
        const char *k;
        json_t *item;
        if (!json_is_object(v))
            return false;
        json_object_foreach(v, k, item) {
            if (!default_fits(side, json_object_get(type, "values"), item, depth + 1))
                return false;
        }
        return true;
    }
    if (strcmp(t, "record") == 0 || strcmp(t, "error") == 0)
        return record_default_fits(side, type, v, depth + 1);
    return true;
}

/* The first field whose default does not fit its type, or NULL. */
static const char *bad_default(const struct side *side, char *err, size_t errlen)
{
    for (size_t n = 0; n < side->n; n++) {
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(side->names[n].schema, "fields"), i, f) {
            json_t *def = json_object_get(f, "default");
            if (def && !default_fits(side, json_object_get(f, "type"), def, 0)) {
                snprintf(err, errlen, "invalid Avro schema: the default of field %s.%s does not fit its type",
                         side->names[n].fullname, json_string_value(json_object_get(f, "name")));
                return err;
            }
        }
    }
    return NULL;
}

/* Compact JSON with sorted keys: whitespace and attribute order do not
 * make two schemas different, as they do not in Confluent's registry
 * (which compares Avro's re-serialization of the parsed schema). */
char *avro_canonicalize(const char *text, const struct sr_deps *deps, char *err, size_t errlen)
{
    struct side side;
    bool loaded = side_load(&side, text, deps, err, errlen);
    /* libavro judges the schema with what its references define. */
    char *whole = loaded && deps->n ? avro_inline_refs(&side) : NULL;
    const char *judged = whole ? whole : text;
    avro_schema_t parsed;
    int rc = avro_schema_from_json_length(judged, strlen(judged), &parsed);
    free(whole);
    if (rc != 0) {
        snprintf(err, errlen, "invalid Avro schema: %s", avro_strerror());
        side_free(&side);
        return NULL;
    }
    avro_schema_decref(parsed);
    if (!loaded || bad_default(&side, err, errlen)) {
        side_free(&side);
        return NULL;
    }
    json_t *norm = normalize(side.root);
    char *out = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(norm);
    side_free(&side);
    return out;
}

static void *checker_new(const char *canonical, const struct sr_deps *deps)
{
    return avro_checker_new(canonical, deps);
}

static void checker_free(void *checker)
{
    avro_checker_free(checker);
}

static bool datum_valid(const void *checker, const uint8_t *p, size_t len, char *why, size_t whylen)
{
    return avro_datum_valid(checker, p, len, why, whylen);
}

const struct sr_format avro_format = {
    .type = "AVRO",
    .canonicalize = avro_canonicalize,
    .can_read = avro_can_read,
    .checker_new = checker_new,
    .checker_free = checker_free,
    .datum_valid = datum_valid,
};
