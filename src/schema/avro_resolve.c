/* The Avro specification's schema resolution, over the schemas' JSON
 * (see avro.c for why not over libavro's parsed form): can data written
 * with one schema be read with another? */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/avro.h"
#include "schema/avro_internal.h"

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

bool avro_can_read(const char *reader, const struct sr_deps *reader_deps, const char *writer,
                   const struct sr_deps *writer_deps, char *err, size_t errlen)
{
    struct resolver rs = {.err = err, .errlen = errlen};
    if (errlen)
        err[0] = '\0';
    bool ok = side_load(&rs.reader, reader, reader_deps, err, errlen) &&
              side_load(&rs.writer, writer, writer_deps, err, errlen) &&
              resolve(&rs, rs.reader.root, rs.writer.root, "", NULL);
    side_free(&rs.reader);
    side_free(&rs.writer);
    return ok;
}

