/* Avro schema references for libavro. A schema may use named types that
 * referenced schemas define (Confluent's Avro references); Avro's Java
 * parser, which Confluent uses, learns those types before the schema.
 * libavro parses one JSON text alone, so this writes the definitions in:
 * each referenced named type where the schema first uses it (a type is
 * defined before it is used, as Avro requires), later uses by name. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "core/util.h"
#include "schema/avro_internal.h"

struct inliner {
    const struct side *side;
    const char **defined;      /* full names written so far */
    size_t ndefined, cap;
};

static bool is_defined(const struct inliner *in, const char *fullname)
{
    for (size_t i = 0; i < in->ndefined; i++)
        if (strcmp(in->defined[i], fullname) == 0)
            return true;
    for (size_t i = in->side->ndep_names; i < in->side->n; i++)
        if (strcmp(in->side->names[i].fullname, fullname) == 0)
            return true;   /* the schema's own: it defines it itself */
    return false;
}

static void mark_defined(struct inliner *in, const char *fullname)
{
    if (in->ndefined == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 8;
        in->defined = xrealloc(in->defined, in->cap * sizeof(*in->defined));
    }
    in->defined[in->ndefined++] = fullname;
}

/* A referenced schema's named type by the name a schema uses for it. */
static const struct named *referenced_type(const struct side *side, const char *fullname, const char *given)
{
    for (size_t i = 0; i < side->ndep_names; i++)
        if (strcmp(side->names[i].fullname, fullname) == 0)
            return &side->names[i];
    for (size_t i = 0; i < side->ndep_names; i++)
        if (strcmp(side->names[i].fullname, given) == 0)
            return &side->names[i];
    return NULL;
}

static json_t *inline_node(struct inliner *in, json_t *s, const char *ns, int depth);

/* A named type's definition, with its namespace written out: it may land
 * inside a type of another namespace. */
static json_t *inline_named(struct inliner *in, json_t *s, const char *ns, int depth)
{
    char *fullname = full_name_of(s, ns);
    const char *dot = strrchr(fullname, '.');
    char *own_ns = dot ? xstrndup(fullname, (size_t)(dot - fullname)) : NULL;
    for (size_t i = 0; i < in->side->n; i++)
        if (strcmp(in->side->names[i].fullname, fullname) == 0)
            mark_defined(in, in->side->names[i].fullname);
    json_t *out = json_copy(s);
    if (own_ns)
        json_object_set_new(out, "namespace", json_string(own_ns));
    json_t *fields = json_object_get(s, "fields");
    if (json_is_array(fields)) {
        json_t *new_fields = json_array();
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f) {
            json_t *nf = json_copy(f);
            json_t *type = json_object_get(f, "type");
            if (type)
                json_object_set_new(nf, "type", inline_node(in, type, own_ns, depth + 1));
            json_array_append_new(new_fields, nf);
        }
        json_object_set_new(out, "fields", new_fields);
    }
    free(own_ns);
    free(fullname);
    return out;
}

static json_t *inline_node(struct inliner *in, json_t *s, const char *ns, int depth)
{
    if (depth > 64)
        return json_incref(s);   /* libavro judges what is this deep */
    if (json_is_string(s)) {
        const char *given = json_string_value(s);
        if (is_primitive(given))
            return json_incref(s);
        char *fullname = strchr(given, '.') || !ns ? xstrdup(given) : NULL;
        if (!fullname) {
            size_t n = strlen(ns) + strlen(given) + 2;
            fullname = xmalloc(n);
            snprintf(fullname, n, "%s.%s", ns, given);
        }
        const struct named *ref = is_defined(in, fullname) ? NULL : referenced_type(in->side, fullname, given);
        free(fullname);
        if (!ref || is_defined(in, ref->fullname))
            return json_incref(s);
        /* Its namespace is the one its full name gives. */
        return inline_named(in, ref->schema, NULL, depth + 1);
    }
    if (json_is_array(s)) {
        json_t *out = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(s, i, v) json_array_append_new(out, inline_node(in, v, ns, depth + 1));
        return out;
    }
    if (!json_is_object(s))
        return json_incref(s);
    const char *t = type_of(s);
    if (json_string_value(json_object_get(s, "name")) &&
        (strcmp(t, "record") == 0 || strcmp(t, "error") == 0 || strcmp(t, "enum") == 0 || strcmp(t, "fixed") == 0))
        return inline_named(in, s, ns, depth);
    json_t *out = json_copy(s);
    if (strcmp(t, "array") == 0)
        json_object_set_new(out, "items", inline_node(in, json_object_get(s, "items"), ns, depth + 1));
    else if (strcmp(t, "map") == 0)
        json_object_set_new(out, "values", inline_node(in, json_object_get(s, "values"), ns, depth + 1));
    else if (json_object_get(s, "type"))
        json_object_set_new(out, "type", inline_node(in, json_object_get(s, "type"), ns, depth + 1));
    return out;
}

char *avro_inline_refs(const struct side *side)
{
    struct inliner in = {.side = side};
    json_t *whole = inline_node(&in, side->root, NULL, 0);
    char *text = json_dumps(whole, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(whole);
    free(in.defined);
    return text;
}
