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
 * them), nor are unknown keywords. Objects and arrays are diffed in
 * json_schema_compat_content.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/json_schema.h"
#include "schema/json_schema_diff.h"

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
    "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
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

void diff_add(struct ctx *c, const char *path, const char *type)
{
    for (size_t i = 0; i < ARRAY_LEN(compatible_changes); i++)
        if (strcmp(compatible_changes[i], type) == 0)
            return;
    if (!c->incompatible)
        snprintf(c->reason, sizeof(c->reason), "%s at %s", type, *path ? path : "/");
    c->incompatible = true;
}

void diff_merge(struct ctx *into, const struct ctx *from)
{
    if (from->incompatible && !into->incompatible)
        *into = *from;
}

/* ---- classifying ---- */

/* Room for one more in an array of n views that grows by doubling (its
 * size is the power of two at or above n): a diff makes up to its
 * budget of views, and growing by one copied them quadratically. */
static struct view **room_for_one(struct view **a, size_t n)
{
    if (n == 0 || (n & (n - 1)) == 0)
        a = xrealloc(a, (n ? 2 * n : 1) * sizeof(*a));
    return a;
}

static struct view *view_new(struct cmp *cm, enum kind k, json_t *node, json_t *root)
{
    cm->budget--;
    struct view *v = xcalloc(1, sizeof(*v));
    *v = (struct view){.kind = k, .node = node, .root = root};
    cm->views = room_for_one(cm->views, cm->nviews);
    cm->views[cm->nviews++] = v;
    return v;
}

static void add_sub(struct view *v, struct view *sub)
{
    v->subs = room_for_one(v->subs, v->nsubs);
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

bool diff_kind_is(struct cmp *cm, int side, json_t *node, json_t *root, enum kind k)
{
    return classify(cm, side, node, root, 0)->kind == k;
}

/* ---- comparing ---- */

static void compare(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path);

void diff_nodes(struct cmp *cm, struct ctx *c, json_t *o, json_t *oroot, json_t *u, json_t *uroot,
                          const char *path)
{
    if (!o && !u)
        return;
    if (!o || !u) {
        diff_add(c, path, o ? "SCHEMA_REMOVED" : "SCHEMA_ADDED");
        return;
    }
    compare(cm, c, classify(cm, 0, o, oroot, 0), classify(cm, 1, u, uroot, 0), path);
}

void diff_path(char *out, size_t n, const char *path, const char *a, const char *b)
{
    snprintf(out, n, "%s/%s%s%s", path, a, b ? "/" : "", b ? b : "");
}

/* Old and new values of a numeric limit, as Confluent names the changes
 * (NAME_ADDED, _REMOVED, _INCREASED, _DECREASED). */
void diff_limit(struct ctx *c, const char *path, json_t *o, json_t *u, const char *key, const char *name)
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
        diff_path(at, sizeof(at), path, key, NULL);
        diff_add(c, at, type);
    }
}

static void compare_string(struct ctx *c, struct view *o, struct view *u, const char *path)
{
    diff_limit(c, path, o->node, u->node, "maxLength", "MAX_LENGTH");
    diff_limit(c, path, o->node, u->node, "minLength", "MIN_LENGTH");
    const char *a = json_string_value(json_object_get(o->node, "pattern"));
    const char *b = json_string_value(json_object_get(u->node, "pattern"));
    if (!a && b)
        diff_add(c, path, "PATTERN_ADDED");
    else if (a && !b)
        diff_add(c, path, "PATTERN_REMOVED");
    else if (a && b && strcmp(a, b) != 0)
        diff_add(c, path, "PATTERN_CHANGED");
}

static void compare_number(struct ctx *c, struct view *o, struct view *u, const char *path)
{
    diff_limit(c, path, o->node, u->node, "maximum", "MAXIMUM");
    diff_limit(c, path, o->node, u->node, "minimum", "MINIMUM");
    diff_limit(c, path, o->node, u->node, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM");
    diff_limit(c, path, o->node, u->node, "exclusiveMinimum", "EXCLUSIVE_MINIMUM");
    json_t *a = json_object_get(o->node, "multipleOf"), *b = json_object_get(u->node, "multipleOf");
    double x = json_number_value(a), y = json_number_value(b);
    if (!a && b)
        diff_add(c, path, "MULTIPLE_OF_ADDED");
    else if (a && !b)
        diff_add(c, path, "MULTIPLE_OF_REMOVED");
    else if (a && b && x != y)
        diff_add(c, path, x != 0 && fmod(y, x) == 0 ? "MULTIPLE_OF_EXPANDED"
                      : y != 0 && fmod(x, y) == 0 ? "MULTIPLE_OF_REDUCED"
                                                  : "MULTIPLE_OF_CHANGED");
    if (o->integer != u->integer)
        diff_add(c, path, o->integer ? "TYPE_EXTENDED" : "TYPE_NARROWED");
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

bool values_contain_all(json_t *big, json_t *small)
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
    bool grew = values_contain_all(b, a), shrank = values_contain_all(a, b);
    if (grew && shrank)
        return;
    diff_add(c, path, grew ? "ENUM_ARRAY_EXTENDED" : shrank ? "ENUM_ARRAY_NARROWED" : "ENUM_ARRAY_CHANGED");
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
        diff_add(c, path, extended ? "COMBINED_TYPE_EXTENDED" : "COMBINED_TYPE_CHANGED");
        if (!extended)
            return;
    }
    if (o->nsubs < u->nsubs)
        diff_add(c, path, u->criterion == C_ALL ? "PRODUCT_TYPE_EXTENDED" : "SUM_TYPE_EXTENDED");
    else if (o->nsubs > u->nsubs)
        diff_add(c, path, o->criterion == C_ALL ? "PRODUCT_TYPE_NARROWED" : "SUM_TYPE_NARROWED");
    size_t no = o->nsubs, nu = u->nsubs;
    if ((double)no * (double)nu > (double)cm->budget) {
        cm->budget = -1;   /* every pair would be compared: too large, say so */
        return;
    }
    bool *edge = xcalloc(no * nu + 1, sizeof(*edge));
    for (size_t i = 0; i < no; i++)
        for (size_t j = 0; j < nu; j++) {
            struct ctx pair = {0};
            compare(cm, &pair, o->subs[i], u->subs[j], path);
            edge[i * nu + j] = !pair.incompatible;
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
        diff_add(c, path, "COMBINED_TYPE_SUBSCHEMAS_CHANGED");
    free(seen);
    free(match_of_u);
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
                diff_add(c, path, update_combined ? "SUM_TYPE_EXTENDED" : "PRODUCT_TYPE_NARROWED");
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
        diff_add(c, path, "TYPE_CHANGED");
        return;
    }
    switch (o->kind) {
    case K_STRING: compare_string(c, o, u, path); break;
    case K_NUMBER: compare_number(c, o, u, path); break;
    case K_ENUM: compare_enum(c, o, u, path); break;
    case K_CONST:
        if (!js_equal(json_object_get(o->node, "const"), json_object_get(u->node, "const")))
            diff_add(c, path, "ENUM_ARRAY_CHANGED");
        break;
    case K_COMBINED: compare_combined(cm, c, o, u, path); break;
    case K_NOT: {
        struct ctx sub = {0};   /* reversed: the new not must exclude no less */
        diff_nodes(cm, &sub, json_object_get(u->node, "not"), u->root, json_object_get(o->node, "not"), o->root,
                      path);
        diff_add(c, path, sub.incompatible ? "NOT_TYPE_EXTENDED" : "NOT_TYPE_NARROWED");
        break;
    }
    case K_OBJECT: diff_object(cm, c, o, u, path); break;
    case K_ARRAY: diff_array(cm, c, o, u, path); break;
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
