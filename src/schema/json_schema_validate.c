/* Full validation of JSON payloads (sluice.*.schema.validation=full on a
 * JSON schema): no C JSON Schema validator is packaged in Debian 12, so
 * this is the vocabulary over jansson. type, enum, const, the numeric,
 * string, array and object keywords, allOf/anyOf/oneOf/not,
 * if/then/else and $ref (local and to references) are checked; format is
 * an annotation (the specification allows that), unevaluatedProperties
 * and unevaluatedItems are not checked. Patterns are POSIX extended
 * regular expressions (js_regex_compile), compiled once per schema. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/json_schema.h"
#include "schema/json_schema_internal.h"

struct pattern {
    const char *text;   /* in the schema's JSON */
    regex_t re;
    bool ok;
};

struct json_checker {
    struct js_doc doc;
    struct pattern *patterns;
    size_t npatterns;
};

struct run {
    const struct json_checker *ck;
    char *why;
    size_t whylen;
    bool quiet;   /* inside anyOf/oneOf/not/if: failures are expected */
    int depth;
    long steps;   /* schema applications left: a schema that branches into itself must not run for ever */
};

static bool valid(struct run *r, json_t *schema, json_t *root, json_t *x, const char *path);

__attribute__((format(printf, 3, 4))) static bool fail(struct run *r, const char *path, const char *fmt, ...)
{
    if (r->quiet)
        return false;
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(r->why, r->whylen, "at %s: %s", *path ? path : "/", what);
    return false;
}

/* ---- patterns, compiled when the checker is made ---- */

static void add_pattern(struct json_checker *ck, const char *text)
{
    for (size_t i = 0; i < ck->npatterns; i++)
        if (strcmp(ck->patterns[i].text, text) == 0)
            return;
    ck->patterns = xrealloc(ck->patterns, (ck->npatterns + 1) * sizeof(*ck->patterns));
    struct pattern *p = &ck->patterns[ck->npatterns++];
    p->text = text;
    p->ok = js_regex_compile(&p->re, text);
}

static void collect_patterns(struct json_checker *ck, json_t *v, int depth)
{
    const char *k;
    json_t *x;
    size_t i;
    if (depth > 128)
        return;
    if (json_is_array(v))
        json_array_foreach(v, i, x) collect_patterns(ck, x, depth + 1);
    if (!json_is_object(v))
        return;
    json_object_foreach(v, k, x) {
        if (strcmp(k, "pattern") == 0 && json_is_string(x))
            add_pattern(ck, json_string_value(x));
        if (strcmp(k, "patternProperties") == 0 && json_is_object(x)) {
            const char *pat;
            json_t *s;
            json_object_foreach(x, pat, s) add_pattern(ck, pat);
        }
        collect_patterns(ck, x, depth + 1);
    }
}

static bool matches(const struct json_checker *ck, const char *pattern, const char *s)
{
    for (size_t i = 0; i < ck->npatterns; i++)
        if (strcmp(ck->patterns[i].text, pattern) == 0)
            return ck->patterns[i].ok && regexec(&ck->patterns[i].re, s, 0, NULL, 0) == 0;
    return false;
}

/* ---- types and scalars ---- */

/* From draft-06 on, 1.0 is an integer too; draft-04 wants no fraction part written. */
static bool is_type(json_t *x, const char *t, enum js_draft draft)
{
    if (strcmp(t, "integer") == 0)
        return json_is_integer(x) ||
               (draft != JS_DRAFT4 && json_is_real(x) && floor(json_real_value(x)) == json_real_value(x));
    if (strcmp(t, "number") == 0)
        return json_is_number(x);
    if (strcmp(t, "string") == 0)
        return json_is_string(x);
    if (strcmp(t, "object") == 0)
        return json_is_object(x);
    if (strcmp(t, "array") == 0)
        return json_is_array(x);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(x);
    if (strcmp(t, "null") == 0)
        return json_is_null(x);
    return false;
}

static bool check_type(struct run *r, json_t *t, json_t *x, const char *path)
{
    if (json_is_string(t))
        return is_type(x, json_string_value(t), r->ck->doc.draft) || fail(r, path, "not of type %s", json_string_value(t));
    size_t i;
    json_t *one;
    json_array_foreach(t, i, one) {
        if (json_is_string(one) && is_type(x, json_string_value(one), r->ck->doc.draft))
            return true;
    }
    return fail(r, path, "not of any type listed");
}

static bool in_enum(json_t *values, json_t *x)
{
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v) {
        if (js_equal(v, x))
            return true;
    }
    return false;
}

/* x is a multiple of d: exactly for integers, by the quotient otherwise
 * (as python's jsonschema decides). */
static bool multiple_of(json_t *x, json_t *d)
{
    if (json_is_integer(x) && json_is_integer(d))
        return json_integer_value(x) % json_integer_value(d) == 0;
    double q = json_number_value(x) / json_number_value(d);
    return isfinite(q) && floor(q) == q;
}

static bool check_number(struct run *r, json_t *s, json_t *x, const char *path, enum js_draft draft)
{
    double v = json_number_value(x);
    json_t *k;
    bool draft4 = draft == JS_DRAFT4;
    if ((k = json_object_get(s, "minimum")) && json_is_number(k)) {
        bool excl = draft4 && json_is_true(json_object_get(s, "exclusiveMinimum"));
        if (excl ? v <= json_number_value(k) : v < json_number_value(k))
            return fail(r, path, "%g is below the minimum %g", v, json_number_value(k));
    }
    if ((k = json_object_get(s, "maximum")) && json_is_number(k)) {
        bool excl = draft4 && json_is_true(json_object_get(s, "exclusiveMaximum"));
        if (excl ? v >= json_number_value(k) : v > json_number_value(k))
            return fail(r, path, "%g is above the maximum %g", v, json_number_value(k));
    }
    if ((k = json_object_get(s, "exclusiveMinimum")) && json_is_number(k) && v <= json_number_value(k))
        return fail(r, path, "%g is not above the exclusive minimum %g", v, json_number_value(k));
    if ((k = json_object_get(s, "exclusiveMaximum")) && json_is_number(k) && v >= json_number_value(k))
        return fail(r, path, "%g is not below the exclusive maximum %g", v, json_number_value(k));
    if ((k = json_object_get(s, "multipleOf")) && json_is_number(k) && json_number_value(k) > 0 &&
        !multiple_of(x, k))
        return fail(r, path, "%g is not a multiple of %g", v, json_number_value(k));
    return true;
}

/* Length in code points, as the specification counts it. */
static size_t utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

static bool check_string(struct run *r, json_t *s, json_t *x, const char *path)
{
    size_t len = utf8_length(json_string_value(x), json_string_length(x));
    json_t *k;
    if ((k = json_object_get(s, "minLength")) && json_is_number(k) && (double)len < json_number_value(k))
        return fail(r, path, "shorter than %g characters", json_number_value(k));
    if ((k = json_object_get(s, "maxLength")) && json_is_number(k) && (double)len > json_number_value(k))
        return fail(r, path, "longer than %g characters", json_number_value(k));
    if ((k = json_object_get(s, "pattern")) && json_is_string(k) &&
        !matches(r->ck, json_string_value(k), json_string_value(x)))
        return fail(r, path, "does not match the pattern %s", json_string_value(k));
    return true;
}

/* ---- arrays ---- */

static bool check_items(struct run *r, json_t *s, json_t *root, json_t *x, const char *path)
{
    struct js_items it = js_items_of(s);
    char at[512];
    size_t i;
    json_t *item;
    json_array_foreach(x, i, item) {
        json_t *sub = it.all;
        if (it.tuple)
            sub = i < json_array_size(it.tuple) ? json_array_get(it.tuple, i) : it.additional;
        snprintf(at, sizeof(at), "%s/%zu", path, i);
        if (sub && !valid(r, sub, root, item, at))
            return false;
    }
    return true;
}

static bool check_contains(struct run *r, json_t *s, json_t *root, json_t *x, const char *path)
{
    json_t *contains = json_object_get(s, "contains");
    if (!contains)
        return true;
    size_t i, n = 0;
    json_t *item;
    bool quiet = r->quiet;
    r->quiet = true;
    json_array_foreach(x, i, item) n += valid(r, contains, root, item, path);
    r->quiet = quiet;
    json_t *min = json_object_get(s, "minContains"), *max = json_object_get(s, "maxContains");
    bool later = r->ck->doc.draft >= JS_DRAFT2019;
    double lo = later && json_is_number(min) ? json_number_value(min) : 1;
    if ((double)n < lo)
        return fail(r, path, "contains %zu items matching contains, fewer than %g", n, lo);
    if (later && json_is_number(max) && (double)n > json_number_value(max))
        return fail(r, path, "contains %zu items matching contains, more than %g", n, json_number_value(max));
    return true;
}

static bool check_array(struct run *r, json_t *s, json_t *root, json_t *x, const char *path)
{
    json_t *k;
    size_t n = json_array_size(x);
    if ((k = json_object_get(s, "minItems")) && json_is_number(k) && (double)n < json_number_value(k))
        return fail(r, path, "fewer than %g items", json_number_value(k));
    if ((k = json_object_get(s, "maxItems")) && json_is_number(k) && (double)n > json_number_value(k))
        return fail(r, path, "more than %g items", json_number_value(k));
    if (json_is_true(json_object_get(s, "uniqueItems")))
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (js_equal(json_array_get(x, i), json_array_get(x, j)))
                    return fail(r, path, "items %zu and %zu are equal", i, j);
    return check_items(r, s, root, x, path) && check_contains(r, s, root, x, path);
}

/* ---- objects ---- */

static bool check_required(struct run *r, json_t *names, json_t *x, const char *path)
{
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name) {
        if (json_is_string(name) && !json_object_get(x, json_string_value(name)))
            return fail(r, path, "the required property %s is missing", json_string_value(name));
    }
    return true;
}

static bool check_dependencies(struct run *r, json_t *s, json_t *root, json_t *x, const char *path)
{
    static const char *const keys[] = {"dependencies", "dependentRequired", "dependentSchemas"};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
        const char *name;
        json_t *dep;
        json_object_foreach(json_object_get(s, keys[k]), name, dep) {
            if (!json_object_get(x, name))
                continue;
            if (json_is_array(dep) ? !check_required(r, dep, x, path) : !valid(r, dep, root, x, path))
                return false;
        }
    }
    return true;
}

static bool check_property(struct run *r, json_t *s, json_t *root, const char *name, json_t *v, const char *path)
{
    char at[512];
    snprintf(at, sizeof(at), "%s/%s", path, name);
    json_t *names = json_object_get(s, "propertyNames");
    if (names) {
        json_t *as_json = json_string(name);
        bool ok = valid(r, names, root, as_json, at);
        json_decref(as_json);
        if (!ok)
            return false;
    }
    bool matched = false;
    json_t *sub = json_object_get(json_object_get(s, "properties"), name);
    if (sub) {
        matched = true;
        if (!valid(r, sub, root, v, at))
            return false;
    }
    const char *pat;
    json_object_foreach(json_object_get(s, "patternProperties"), pat, sub) {
        if (!matches(r->ck, pat, name))
            continue;
        matched = true;
        if (!valid(r, sub, root, v, at))
            return false;
    }
    json_t *additional = json_object_get(s, "additionalProperties");
    if (matched || !additional)
        return true;
    if (json_is_false(additional))
        return fail(r, at, "the property %s is not allowed", name);
    return valid(r, additional, root, v, at);
}

static bool check_object(struct run *r, json_t *s, json_t *root, json_t *x, const char *path)
{
    json_t *k;
    size_t n = json_object_size(x);
    if ((k = json_object_get(s, "minProperties")) && json_is_number(k) && (double)n < json_number_value(k))
        return fail(r, path, "fewer than %g properties", json_number_value(k));
    if ((k = json_object_get(s, "maxProperties")) && json_is_number(k) && (double)n > json_number_value(k))
        return fail(r, path, "more than %g properties", json_number_value(k));
    if (!check_required(r, json_object_get(s, "required"), x, path) || !check_dependencies(r, s, root, x, path))
        return false;
    const char *name;
    json_t *v;
    json_object_foreach(x, name, v) {
        if (!check_property(r, s, root, name, v, path))
            return false;
    }
    return true;
}

/* ---- combining ---- */

/* How many of the schemas in `list` x is valid under (stops past two). */
static size_t count_valid(struct run *r, json_t *list, json_t *root, json_t *x, const char *path)
{
    bool quiet = r->quiet;
    r->quiet = true;
    size_t i, n = 0;
    json_t *sub;
    json_array_foreach(list, i, sub) {
        n += valid(r, sub, root, x, path);
        if (n > 1)
            break;
    }
    r->quiet = quiet;
    return n;
}

static bool check_combining(struct run *r, json_t *s, json_t *root, json_t *x, const char *path)
{
    json_t *k;
    size_t i;
    json_t *sub;
    json_array_foreach(json_object_get(s, "allOf"), i, sub) {
        if (!valid(r, sub, root, x, path))
            return false;
    }
    if ((k = json_object_get(s, "anyOf")) && count_valid(r, k, root, x, path) == 0)
        return fail(r, path, "valid under none of anyOf");
    if ((k = json_object_get(s, "oneOf")) && count_valid(r, k, root, x, path) != 1)
        return fail(r, path, "not valid under exactly one of oneOf");
    bool quiet = r->quiet;
    r->quiet = true;
    bool not_matched = (k = json_object_get(s, "not")) && valid(r, k, root, x, path);
    bool cond = (k = json_object_get(s, "if")) && valid(r, k, root, x, path);
    r->quiet = quiet;
    if (not_matched)
        return fail(r, path, "valid under the schema of not");
    if (!k)
        return true;
    json_t *branch = json_object_get(s, cond ? "then" : "else");
    return !branch || valid(r, branch, root, x, path);
}

static bool valid(struct run *r, json_t *s, json_t *root, json_t *x, const char *path)
{
    if (json_is_boolean(s))
        return json_is_true(s) || fail(r, path, "no value is valid here (false schema)");
    if (!json_is_object(s))
        return true;
    if (r->depth > 200 || --r->steps < 0)
        return fail(r, path, "the schema recurses too deep for this value");
    r->depth++;
    bool ok = true;
    json_t *k;
    if ((k = json_object_get(s, "$ref")) && json_is_string(k)) {
        struct js_node target;
        ok = js_resolve(&r->ck->doc, root, json_string_value(k), &target)
                 ? valid(r, target.schema, target.root, x, path)
                 : fail(r, path, "$ref %s points at no schema", json_string_value(k));
        /* before 2019-09, $ref stands alone: its siblings are ignored */
        if (!ok || r->ck->doc.draft < JS_DRAFT2019) {
            r->depth--;
            return ok;
        }
    }
    if ((k = json_object_get(s, "type")))
        ok = check_type(r, k, x, path);
    if (ok && (k = json_object_get(s, "enum")) && !in_enum(k, x))
        ok = fail(r, path, "not one of the enum's values");
    if (ok && (k = json_object_get(s, "const")) && !js_equal(k, x))
        ok = fail(r, path, "not the const value");
    if (ok && json_is_number(x))
        ok = check_number(r, s, x, path, r->ck->doc.draft);
    if (ok && json_is_string(x))
        ok = check_string(r, s, x, path);
    if (ok && json_is_array(x))
        ok = check_array(r, s, root, x, path);
    if (ok && json_is_object(x))
        ok = check_object(r, s, root, x, path);
    if (ok)
        ok = check_combining(r, s, root, x, path);
    r->depth--;
    return ok;
}

struct json_checker *json_checker_new(const char *canonical, const struct sr_deps *deps)
{
    struct json_checker *ck = xcalloc(1, sizeof(*ck));
    char err[256];
    if (!js_doc_load(&ck->doc, canonical, deps, err, sizeof(err))) {
        free(ck);
        return NULL;
    }
    collect_patterns(ck, ck->doc.root, 0);
    for (size_t i = 0; i < ck->doc.ndeps; i++)
        collect_patterns(ck, ck->doc.dep_roots[i], 0);
    return ck;
}

void json_checker_free(struct json_checker *ck)
{
    if (!ck)
        return;
    for (size_t i = 0; i < ck->npatterns; i++)
        if (ck->patterns[i].ok)
            regfree(&ck->patterns[i].re);
    free(ck->patterns);
    js_doc_free(&ck->doc);
    free(ck);
}

bool json_checker_valid(const struct json_checker *ck, const uint8_t *p, size_t len, char *why, size_t whylen)
{
    json_error_t je;
    json_t *x = json_loadb((const char *)p, len, JSON_DECODE_ANY, &je);
    if (!x)   /* an integer past 64 bits is still JSON: read it as a number */
        x = json_loadb((const char *)p, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
    if (!x) {
        snprintf(why, whylen, "not a JSON value: %s at byte %d", je.text, je.position);
        return false;
    }
    /* enough for every value of the largest record several times over */
    struct run r = {.ck = ck, .why = why, .whylen = whylen, .steps = 100000 + 16 * (long)len};
    bool ok = valid(&r, ck->doc.root, ck->doc.root, x, "");
    json_decref(x);
    if (r.steps < 0) {   /* stopped part-way, whatever a branch made of it */
        snprintf(why, whylen, "the schema branches too much to check this value");
        return false;
    }
    return ok;
}
