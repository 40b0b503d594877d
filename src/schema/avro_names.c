/* Avro schemas as JSON: named types by full name, references to them,
 * the type of a node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/avro_internal.h"

bool is_primitive(const char *t)
{
    static const char *const names[] = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcmp(t, names[i]) == 0)
            return true;
    return false;
}

static char *full_name(const char *name, const char *ns)
{
    if (strchr(name, '.') || !ns || !*ns)
        return xstrdup(name);
    size_t n = strlen(ns) + strlen(name) + 2;
    char *f = xmalloc(n);
    snprintf(f, n, "%s.%s", ns, name);
    return f;
}

char *full_name_of(json_t *named, const char *ns)
{
    const char *own_ns = json_string_value(json_object_get(named, "namespace"));
    return full_name(json_string_value(json_object_get(named, "name")), own_ns ? own_ns : ns);
}

const char *short_name(const char *fullname)
{
    const char *dot = strrchr(fullname, '.');
    return dot ? dot + 1 : fullname;
}

/* Records the named types under s, each with the namespace it sits in. */
static void collect_names(struct side *side, json_t *s, const char *ns)
{
    if (json_is_array(s)) {
        size_t i;
        json_t *v;
        json_array_foreach(s, i, v) collect_names(side, v, ns);
        return;
    }
    if (!json_is_object(s))
        return;
    const char *type = json_string_value(json_object_get(s, "type"));
    if (!type)
        return;
    if (strcmp(type, "array") == 0) {
        collect_names(side, json_object_get(s, "items"), ns);
        return;
    }
    if (strcmp(type, "map") == 0) {
        collect_names(side, json_object_get(s, "values"), ns);
        return;
    }
    if (!json_string_value(json_object_get(s, "name")))
        return;
    char *fullname = full_name_of(s, ns);
    if (side->n == side->cap) {
        side->cap = side->cap ? side->cap * 2 : 8;
        side->names = xrealloc(side->names, side->cap * sizeof(*side->names));
    }
    side->names[side->n++] = (struct named){fullname, s};
    /* Names inside take this type's namespace. */
    const char *dot = strrchr(fullname, '.');
    char *inner_ns = dot ? xstrndup(fullname, (size_t)(dot - fullname)) : NULL;
    json_t *fields = json_object_get(s, "fields");
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f) collect_names(side, json_object_get(f, "type"), inner_ns);
    free(inner_ns);
}

/* A type given by name is the named type defined earlier in the schema. */
json_t *deref(const struct side *side, json_t *s)
{
    const char *ref = json_string_value(s);
    if (!ref || is_primitive(ref))
        return s;
    for (size_t i = 0; i < side->n; i++)
        if (strcmp(side->names[i].fullname, ref) == 0)
            return side->names[i].schema;
    for (size_t i = 0; i < side->n; i++)
        if (strcmp(short_name(side->names[i].fullname), ref) == 0)
            return side->names[i].schema;
    return s;
}

/* "int", {"type": "int", "logicalType": ...}, "record", "union" ... */
const char *type_of(json_t *s)
{
    if (json_is_array(s))
        return "union";
    if (json_is_string(s))
        return json_string_value(s);
    json_t *t = json_object_get(s, "type");
    if (json_is_string(t))
        return json_string_value(t);
    return json_is_array(t) ? "union" : "";
}

bool side_load(struct side *side, const char *text, const struct sr_deps *deps, char *err, size_t errlen)
{
    memset(side, 0, sizeof(*side));
    json_error_t jerr;
    side->dep_roots = xcalloc(deps->n + 1, sizeof(*side->dep_roots));
    for (size_t i = 0; i < deps->n; i++) {
        side->dep_roots[i] = json_loads(deps->texts[i], JSON_DECODE_ANY, &jerr);
        if (!side->dep_roots[i]) {
            snprintf(err, errlen, "invalid referenced schema %s: %s", deps->names[i], jerr.text);
            return false;
        }
        side->ndeps++;
        collect_names(side, side->dep_roots[i], NULL);
    }
    side->ndep_names = side->n;
    side->root = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!side->root) {
        snprintf(err, errlen, "invalid schema: %s", jerr.text);
        return false;
    }
    collect_names(side, side->root, NULL);
    return true;
}

void side_free(struct side *side)
{
    for (size_t i = 0; i < side->n; i++)
        free(side->names[i].fullname);
    free(side->names);
    for (size_t i = 0; i < side->ndeps; i++)
        json_decref(side->dep_roots[i]);
    free(side->dep_roots);
    json_decref(side->root);
}

