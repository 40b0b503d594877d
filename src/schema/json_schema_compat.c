/* Compatibility of JSON Schemas by Confluent's rules: its registry diffs
 * the old schema against the new one (json/diff/ in its source) into
 * typed differences, and a change is compatible when every difference is
 * in its STRICT set of compatible changes (the default policy). This file
 * classifies schemas the way Confluent's parser (everit) does and makes
 * the same differences; the names in reasons are Confluent's.
 *
 * can_read(reader, writer) diffs writer (the original) against reader
 * (the update): Confluent's backward check of a new schema against an
 * earlier one. if/then/else are not compared (Confluent has no diff for
 * them), nor are unknown keywords. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/json_schema.h"
#include "schema/json_schema_internal.h"

/* Confluent's SchemaDiff.COMPATIBLE_CHANGES_STRICT. */
static const char *const compatible_changes[] = {
    "ID_CHANGED", "DESCRIPTION_CHANGED", "TITLE_CHANGED", "DEFAULT_CHANGED", "SCHEMA_REMOVED", "TYPE_EXTENDED",
    "MAX_LENGTH_INCREASED", "MAX_LENGTH_REMOVED", "MIN_LENGTH_DECREASED", "MIN_LENGTH_REMOVED", "PATTERN_REMOVED",
    "MAXIMUM_INCREASED", "MAXIMUM_REMOVED", "MINIMUM_DECREASED", "MINIMUM_REMOVED", "EXCLUSIVE_MAXIMUM_INCREASED",
    "EXCLUSIVE_MAXIMUM_REMOVED", "EXCLUSIVE_MINIMUM_DECREASED", "EXCLUSIVE_MINIMUM_REMOVED", "MULTIPLE_OF_REDUCED",
    "MULTIPLE_OF_REMOVED", "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", "REQUIRED_ATTRIBUTE_REMOVED",
    "DEPENDENCY_ARRAY_NARROWED", "DEPENDENCY_ARRAY_REMOVED", "DEPENDENCY_SCHEMA_REMOVED", "MAX_PROPERTIES_INCREASED",
    "MAX_PROPERTIES_REMOVED", "MIN_PROPERTIES_DECREASED", "MIN_PROPERTIES_REMOVED", "ADDITIONAL_PROPERTIES_ADDED",
    "ADDITIONAL_PROPERTIES_EXTENDED", "UNEVALUATED_PROPERTIES_ADDED", "UNEVALUATED_PROPERTIES_EXTENDED",
    "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "MAX_ITEMS_INCREASED", "MAX_ITEMS_REMOVED",
    "MIN_ITEMS_DECREASED", "MIN_ITEMS_REMOVED", "MAX_CONTAINS_INCREASED", "MAX_CONTAINS_REMOVED",
    "MIN_CONTAINS_DECREASED", "MIN_CONTAINS_REMOVED", "UNIQUE_ITEMS_REMOVED", "ADDITIONAL_ITEMS_ADDED",
    "ADDITIONAL_ITEMS_EXTENDED", "UNEVALUATED_ITEMS_ADDED", "UNEVALUATED_ITEMS_EXTENDED",
    "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
    "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
    "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ENUM_ARRAY_EXTENDED", "COMBINED_TYPE_EXTENDED", "PRODUCT_TYPE_NARROWED", "SUM_TYPE_EXTENDED",
    "NOT_TYPE_NARROWED",
};

/* What everit makes of a schema node: the class Confluent's diff switches on. */
enum kind { K_EMPTY, K_FALSE, K_OBJECT, K_ARRAY, K_STRING, K_NUMBER, K_BOOLEAN, K_NULL, K_ENUM, K_CONST, K_COMBINED, K_NOT };
enum criterion { C_ALL, C_ANY, C_ONE };

struct view {
    enum kind kind;
    json_t *node;               /* the schema object the keywords are read from */
    json_t *root;               /* its document, for its $refs */
    bool integer;               /* K_NUMBER: "integer" */
    enum criterion criterion;   /* K_COMBINED */
    struct view **subs;         /* K_COMBINED */
    size_t nsubs;
};

/* The differences found under one comparison: compatible unless one is
 * outside Confluent's set; the first such is the reason. */
struct ctx {
    bool incompatible;
    char reason[256];
};

struct cmp {
    const struct js_doc *doc[2];
    struct view **views;   /* every view made, freed at the end */
    size_t nviews;
    struct pair { json_t *a, *b; } *stack;
    size_t depth;
    long budget;   /* comparisons left: an adversarial schema must not run for ever */
};

static void diff(struct ctx *c, const char *path, const char *type)
{
    for (size_t i = 0; i < ARRAY_LEN(compatible_changes); i++)
        if (strcmp(compatible_changes[i], type) == 0)
            return;
    if (!c->incompatible)
        snprintf(c->reason, sizeof(c->reason), "%s at %s", type, *path ? path : "/");
    c->incompatible = true;
}

static void merge(struct ctx *into, const struct ctx *from)
{
    if (from->incompatible && !into->incompatible)
        *into = *from;
}

/* ---- classifying ---- */

static struct view *view_new(struct cmp *cm, enum kind k, json_t *node, json_t *root)
{
    cm->budget--;
    struct view *v = xcalloc(1, sizeof(*v));
    *v = (struct view){.kind = k, .node = node, .root = root};
    cm->views = xrealloc(cm->views, (cm->nviews + 1) * sizeof(*cm->views));
    cm->views[cm->nviews++] = v;
    return v;
}

static void add_sub(struct view *v, struct view *sub)
{
    v->subs = xrealloc(v->subs, (v->nsubs + 1) * sizeof(*v->subs));
    v->subs[v->nsubs++] = sub;
}

static bool has_any(json_t *node, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (json_object_get(node, keys[i]))
            return true;
    return false;
}

static struct view *classify(struct cmp *cm, int side, json_t *node, json_t *root, int depth);

static struct view *typed(struct cmp *cm, const char *type, json_t *node, json_t *root)
{
    static const struct {
        const char *name;
        enum kind kind;
    } types[] = {{"object", K_OBJECT}, {"array", K_ARRAY},     {"string", K_STRING}, {"number", K_NUMBER},
                 {"integer", K_NUMBER}, {"boolean", K_BOOLEAN}, {"null", K_NULL}};
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        if (strcmp(types[i].name, type) == 0) {
            struct view *v = view_new(cm, types[i].kind, node, root);
            v->integer = strcmp(type, "integer") == 0;
            return v;
        }
    return view_new(cm, K_EMPTY, node, root);
}

/* The typed schemas a node without "type" implies by its keywords. */
static void sniff(struct cmp *cm, json_t *node, json_t *root, struct view *parts)
{
    static const char *const object_keys[] = {"properties", "required", "additionalProperties", "patternProperties",
                                              "minProperties", "maxProperties", "dependencies", "propertyNames",
                                              "dependentRequired", "dependentSchemas", "unevaluatedProperties"};
    static const char *const array_keys[] = {"items", "additionalItems", "minItems", "maxItems", "uniqueItems",
                                             "contains", "prefixItems", "unevaluatedItems"};
    static const char *const string_keys[] = {"minLength", "maxLength", "pattern"};
    static const char *const number_keys[] = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                                              "multipleOf"};
    if (has_any(node, object_keys, ARRAY_LEN(object_keys)))
        add_sub(parts, typed(cm, "object", node, root));
    if (has_any(node, array_keys, ARRAY_LEN(array_keys)))
        add_sub(parts, typed(cm, "array", node, root));
    if (has_any(node, string_keys, ARRAY_LEN(string_keys)))
        add_sub(parts, typed(cm, "string", node, root));
    if (has_any(node, number_keys, ARRAY_LEN(number_keys)))
        add_sub(parts, typed(cm, "number", node, root));
}

static struct view *combined_of(struct cmp *cm, int side, json_t *node, json_t *root, const char *key,
                                enum criterion crit, int depth)
{
    struct view *v = view_new(cm, K_COMBINED, node, root);
    v->criterion = crit;
    size_t i;
    json_t *sub;
    json_array_foreach(json_object_get(node, key), i, sub) {
        bool seen = false;   /* Confluent collapses equal subschemas */
        for (size_t j = 0; j < i && !seen; j++)
            seen = js_equal(sub, json_array_get(json_object_get(node, key), j));
        if (!seen)
            add_sub(v, classify(cm, side, sub, root, depth + 1));
    }
    return v;
}

/* Everit's loader: each keyword group found makes one schema (enum,
 * const, allOf/anyOf/oneOf, not, the type's); one is the schema itself,
 * several are combined with allOf, none is the empty schema. */
static struct view *classify(struct cmp *cm, int side, json_t *node, json_t *root, int depth)
{
    /* allOf/anyOf/oneOf branches are classified at once, so a schema that
     * refers to itself through them must stop somewhere; past the budget,
     * compare() reports the schemas too large to compare. */
    if (depth > 64 || cm->budget < 0)
        return view_new(cm, K_EMPTY, node, root);
    for (int hops = 0; json_is_object(node) && json_is_string(json_object_get(node, "$ref")); hops++) {
        struct js_node target;
        if (hops > 32 || !js_resolve(cm->doc[side], root, json_string_value(json_object_get(node, "$ref")), &target))
            return view_new(cm, K_EMPTY, node, root);   /* canonicalize refused these */
        node = target.schema;
        root = target.root;
    }
    if (json_is_false(node))
        return view_new(cm, K_FALSE, node, root);
    if (!json_is_object(node))
        return view_new(cm, K_EMPTY, node, root);
    struct view parts = {0};
    if (json_object_get(node, "enum"))
        add_sub(&parts, view_new(cm, K_ENUM, node, root));
    if (json_object_get(node, "const"))
        add_sub(&parts, view_new(cm, K_CONST, node, root));
    static const char *const combiners[] = {"allOf", "anyOf", "oneOf"};
    for (int c = 0; c < 3; c++)
        if (json_is_array(json_object_get(node, combiners[c])))
            add_sub(&parts, combined_of(cm, side, node, root, combiners[c], (enum criterion)c, depth));
    if (json_object_get(node, "not"))
        add_sub(&parts, view_new(cm, K_NOT, node, root));
    json_t *type = json_object_get(node, "type");
    if (json_is_string(type)) {
        add_sub(&parts, typed(cm, json_string_value(type), node, root));
    } else if (json_is_array(type) && json_array_size(type) == 1) {
        add_sub(&parts, typed(cm, json_string_value(json_array_get(type, 0)), node, root));
    } else if (json_is_array(type)) {
        struct view *any = view_new(cm, K_COMBINED, node, root);
        any->criterion = C_ANY;
        size_t i;
        json_t *t;
        json_array_foreach(type, i, t) add_sub(any, typed(cm, json_string_value(t), node, root));
        add_sub(&parts, any);
    } else {
        sniff(cm, node, root, &parts);
    }
    if (parts.nsubs == 1) {
        struct view *only = parts.subs[0];
        free(parts.subs);
        return only;
    }
    struct view *v = view_new(cm, parts.nsubs ? K_COMBINED : K_EMPTY, node, root);
    v->criterion = C_ALL;
    v->subs = parts.subs;
    v->nsubs = parts.nsubs;
    return v;
}

/* ---- comparing ---- */

static void compare(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path);

static void compare_nodes(struct cmp *cm, struct ctx *c, json_t *o, json_t *oroot, json_t *u, json_t *uroot,
                          const char *path)
{
    if (!o && !u)
        return;
    if (!o || !u) {
        diff(c, path, o ? "SCHEMA_REMOVED" : "SCHEMA_ADDED");
        return;
    }
    compare(cm, c, classify(cm, 0, o, oroot, 0), classify(cm, 1, u, uroot, 0), path);
}

static void sub_path(char *out, size_t n, const char *path, const char *a, const char *b)
{
    snprintf(out, n, "%s/%s%s%s", path, a, b ? "/" : "", b ? b : "");
}

/* Old and new values of a numeric limit, as Confluent names the changes
 * (NAME_ADDED, _REMOVED, _INCREASED, _DECREASED). */
static void limit(struct ctx *c, const char *path, json_t *o, json_t *u, const char *key, const char *name)
{
    json_t *a = json_object_get(o, key), *b = json_object_get(u, key);
    if (a && !json_is_number(a))
        a = NULL;
    if (b && !json_is_number(b))
        b = NULL;
    const char *change = NULL;
    if (!a && b)
        change = "ADDED";
    else if (a && !b)
        change = "REMOVED";
    else if (a && b && json_number_value(a) < json_number_value(b))
        change = "INCREASED";
    else if (a && b && json_number_value(a) > json_number_value(b))
        change = "DECREASED";
    if (change) {
        char type[64], at[300];
        snprintf(type, sizeof(type), "%s_%s", name, change);
        sub_path(at, sizeof(at), path, key, NULL);
        diff(c, at, type);
    }
}

static void compare_string(struct ctx *c, struct view *o, struct view *u, const char *path)
{
    limit(c, path, o->node, u->node, "maxLength", "MAX_LENGTH");
    limit(c, path, o->node, u->node, "minLength", "MIN_LENGTH");
    const char *a = json_string_value(json_object_get(o->node, "pattern"));
    const char *b = json_string_value(json_object_get(u->node, "pattern"));
    if (!a && b)
        diff(c, path, "PATTERN_ADDED");
    else if (a && !b)
        diff(c, path, "PATTERN_REMOVED");
    else if (a && b && strcmp(a, b) != 0)
        diff(c, path, "PATTERN_CHANGED");
}

static void compare_number(struct ctx *c, struct view *o, struct view *u, const char *path)
{
    limit(c, path, o->node, u->node, "maximum", "MAXIMUM");
    limit(c, path, o->node, u->node, "minimum", "MINIMUM");
    limit(c, path, o->node, u->node, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM");
    limit(c, path, o->node, u->node, "exclusiveMinimum", "EXCLUSIVE_MINIMUM");
    json_t *a = json_object_get(o->node, "multipleOf"), *b = json_object_get(u->node, "multipleOf");
    double x = json_number_value(a), y = json_number_value(b);
    if (!a && b)
        diff(c, path, "MULTIPLE_OF_ADDED");
    else if (a && !b)
        diff(c, path, "MULTIPLE_OF_REMOVED");
    else if (a && b && x != y)
        diff(c, path, x != 0 && fmod(y, x) == 0 ? "MULTIPLE_OF_EXPANDED"
                      : y != 0 && fmod(x, y) == 0 ? "MULTIPLE_OF_REDUCED"
                                                  : "MULTIPLE_OF_CHANGED");
    if (o->integer != u->integer)
        diff(c, path, o->integer ? "TYPE_EXTENDED" : "TYPE_NARROWED");
}

static bool in_values(json_t *values, json_t *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(values, i, x) {
        if (js_equal(x, v))
            return true;
    }
    return false;
}

static bool contains_all(json_t *big, json_t *small)
{
    size_t i;
    json_t *x;
    json_array_foreach(small, i, x) {
        if (!in_values(big, x))
            return false;
    }
    return true;
}

static void compare_enum(struct ctx *c, struct view *o, struct view *u, const char *path)
{
    json_t *a = json_object_get(o->node, "enum"), *b = json_object_get(u->node, "enum");
    bool grew = contains_all(b, a), shrank = contains_all(a, b);
    if (grew && shrank)
        return;
    diff(c, path, grew ? "ENUM_ARRAY_EXTENDED" : shrank ? "ENUM_ARRAY_NARROWED" : "ENUM_ARRAY_CHANGED");
}

/* ---- objects ---- */

static bool is_required(json_t *node, const char *name)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(node, "required"), i, r) {
        if (json_is_string(r) && strcmp(json_string_value(r), name) == 0)
            return true;
    }
    return false;
}

/* unevaluatedProperties/Items as a schema, when given. */
static json_t *uneval(json_t *node, const char *key)
{
    return json_object_get(node, key);
}

/* Open: anything may be added (additionalProperties absent or true, no
 * patternProperties, unevaluatedProperties absent or true). */
static bool object_open(json_t *node)
{
    json_t *ap = json_object_get(node, "additionalProperties");
    if (ap && !json_is_true(ap))
        return false;
    if (json_object_size(json_object_get(node, "patternProperties")))
        return false;
    json_t *un = uneval(node, "unevaluatedProperties");
    return !un || json_is_true(un) || (json_is_object(un) && json_object_size(un) == 0);
}

/* Partially open: the schema other properties named `name` must match. */
static json_t *object_partial(json_t *node, const char *name)
{
    const char *pat;
    json_t *s;
    json_object_foreach(json_object_get(node, "patternProperties"), pat, s) {
        if (js_regex_search(pat, name))
            return s;
    }
    json_t *ap = json_object_get(node, "additionalProperties");
    if (json_is_object(ap))
        return ap;
    json_t *un = uneval(node, "unevaluatedProperties");
    if ((!ap || json_is_true(ap)) && json_is_object(un) && json_object_size(un) > 0)
        return un;
    return NULL;
}

static bool kind_is(struct cmp *cm, int side, json_t *node, json_t *root, enum kind k)
{
    return classify(cm, side, node, root, 0)->kind == k;
}

static void compare_partial(struct cmp *cm, struct ctx *c, json_t *o, json_t *oroot, json_t *u, json_t *uroot,
                            const char *path, const char *covered, const char *not_covered)
{
    struct ctx sub = {0};
    compare_nodes(cm, &sub, o, oroot, u, uroot, path);
    merge(c, &sub);
    diff(c, path, sub.incompatible ? not_covered : covered);
}

static void property_removed(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *name,
                             json_t *os, const char *path)
{
    json_t *partial;
    if (object_open(u->node))
        diff(c, path, "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL");
    else if ((partial = object_partial(u->node, name)))
        compare_partial(cm, c, os, o->root, partial, u->root, path,
                        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL");
    else
        diff(c, path, kind_is(cm, 0, os, o->root, K_FALSE) ? "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
                                                           : "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL");
}

static void property_added(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *name,
                           json_t *us, const char *path)
{
    bool required = is_required(u->node, name);
    bool has_default = json_is_object(us) && json_object_get(us, "default");
    if (object_open(o->node)) {
        if (kind_is(cm, 1, us, u->root, K_EMPTY))
            diff(c, path, "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL");
        else if (required)
            diff(c, path, has_default ? "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
                                      : "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL");
        else
            diff(c, path, "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL");
        return;
    }
    json_t *partial = object_partial(o->node, name);
    if (partial)
        compare_partial(cm, c, partial, o->root, us, u->root, path,
                        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL");
    if (!required)
        diff(c, path, "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL");
    else
        diff(c, path, has_default ? "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
                                  : "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL");
}

static void compare_properties(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    json_t *op = json_object_get(o->node, "properties"), *up = json_object_get(u->node, "properties");
    const char *name;
    json_t *s;
    char at[512];
    json_object_foreach(op, name, s) {
        json_t *us = json_object_get(up, name);
        sub_path(at, sizeof(at), path, "properties", name);
        if (!us) {
            property_removed(cm, c, o, u, name, s, at);
            continue;
        }
        bool was = is_required(o->node, name), is = is_required(u->node, name);
        if (was && !is)
            diff(c, at, "REQUIRED_ATTRIBUTE_REMOVED");
        else if (!was && is)
            diff(c, at, json_is_object(us) && json_object_get(us, "default") ? "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
                                                                           : "REQUIRED_ATTRIBUTE_ADDED");
        compare_nodes(cm, c, s, o->root, us, u->root, at);
    }
    json_object_foreach(up, name, s) {
        if (!json_object_get(op, name)) {
            sub_path(at, sizeof(at), path, "properties", name);
            property_added(cm, c, o, u, name, s, at);
        }
    }
}

/* dependencies (draft-07) and dependentRequired/dependentSchemas (2019-09). */
static json_t *dependency(json_t *node, const char *name, bool arrays)
{
    json_t *d = json_object_get(json_object_get(node, "dependencies"), name);
    if (d && json_is_array(d) == arrays)
        return d;
    d = json_object_get(json_object_get(node, arrays ? "dependentRequired" : "dependentSchemas"), name);
    return d;
}

static void compare_dependency(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *name,
                               const char *path)
{
    json_t *a = dependency(o->node, name, true), *b = dependency(u->node, name, true);
    if (a || b) {
        if (!b)
            diff(c, path, "DEPENDENCY_ARRAY_REMOVED");
        else if (!a)
            diff(c, path, "DEPENDENCY_ARRAY_ADDED");
        else if (!(contains_all(a, b) && contains_all(b, a)))
            diff(c, path, contains_all(b, a)   ? "DEPENDENCY_ARRAY_EXTENDED"
                          : contains_all(a, b) ? "DEPENDENCY_ARRAY_NARROWED"
                                               : "DEPENDENCY_ARRAY_CHANGED");
    }
    a = dependency(o->node, name, false);
    b = dependency(u->node, name, false);
    if (a || b) {
        if (!b)
            diff(c, path, "DEPENDENCY_SCHEMA_REMOVED");
        else if (!a)
            diff(c, path, "DEPENDENCY_SCHEMA_ADDED");
        else
            compare_nodes(cm, c, a, o->root, b, u->root, path);
    }
}

static void compare_dependencies(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    static const char *const keys[] = {"dependencies", "dependentRequired", "dependentSchemas"};
    char at[512];
    const char *name;
    json_t *x;
    for (int side = 0; side < 2; side++)
        for (size_t k = 0; k < ARRAY_LEN(keys); k++)
            json_object_foreach(json_object_get((side ? u : o)->node, keys[k]), name, x) {
                /* each name once: on the original side, or new on the update's */
                if (side && (dependency(o->node, name, true) || dependency(o->node, name, false)))
                    continue;
                sub_path(at, sizeof(at), path, "dependencies", name);
                compare_dependency(cm, c, o, u, name, at);
            }
}

/* additionalProperties / additionalItems: permitted (not false), and the
 * schema given, if any (true is no schema). */
static void compare_additional(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *key,
                               const char *name, const char *path)
{
    json_t *a = json_object_get(o->node, key), *b = json_object_get(u->node, key);
    bool pa = !json_is_false(a), pb = !json_is_false(b);
    json_t *sa = json_is_object(a) ? a : NULL, *sb = json_is_object(b) ? b : NULL;
    char type[64], at[300];
    sub_path(at, sizeof(at), path, key, NULL);
    if (pa != pb)
        snprintf(type, sizeof(type), "%s_%s", name, pb ? "ADDED" : "REMOVED");
    else if (!sa && sb)
        snprintf(type, sizeof(type), "%s_NARROWED", name);
    else if (sa && !sb)
        snprintf(type, sizeof(type), "%s_EXTENDED", name);
    else {
        compare_nodes(cm, c, sa, o->root, sb, u->root, at);
        return;
    }
    diff(c, at, type);
}

static void compare_object(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    compare_properties(cm, c, o, u, path);
    compare_dependencies(cm, c, o, u, path);
    compare_additional(cm, c, o, u, "additionalProperties", "ADDITIONAL_PROPERTIES", path);
    limit(c, path, o->node, u->node, "maxProperties", "MAX_PROPERTIES");
    limit(c, path, o->node, u->node, "minProperties", "MIN_PROPERTIES");
}

/* ---- arrays ---- */

static bool array_open(struct js_items it, json_t *node)
{
    if (it.additional && !json_is_true(it.additional))
        return false;
    json_t *un = uneval(node, "unevaluatedItems");
    return !un || json_is_true(un) || (json_is_object(un) && json_object_size(un) == 0);
}

static json_t *array_partial(struct js_items it, json_t *node)
{
    if (json_is_object(it.additional))
        return it.additional;
    json_t *un = uneval(node, "unevaluatedItems");
    if ((!it.additional || json_is_true(it.additional)) && json_is_object(un) && json_object_size(un) > 0)
        return un;
    return NULL;
}

static void compare_tuple(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, struct js_items oi,
                          struct js_items ui, const char *path)
{
    size_t no = json_array_size(oi.tuple), nu = json_array_size(ui.tuple);
    char at[512], idx[32];
    for (size_t i = 0; i < (no > nu ? no : nu); i++) {
        snprintf(idx, sizeof(idx), "%zu", i);
        sub_path(at, sizeof(at), path, "items", idx);
        json_t *os = json_array_get(oi.tuple, i), *us = json_array_get(ui.tuple, i);
        json_t *partial;
        if (os && us) {
            compare_nodes(cm, c, os, o->root, us, u->root, at);
        } else if (os) {
            if (array_open(ui, u->node))
                diff(c, at, "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL");
            else if ((partial = array_partial(ui, u->node)))
                compare_partial(cm, c, os, o->root, partial, u->root, at,
                                "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                                "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL");
            else
                diff(c, at, kind_is(cm, 0, os, o->root, K_FALSE) ? "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
                                                                 : "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL");
        } else if (array_open(oi, o->node)) {
            diff(c, at, kind_is(cm, 1, us, u->root, K_EMPTY) ? "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
                                                             : "ITEM_ADDED_TO_OPEN_CONTENT_MODEL");
        } else if ((partial = array_partial(oi, o->node))) {
            compare_partial(cm, c, partial, o->root, us, u->root, at,
                            "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                            "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL");
        } else {
            diff(c, at, "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL");
        }
    }
}

static void compare_array(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    struct js_items oi = js_items_of(o->node), ui = js_items_of(u->node);
    char at[512];
    sub_path(at, sizeof(at), path, "items", NULL);
    compare_nodes(cm, c, oi.all, o->root, ui.all, u->root, at);
    compare_tuple(cm, c, o, u, oi, ui, path);
    if (oi.tuple || ui.tuple) {
        struct view ov = *o, uv = *u;   /* additionalItems as the tuple form has it */
        json_t *oa = json_object(), *ua = json_object();
        if (oi.additional)
            json_object_set(oa, "additionalItems", oi.additional);
        if (ui.additional)
            json_object_set(ua, "additionalItems", ui.additional);
        ov.node = oa;
        uv.node = ua;
        compare_additional(cm, c, &ov, &uv, "additionalItems", "ADDITIONAL_ITEMS", path);
        json_decref(oa);
        json_decref(ua);
    }
    limit(c, path, o->node, u->node, "maxItems", "MAX_ITEMS");
    limit(c, path, o->node, u->node, "minItems", "MIN_ITEMS");
    limit(c, path, o->node, u->node, "maxContains", "MAX_CONTAINS");
    limit(c, path, o->node, u->node, "minContains", "MIN_CONTAINS");
    bool a = json_is_true(json_object_get(o->node, "uniqueItems")), b = json_is_true(json_object_get(u->node, "uniqueItems"));
    if (a != b)
        diff(c, path, a ? "UNIQUE_ITEMS_REMOVED" : "UNIQUE_ITEMS_ADDED");
}

/* ---- allOf / anyOf / oneOf ---- */

/* Kuhn's augmenting path for a maximum matching of compatible pairs. */
static bool augment(const bool *edge, size_t nu, size_t i, bool *seen, long *match_of_u)
{
    for (size_t j = 0; j < nu; j++) {
        if (!edge[i * nu + j] || seen[j])
            continue;
        seen[j] = true;
        if (match_of_u[j] < 0 || augment(edge, nu, (size_t)match_of_u[j], seen, match_of_u)) {
            match_of_u[j] = (long)i;
            return true;
        }
    }
    return false;
}

static void compare_combined(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    if (o->criterion != u->criterion) {
        bool extended = u->criterion == C_ANY || (o->nsubs == 1 && u->nsubs == 1) ||
                        (o->nsubs == 1 && u->criterion == C_ONE) || (u->nsubs == 1 && o->criterion == C_ALL);
        diff(c, path, extended ? "COMBINED_TYPE_EXTENDED" : "COMBINED_TYPE_CHANGED");
        if (!extended)
            return;
    }
    if (o->nsubs < u->nsubs)
        diff(c, path, u->criterion == C_ALL ? "PRODUCT_TYPE_EXTENDED" : "SUM_TYPE_EXTENDED");
    else if (o->nsubs > u->nsubs)
        diff(c, path, o->criterion == C_ALL ? "PRODUCT_TYPE_NARROWED" : "SUM_TYPE_NARROWED");
    size_t no = o->nsubs, nu = u->nsubs;
    bool *edge = xcalloc(no * nu + 1, sizeof(*edge));
    struct ctx *edge_ctx = xcalloc(no * nu + 1, sizeof(*edge_ctx));
    for (size_t i = 0; i < no; i++)
        for (size_t j = 0; j < nu; j++) {
            compare(cm, &edge_ctx[i * nu + j], o->subs[i], u->subs[j], path);
            edge[i * nu + j] = !edge_ctx[i * nu + j].incompatible;
        }
    long *match_of_u = xmalloc((nu + 1) * sizeof(*match_of_u));
    bool *seen = xmalloc(nu + 1);
    for (size_t j = 0; j < nu; j++)
        match_of_u[j] = -1;
    size_t matched = 0;
    for (size_t i = 0; i < no; i++) {
        memset(seen, 0, nu + 1);
        matched += augment(edge, nu, i, seen, match_of_u);
    }
    if (matched < (no < nu ? no : nu))
        diff(c, path, "COMBINED_TYPE_SUBSCHEMAS_CHANGED");
    free(seen);
    free(match_of_u);
    free(edge_ctx);
    free(edge);
}

/* ---- the hub ---- */

/* A schema compared with a combined one of the other side: a branch of
 * a new anyOf/oneOf, or of an old allOf, may stand for it alone. true
 * when that settles the comparison. */
static bool compare_with_branch(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    bool update_combined = u->kind == K_COMBINED && o->kind != K_COMBINED;
    struct view *combined = update_combined ? u : o;
    if (combined->nsubs != 1 && (update_combined ? combined->criterion == C_ALL : combined->criterion != C_ALL))
        return false;
    for (size_t i = 0; i < combined->nsubs; i++) {
        struct ctx sub = {0};
        if (update_combined)
            compare(cm, &sub, o, combined->subs[i], path);
        else
            compare(cm, &sub, combined->subs[i], u, path);
        if (!sub.incompatible) {
            if (combined->nsubs != 1)
                diff(c, path, update_combined ? "SUM_TYPE_EXTENDED" : "PRODUCT_TYPE_NARROWED");
            return true;
        }
    }
    return false;
}

static bool on_stack(const struct cmp *cm, json_t *a, json_t *b)
{
    for (size_t i = 0; i < cm->depth; i++)
        if (cm->stack[i].a == a && cm->stack[i].b == b)
            return true;
    return false;
}

static void compare_views(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    if ((o->kind == K_COMBINED) != (u->kind == K_COMBINED) && compare_with_branch(cm, c, o, u, path))
        return;
    if (o->kind != u->kind) {
        if (o->kind == K_FALSE || u->kind == K_EMPTY)
            return;
        diff(c, path, "TYPE_CHANGED");
        return;
    }
    switch (o->kind) {
    case K_STRING: compare_string(c, o, u, path); break;
    case K_NUMBER: compare_number(c, o, u, path); break;
    case K_ENUM: compare_enum(c, o, u, path); break;
    case K_CONST:
        if (!js_equal(json_object_get(o->node, "const"), json_object_get(u->node, "const")))
            diff(c, path, "ENUM_ARRAY_CHANGED");
        break;
    case K_COMBINED: compare_combined(cm, c, o, u, path); break;
    case K_NOT: {
        struct ctx sub = {0};   /* reversed: the new not must exclude no less */
        compare_nodes(cm, &sub, json_object_get(u->node, "not"), u->root, json_object_get(o->node, "not"), o->root,
                      path);
        diff(c, path, sub.incompatible ? "NOT_TYPE_EXTENDED" : "NOT_TYPE_NARROWED");
        break;
    }
    case K_OBJECT: compare_object(cm, c, o, u, path); break;
    case K_ARRAY: compare_array(cm, c, o, u, path); break;
    default: break;
    }
}

static void compare(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    /* A pair met again inside itself (a recursive $ref) is taken as
     * compatible: the outer comparison decides, as Confluent's does. */
    if (on_stack(cm, o->node, u->node) && o->kind == u->kind)
        return;
    if (--cm->budget < 0 || cm->depth >= 256) {
        if (!c->incompatible)
            snprintf(c->reason, sizeof(c->reason), "the schemas are too large or deep to compare");
        c->incompatible = true;
        return;
    }
    cm->stack = xrealloc(cm->stack, (cm->depth + 1) * sizeof(*cm->stack));
    cm->stack[cm->depth++] = (struct pair){o->node, u->node};
    compare_views(cm, c, o, u, path);
    cm->depth--;
}

bool json_schema_can_read(const char *reader, const struct sr_deps *reader_deps, const char *writer,
                          const struct sr_deps *writer_deps, char *err, size_t errlen)
{
    struct js_doc w, r;
    if (!js_doc_load(&w, writer, writer_deps, err, errlen))
        return false;
    if (!js_doc_load(&r, reader, reader_deps, err, errlen)) {
        js_doc_free(&w);
        return false;
    }
    struct cmp cm = {.doc = {&w, &r}, .budget = 200000};
    struct ctx c = {0};
    compare(&cm, &c, classify(&cm, 0, w.root, w.root, 0), classify(&cm, 1, r.root, r.root, 0), "");
    if (cm.budget < 0 && !c.incompatible) {
        c.incompatible = true;
        snprintf(c.reason, sizeof(c.reason), "the schemas are too large or deep to compare");
    }
    if (c.incompatible)
        snprintf(err, errlen, "%s", c.reason);
    for (size_t i = 0; i < cm.nviews; i++) {
        free(cm.views[i]->subs);
        free(cm.views[i]);
    }
    free(cm.views);
    free(cm.stack);
    js_doc_free(&w);
    js_doc_free(&r);
    return !c.incompatible;
}
