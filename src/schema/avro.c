/* Avro for the registry: a canonical text to compare schemas by, and the
 * Avro specification's schema resolution rules to decide compatibility.
 *
 * Debian's libavro (1.11) validates a schema, but its parsed form drops
 * field defaults and logical types, and its avro_schema_match() refuses
 * a reader field missing from the writer even when it has a default; the
 * spec says such a field is filled from its default. So libavro only
 * judges validity here, and the rules below walk the schema's JSON. */
#include "schema/avro.h"
#include <avro.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/util.h"

static bool is_primitive(const char *t)
{
    static const char *const names[] = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcmp(t, names[i]) == 0)
            return true;
    return false;
}

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

/* Compact JSON with sorted keys: whitespace and attribute order do not
 * make two schemas different, as they do not in Confluent's registry
 * (which compares Avro's re-serialization of the parsed schema). */
char *avro_canonicalize(const char *text, char *err, size_t errlen)
{
    avro_schema_t parsed;
    if (avro_schema_from_json_length(text, strlen(text), &parsed) != 0) {
        snprintf(err, errlen, "invalid Avro schema: %s", avro_strerror());
        return NULL;
    }
    avro_schema_decref(parsed);
    json_error_t jerr;
    json_t *doc = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!doc) {
        snprintf(err, errlen, "invalid Avro schema: %s", jerr.text);
        return NULL;
    }
    json_t *norm = normalize(doc);
    char *out = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(norm);
    json_decref(doc);
    return out;
}

/* ---- schema resolution ---- */

/* The named types (records, enums, fixed) of one schema by full name. */
struct named {
    char *fullname;
    json_t *schema;
};

struct side {
    json_t *root;
    struct named *names;
    size_t n, cap;
};

static char *full_name(const char *name, const char *ns)
{
    if (strchr(name, '.') || !ns || !*ns)
        return xstrdup(name);
    size_t n = strlen(ns) + strlen(name) + 2;
    char *f = xmalloc(n);
    snprintf(f, n, "%s.%s", ns, name);
    return f;
}

static const char *short_name(const char *fullname)
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
    const char *name = json_string_value(json_object_get(s, "name"));
    if (!name)
        return;
    const char *own_ns = json_string_value(json_object_get(s, "namespace"));
    char *fullname = full_name(name, own_ns ? own_ns : ns);
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
static json_t *deref(const struct side *side, json_t *s)
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
static const char *type_of(json_t *s)
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

/* A pair of named types being compared: met again inside a recursive
 * type, it is taken as matching (the outer comparison decides). */
struct pair {
    json_t *reader, *writer;
    const struct pair *up;
};

struct resolver {
    struct side reader, writer;
    char *err;
    size_t errlen;
};

static bool resolve(struct resolver *rs, json_t *reader, json_t *writer, const char *path, const struct pair *up);

__attribute__((format(printf, 3, 4))) static bool fail(struct resolver *rs, const char *path, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(rs->err, rs->errlen, "at %s: %s", *path ? path : "/", why);
    return false;
}

/* Writer values of type w read as reader type r: the spec's promotions. */
static bool promotes(const char *w, const char *r)
{
    static const char *const allowed[][2] = {
        {"int", "long"},   {"int", "float"},   {"int", "double"}, {"long", "float"},
        {"long", "double"}, {"float", "double"}, {"string", "bytes"}, {"bytes", "string"},
    };
    for (size_t i = 0; i < ARRAY_LEN(allowed); i++)
        if (strcmp(allowed[i][0], w) == 0 && strcmp(allowed[i][1], r) == 0)
            return true;
    return false;
}

/* Named types match when their unqualified names do, or the reader
 * lists the writer's name among its aliases (as Avro's Java
 * SchemaCompatibility, which Confluent uses, decides). */
static bool names_match(json_t *reader, json_t *writer)
{
    const char *rn = json_string_value(json_object_get(reader, "name"));
    const char *wn = json_string_value(json_object_get(writer, "name"));
    if (!rn || !wn)
        return false;
    if (strcmp(short_name(rn), short_name(wn)) == 0)
        return true;
    size_t i;
    json_t *alias;
    json_array_foreach(json_object_get(reader, "aliases"), i, alias) {
        const char *a = json_string_value(alias);
        if (a && strcmp(short_name(a), short_name(wn)) == 0)
            return true;
    }
    return false;
}

static json_t *field_named(json_t *fields, const char *name)
{
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f) {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n && strcmp(n, name) == 0)
            return f;
    }
    return NULL;
}

/* The writer's field for a reader field: by name, else by an alias. */
static json_t *writer_field_for(json_t *wfields, json_t *rfield)
{
    json_t *wf = field_named(wfields, json_string_value(json_object_get(rfield, "name")));
    size_t i;
    json_t *alias;
    json_array_foreach(json_object_get(rfield, "aliases"), i, alias) {
        if (wf)
            break;
        wf = json_is_string(alias) ? field_named(wfields, json_string_value(alias)) : NULL;
    }
    return wf;
}

static bool resolve_record(struct resolver *rs, json_t *reader, json_t *writer, const char *path,
                           const struct pair *up)
{
    json_t *wfields = json_object_get(writer, "fields");
    size_t i;
    json_t *rf;
    /* Writer fields the reader lacks are skipped; reader fields the
     * writer lacks need a default. */
    json_array_foreach(json_object_get(reader, "fields"), i, rf) {
        const char *name = json_string_value(json_object_get(rf, "name"));
        char sub[512];
        snprintf(sub, sizeof(sub), "%s/%s", path, name ? name : "?");
        json_t *wf = writer_field_for(wfields, rf);
        if (!wf) {
            if (!json_object_get(rf, "default"))
                return fail(rs, sub, "reader field %s is missing from the writer and has no default", name);
            continue;
        }
        if (!resolve(rs, json_object_get(rf, "type"), json_object_get(wf, "type"), sub, up))
            return false;
    }
    return true;
}

static bool resolve_enum(struct resolver *rs, json_t *reader, json_t *writer, const char *path)
{
    /* A reader with a default takes any symbol it lacks as the default. */
    if (json_object_get(reader, "default"))
        return true;
    json_t *rsyms = json_object_get(reader, "symbols");
    size_t i, j;
    json_t *ws, *rsym;
    json_array_foreach(json_object_get(writer, "symbols"), i, ws) {
        bool found = false;
        json_array_foreach(rsyms, j, rsym) found = found || json_equal(ws, rsym);
        if (!found)
            return fail(rs, path, "writer enum symbol %s is missing from the reader", json_string_value(ws));
    }
    return true;
}

static json_t *union_branches(json_t *s) { return json_is_array(s) ? s : json_object_get(s, "type"); }

static bool resolve_union(struct resolver *rs, json_t *reader, json_t *writer, const char *path,
                          const struct pair *up)
{
    char *saved = xstrdup(rs->err);
    size_t i;
    json_t *b;
    /* A writer union: every branch it may have written must be readable. */
    if (strcmp(type_of(writer), "union") == 0) {
        json_array_foreach(union_branches(writer), i, b) {
            if (!resolve(rs, reader, b, path, up)) {
                free(saved);
                return false;
            }
        }
        free(saved);
        return true;
    }
    /* A reader union reads a writer value with the first branch that
     * matches it. */
    json_array_foreach(union_branches(reader), i, b) {
        if (resolve(rs, b, writer, path, up)) {
            snprintf(rs->err, rs->errlen, "%s", saved);
            free(saved);
            return true;
        }
    }
    free(saved);
    return fail(rs, path, "the reader union has no branch for writer type %s", type_of(writer));
}

static bool resolve(struct resolver *rs, json_t *reader, json_t *writer, const char *path, const struct pair *up)
{
    reader = deref(&rs->reader, reader);
    writer = deref(&rs->writer, writer);
    const char *rt = type_of(reader), *wt = type_of(writer);
    if (strcmp(rt, "union") == 0 || strcmp(wt, "union") == 0)
        return resolve_union(rs, reader, writer, path, up);
    if (strcmp(rt, wt) != 0) {
        if (promotes(wt, rt))
            return true;
        return fail(rs, path, "writer type %s cannot be read as %s", wt, rt);
    }
    if (is_primitive(rt))
        return true;
    if (strcmp(rt, "array") == 0)
        return resolve(rs, json_object_get(reader, "items"), json_object_get(writer, "items"), path, up);
    if (strcmp(rt, "map") == 0)
        return resolve(rs, json_object_get(reader, "values"), json_object_get(writer, "values"), path, up);
    if (!names_match(reader, writer))
        return fail(rs, path, "named type %s is read as %s", json_string_value(json_object_get(writer, "name")),
                    json_string_value(json_object_get(reader, "name")));
    for (const struct pair *p = up; p; p = p->up)
        if (p->reader == reader && p->writer == writer)
            return true;
    struct pair here = {reader, writer, up};
    if (strcmp(rt, "fixed") == 0) {
        if (!json_equal(json_object_get(reader, "size"), json_object_get(writer, "size")))
            return fail(rs, path, "fixed %s changes size", json_string_value(json_object_get(reader, "name")));
        return true;
    }
    if (strcmp(rt, "enum") == 0)
        return resolve_enum(rs, reader, writer, path);
    return resolve_record(rs, reader, writer, path, &here);
}

static bool side_load(struct side *side, const char *canonical, char *err, size_t errlen)
{
    memset(side, 0, sizeof(*side));
    json_error_t jerr;
    side->root = json_loads(canonical, JSON_DECODE_ANY, &jerr);
    if (!side->root) {
        snprintf(err, errlen, "invalid schema: %s", jerr.text);
        return false;
    }
    collect_names(side, side->root, NULL);
    return true;
}

static void side_free(struct side *side)
{
    for (size_t i = 0; i < side->n; i++)
        free(side->names[i].fullname);
    free(side->names);
    json_decref(side->root);
}

bool avro_can_read(const char *reader, const char *writer, char *err, size_t errlen)
{
    struct resolver rs = {.err = err, .errlen = errlen};
    if (errlen)
        err[0] = '\0';
    bool ok = side_load(&rs.reader, reader, err, errlen) && side_load(&rs.writer, writer, err, errlen) &&
              resolve(&rs, rs.reader.root, rs.writer.root, "", NULL);
    side_free(&rs.reader);
    side_free(&rs.writer);
    return ok;
}

const struct sr_format avro_format = {
    .type = "AVRO",
    .canonicalize = avro_canonicalize,
    .can_read = avro_can_read,
};
