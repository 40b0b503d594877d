/* Does a payload decode as Avro binary data of a schema? Walks the bytes
 * by the schema's JSON (avro_internal.h) and allocates nothing per
 * record. Hostile data cannot make it loop long or recurse deep: it
 * stops after AVRO_MAX_VALUES values or AVRO_MAX_DEPTH levels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/avro.h"
#include "schema/avro_internal.h"

#define AVRO_MAX_DEPTH 64
#define AVRO_MAX_VALUES 1000000

struct avro_checker {
    struct side side;
};

struct avro_checker *avro_checker_new(const char *canonical, const struct sr_deps *deps)
{
    struct avro_checker *ck = xcalloc(1, sizeof(*ck));
    char err[128];
    if (!side_load(&ck->side, canonical, deps, err, sizeof(err))) {
        side_free(&ck->side);
        free(ck);
        return NULL;
    }
    return ck;
}

void avro_checker_free(struct avro_checker *ck)
{
    if (!ck)
        return;
    side_free(&ck->side);
    free(ck);
}

struct cursor {
    const uint8_t *p, *end;
    long budget;
    int depth;
    char *why;
    size_t whylen;
};

static bool bad(struct cursor *c, const char *what)
{
    snprintf(c->why, c->whylen, "%s", what);
    return false;
}

/* A zig-zag varint of at most 10 bytes. */
static bool read_long(struct cursor *c, int64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70 && c->p < c->end; shift += 7) {
        uint8_t b = *c->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            return true;
        }
    }
    return false;
}

static bool skip(struct cursor *c, int64_t n)
{
    if (n < 0 || n > c->end - c->p)
        return false;
    c->p += n;
    return true;
}

static bool value_ok(struct cursor *c, const struct side *s, json_t *type);

/* Array items or map values, in blocks: a count (negative: followed by
 * the block's size in bytes), 0 ends. */
static bool blocks_ok(struct cursor *c, const struct side *s, json_t *item, bool map)
{
    int64_t count, size;
    for (;;) {
        if (!read_long(c, &count))
            return bad(c, "truncated block count");
        if (count == 0)
            return true;
        if (count < 0) {
            if (count == INT64_MIN || !read_long(c, &size) || size < 0)
                return bad(c, "bad block size");
            count = -count;
        }
        if (count > c->budget)
            return bad(c, "more values than a record may hold");
        for (int64_t i = 0; i < count; i++) {
            int64_t klen;
            if (map && (!read_long(c, &klen) || !skip(c, klen)))
                return bad(c, "truncated map key");
            if (!value_ok(c, s, item))
                return false;
        }
    }
}

static bool value_ok(struct cursor *c, const struct side *s, json_t *type)
{
    if (--c->budget < 0)
        return bad(c, "more values than a record may hold");
    type = deref(s, type);
    const char *t = type_of(type);
    int64_t v;
    if (strcmp(t, "null") == 0)
        return true;
    if (strcmp(t, "boolean") == 0)
        return (c->p < c->end && *c->p <= 1) ? (c->p++, true) : bad(c, "bad boolean");
    if (strcmp(t, "int") == 0)
        return (read_long(c, &v) && v >= INT32_MIN && v <= INT32_MAX) || bad(c, "bad int");
    if (strcmp(t, "long") == 0)
        return read_long(c, &v) || bad(c, "bad long");
    if (strcmp(t, "float") == 0)
        return skip(c, 4) || bad(c, "truncated float");
    if (strcmp(t, "double") == 0)
        return skip(c, 8) || bad(c, "truncated double");
    if (strcmp(t, "bytes") == 0 || strcmp(t, "string") == 0)
        return (read_long(c, &v) && skip(c, v)) || bad(c, "bad length or truncated bytes");
    if (strcmp(t, "fixed") == 0)
        return skip(c, (int64_t)json_integer_value(json_object_get(type, "size"))) || bad(c, "truncated fixed");
    if (strcmp(t, "enum") == 0)
        return (read_long(c, &v) && v >= 0 && (size_t)v < json_array_size(json_object_get(type, "symbols"))) ||
               bad(c, "enum index out of range");
    if (c->depth >= AVRO_MAX_DEPTH)
        return bad(c, "nested too deep");
    c->depth++;
    bool ok = false;
    if (strcmp(t, "union") == 0) {
        json_t *branches = json_is_array(type) ? type : json_object_get(type, "type");
        ok = (read_long(c, &v) && v >= 0 && (size_t)v < json_array_size(branches))
                 ? value_ok(c, s, json_array_get(branches, (size_t)v))
                 : bad(c, "union branch out of range");
    } else if (strcmp(t, "array") == 0) {
        ok = blocks_ok(c, s, json_object_get(type, "items"), false);
    } else if (strcmp(t, "map") == 0) {
        ok = blocks_ok(c, s, json_object_get(type, "values"), true);
    } else if (strcmp(t, "record") == 0 || strcmp(t, "error") == 0) {
        ok = true;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(type, "fields"), i, f) {
            if (!value_ok(c, s, json_object_get(f, "type"))) {
                ok = false;
                break;
            }
        }
    } else {
        ok = bad(c, "unknown type in schema");
    }
    c->depth--;
    return ok;
}

bool avro_datum_valid(const struct avro_checker *ck, const uint8_t *p, size_t len, char *why, size_t whylen)
{
    struct cursor c = {p, p + len, AVRO_MAX_VALUES, 0, why, whylen};
    if (!value_ok(&c, &ck->side, ck->side.root))
        return false;
    if (c.p != c.end) {
        snprintf(why, whylen, "%zu bytes left after the value", (size_t)(c.end - c.p));
        return false;
    }
    return true;
}
