/* JSON Schema for the registry: which texts are schemas, and their
 * canonical text.
 *
 * A schema is checked against what its draft's meta-schema requires of
 * each keyword's value (types, non-negative counts, patterns that
 * compile, subschemas where subschemas go) and every $ref must point at
 * something, local or a reference, as Confluent's registry refuses a
 * schema whose $ref it cannot resolve. Keywords it does not know are
 * left alone, as the specification says. */
#include "schema/json_schema.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/util.h"
#include "schema/json_schema_internal.h"

struct meta {
    const struct js_doc *doc;
    json_t *root;   /* the document the node being checked sits in */
    char *err;
    size_t errlen;
};

static bool check_schema(struct meta *m, json_t *s, const char *path, int depth);

__attribute__((format(printf, 3, 4))) static bool bad(struct meta *m, const char *path, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(m->err, m->errlen, "invalid JSON Schema at %s: %s", *path ? path : "/", why);
    return false;
}

static bool is_count(json_t *v)
{
    double d = json_number_value(v);
    return json_is_number(v) && d >= 0 && floor(d) == d;
}

static bool is_type_name(json_t *v)
{
    static const char *const names[] = {"null", "boolean", "object", "array", "number", "string", "integer"};
    const char *s = json_string_value(v);
    for (size_t i = 0; s && i < ARRAY_LEN(names); i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

static bool strings_only(json_t *v)
{
    size_t i;
    json_t *x;
    if (!json_is_array(v))
        return false;
    json_array_foreach(v, i, x) {
        if (!json_is_string(x))
            return false;
    }
    return true;
}

static bool check_type(struct meta *m, json_t *t, const char *path)
{
    if (is_type_name(t))
        return true;
    if (!json_is_array(t) || json_array_size(t) == 0)
        return bad(m, path, "type must be a type name or a non-empty array of them");
    size_t i;
    json_t *x;
    json_array_foreach(t, i, x) {
        if (!is_type_name(x))
            return bad(m, path, "type lists an unknown type");
        for (size_t j = 0; j < i; j++)
            if (json_equal(x, json_array_get(t, j)))
                return bad(m, path, "type lists %s twice", json_string_value(x));
    }
    return true;
}

/* Keywords whose value is one subschema, an array of them, or an object
 * of them. */
static const char *const one_schema[] = {"not", "if", "then", "else", "additionalProperties", "additionalItems",
                                         "unevaluatedProperties", "unevaluatedItems", "contains", "propertyNames"};
static const char *const schema_arrays[] = {"allOf", "anyOf", "oneOf", "prefixItems"};
static const char *const schema_objects[] = {"properties", "definitions", "$defs", "patternProperties",
                                             "dependentSchemas"};
static const char *const counts[] = {"maxLength", "minLength", "maxItems", "minItems", "maxProperties",
                                     "minProperties", "maxContains", "minContains"};
static const char *const strings[] = {"$ref", "$id", "$schema", "title", "description", "format", "$comment",
                                      "pattern", "$anchor"};

static bool in_list(const char *k, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(k, list[i]) == 0)
            return true;
    return false;
}

static bool check_sub(struct meta *m, json_t *s, const char *path, const char *k, int depth)
{
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/%s", path, k);
    return check_schema(m, s, sub, depth + 1);
}

static bool check_keyword(struct meta *m, const char *k, json_t *v, const char *path, int depth)
{
    char sub[512];
    size_t i;
    json_t *x;
    const char *name;
    if (strcmp(k, "type") == 0)
        return check_type(m, v, path);
    if (in_list(k, strings, ARRAY_LEN(strings)) && !json_is_string(v))
        return bad(m, path, "%s must be a string", k);
    if (in_list(k, counts, ARRAY_LEN(counts)) && !is_count(v))
        return bad(m, path, "%s must be a non-negative integer", k);
    if (in_list(k, one_schema, ARRAY_LEN(one_schema)))
        return check_sub(m, v, path, k, depth);
    if (in_list(k, schema_arrays, ARRAY_LEN(schema_arrays))) {
        if (!json_is_array(v) || json_array_size(v) == 0)
            return bad(m, path, "%s must be a non-empty array of schemas", k);
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof(sub), "%s/%s/%zu", path, k, i);
            if (!check_schema(m, x, sub, depth + 1))
                return false;
        }
        return true;
    }
    if (in_list(k, schema_objects, ARRAY_LEN(schema_objects))) {
        if (!json_is_object(v))
            return bad(m, path, "%s must be an object of schemas", k);
        json_object_foreach(v, name, x) {
            regex_t re;
            if (strcmp(k, "patternProperties") == 0) {
                if (!js_regex_compile(&re, name))
                    return bad(m, path, "patternProperties has a pattern Sluice does not take: %s", name);
                regfree(&re);
            }
            snprintf(sub, sizeof(sub), "%s/%s/%s", path, k, name);
            if (!check_schema(m, x, sub, depth + 1))
                return false;
        }
        return true;
    }
    if (strcmp(k, "items") == 0) {
        if (!json_is_array(v))
            return check_sub(m, v, path, k, depth);
        if (m->doc->draft == JS_DRAFT2020)
            return bad(m, path, "items must be a schema in draft 2020-12 (prefixItems holds the array)");
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof(sub), "%s/items/%zu", path, i);
            if (!check_schema(m, x, sub, depth + 1))
                return false;
        }
        return true;
    }
    if (strcmp(k, "dependencies") == 0 || strcmp(k, "dependentRequired") == 0) {
        if (!json_is_object(v))
            return bad(m, path, "%s must be an object", k);
        json_object_foreach(v, name, x) {
            if (strings_only(x))
                continue;
            if (strcmp(k, "dependentRequired") == 0)
                return bad(m, path, "dependentRequired/%s must be an array of strings", name);
            snprintf(sub, sizeof(sub), "%s/dependencies/%s", path, name);
            if (!check_schema(m, x, sub, depth + 1))
                return false;
        }
        return true;
    }
    if (strcmp(k, "required") == 0 && !strings_only(v))
        return bad(m, path, "required must be an array of strings");
    if (strcmp(k, "enum") == 0 && !json_is_array(v))
        return bad(m, path, "enum must be an array");
    if ((strcmp(k, "minimum") == 0 || strcmp(k, "maximum") == 0) && !json_is_number(v))
        return bad(m, path, "%s must be a number", k);
    if ((strcmp(k, "exclusiveMinimum") == 0 || strcmp(k, "exclusiveMaximum") == 0) &&
        !(m->doc->draft == JS_DRAFT4 ? json_is_boolean(v) : json_is_number(v)))
        return bad(m, path, "%s must be a %s", k, m->doc->draft == JS_DRAFT4 ? "boolean" : "number");
    if (strcmp(k, "multipleOf") == 0 && !(json_is_number(v) && json_number_value(v) > 0))
        return bad(m, path, "multipleOf must be a number above 0");
    if (strcmp(k, "uniqueItems") == 0 && !json_is_boolean(v))
        return bad(m, path, "uniqueItems must be a boolean");
    if (strcmp(k, "pattern") == 0) {
        regex_t re;
        if (!js_regex_compile(&re, json_string_value(v)))
            return bad(m, path, "pattern %s is not a regular expression Sluice takes (POSIX extended, no "
                               "backreferences, repetitions of bounded size)",
                       json_string_value(v));
        regfree(&re);
    }
    if (strcmp(k, "$ref") == 0) {
        struct js_node target;
        if (!js_resolve(m->doc, m->root, json_string_value(v), &target))
            return bad(m, path, "$ref %s points at no schema (a reference needs registering with its name)",
                       json_string_value(v));
    }
    return true;
}

static bool check_schema(struct meta *m, json_t *s, const char *path, int depth)
{
    if (depth > 64)
        return bad(m, path, "nested deeper than 64 levels");
    if (json_is_boolean(s))
        return true;
    if (!json_is_object(s))
        return bad(m, path, "a schema must be an object or a boolean");
    const char *k;
    json_t *v;
    json_object_foreach(s, k, v) {
        if (!check_keyword(m, k, v, path, depth))
            return false;
    }
    return true;
}

char *json_schema_canonicalize(const char *text, const struct sr_deps *deps, char *err, size_t errlen)
{
    struct js_doc doc;
    if (!js_doc_load(&doc, text, deps, err, errlen))
        return NULL;
    char *out = NULL;
    struct meta m = {.doc = &doc, .root = doc.root, .err = err, .errlen = errlen};
    if (doc.draft == JS_DRAFT_UNKNOWN)
        snprintf(err, errlen, "invalid JSON Schema: $schema names no draft this registry knows "
                              "(draft-04, -06, -07, 2019-09, 2020-12)");
    else if (check_schema(&m, doc.root, "", 0))
        out = json_dumps(doc.root, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    js_doc_free(&doc);
    return out;
}

static void *checker_new(const char *canonical, const struct sr_deps *deps)
{
    return json_checker_new(canonical, deps);
}

static void checker_free(void *checker)
{
    json_checker_free(checker);
}

static bool datum_valid(const void *checker, const uint8_t *p, size_t len, char *why, size_t whylen)
{
    return json_checker_valid(checker, p, len, why, whylen);
}

const struct sr_format json_schema_format = {
    .type = "JSON",
    .canonicalize = json_schema_canonicalize,
    .can_read = json_schema_can_read,
    .checker_new = checker_new,
    .checker_free = checker_free,
    .datum_valid = datum_valid,
};
