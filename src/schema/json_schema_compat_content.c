/* Confluent's JSON Schema diff of objects and arrays: properties and
 * items added to or removed from open, closed and partially open content
 * models, required properties, dependencies, additionalProperties and
 * additionalItems, and the count limits (see json_schema_compat.c). */
#include <stdio.h>
#include <string.h>
#include "core/util.h"
#include "schema/json_schema_diff.h"

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

/* Open: anything may be added (additionalProperties absent or true, no
 * patternProperties, unevaluatedProperties absent or true). */
static bool object_open(json_t *node)
{
    json_t *ap = json_object_get(node, "additionalProperties");
    if (ap && !json_is_true(ap))
        return false;
    if (json_object_size(json_object_get(node, "patternProperties")))
        return false;
    json_t *un = json_object_get(node, "unevaluatedProperties");
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
    json_t *un = json_object_get(node, "unevaluatedProperties");
    if ((!ap || json_is_true(ap)) && json_is_object(un) && json_object_size(un) > 0)
        return un;
    return NULL;
}

static void compare_partial(struct cmp *cm, struct ctx *c, json_t *o, json_t *oroot, json_t *u, json_t *uroot,
                            const char *path, const char *covered, const char *not_covered)
{
    struct ctx sub = {0};
    diff_nodes(cm, &sub, o, oroot, u, uroot, path);
    diff_merge(c, &sub);
    diff_add(c, path, sub.incompatible ? not_covered : covered);
}

/* A property or an item ("PROPERTY", "ITEM") the update no longer names:
 * fine when the update's content model is open, or partially open with a
 * schema that covers it, or when it was false (nothing could be there). */
static void removed_from_model(struct cmp *cm, struct ctx *c, json_t *os, json_t *oroot, bool open, json_t *partial,
                               json_t *uroot, const char *what, const char *path)
{
    char type[96], covered[96];
    if (open) {
        snprintf(type, sizeof(type), "%s_REMOVED_FROM_OPEN_CONTENT_MODEL", what);
    } else if (partial) {
        snprintf(covered, sizeof(covered), "%s_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", what);
        snprintf(type, sizeof(type), "%s_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", what);
        compare_partial(cm, c, os, oroot, partial, uroot, path, covered, type);
        return;
    } else {
        snprintf(type, sizeof(type),
                 diff_kind_is(cm, 0, os, oroot, K_FALSE) ? "%s_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
                                                          : "%s_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                 what);
    }
    diff_add(c, path, type);
}

static void property_added(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *name,
                           json_t *us, const char *path)
{
    bool required = is_required(u->node, name);
    bool has_default = json_is_object(us) && json_object_get(us, "default");
    if (object_open(o->node)) {
        if (diff_kind_is(cm, 1, us, u->root, K_EMPTY))
            diff_add(c, path, "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL");
        else if (required)
            diff_add(c, path, has_default ? "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
                                      : "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL");
        else
            diff_add(c, path, "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL");
        return;
    }
    json_t *partial = object_partial(o->node, name);
    if (partial)
        compare_partial(cm, c, partial, o->root, us, u->root, path,
                        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL");
    if (!required)
        diff_add(c, path, "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL");
    else
        diff_add(c, path, has_default ? "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
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
        diff_path(at, sizeof(at), path, "properties", name);
        if (!us) {
            removed_from_model(cm, c, s, o->root, object_open(u->node), object_partial(u->node, name), u->root,
                               "PROPERTY", at);
            continue;
        }
        bool was = is_required(o->node, name), is = is_required(u->node, name);
        if (was && !is)
            diff_add(c, at, "REQUIRED_ATTRIBUTE_REMOVED");
        else if (!was && is)
            diff_add(c, at,
                     json_is_object(us) && json_object_get(us, "default") ? "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
                                                                          : "REQUIRED_ATTRIBUTE_ADDED");
        diff_nodes(cm, c, s, o->root, us, u->root, at);
    }
    json_object_foreach(up, name, s) {
        if (!json_object_get(op, name)) {
            diff_path(at, sizeof(at), path, "properties", name);
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
            diff_add(c, path, "DEPENDENCY_ARRAY_REMOVED");
        else if (!a)
            diff_add(c, path, "DEPENDENCY_ARRAY_ADDED");
        else if (!(values_contain_all(a, b) && values_contain_all(b, a)))
            diff_add(c, path, values_contain_all(b, a)   ? "DEPENDENCY_ARRAY_EXTENDED"
                          : values_contain_all(a, b) ? "DEPENDENCY_ARRAY_NARROWED"
                                               : "DEPENDENCY_ARRAY_CHANGED");
    }
    a = dependency(o->node, name, false);
    b = dependency(u->node, name, false);
    if (a || b) {
        if (!b)
            diff_add(c, path, "DEPENDENCY_SCHEMA_REMOVED");
        else if (!a)
            diff_add(c, path, "DEPENDENCY_SCHEMA_ADDED");
        else
            diff_nodes(cm, c, a, o->root, b, u->root, path);
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
                diff_path(at, sizeof(at), path, "dependencies", name);
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
    diff_path(at, sizeof(at), path, key, NULL);
    if (pa != pb)
        snprintf(type, sizeof(type), "%s_%s", name, pb ? "ADDED" : "REMOVED");
    else if (!sa && sb)
        snprintf(type, sizeof(type), "%s_NARROWED", name);
    else if (sa && !sb)
        snprintf(type, sizeof(type), "%s_EXTENDED", name);
    else {
        diff_nodes(cm, c, sa, o->root, sb, u->root, at);
        return;
    }
    diff_add(c, at, type);
}

void diff_object(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    compare_properties(cm, c, o, u, path);
    compare_dependencies(cm, c, o, u, path);
    compare_additional(cm, c, o, u, "additionalProperties", "ADDITIONAL_PROPERTIES", path);
    diff_limit(c, path, o->node, u->node, "maxProperties", "MAX_PROPERTIES");
    diff_limit(c, path, o->node, u->node, "minProperties", "MIN_PROPERTIES");
}

/* ---- arrays ---- */

static bool array_open(struct js_items it, json_t *node)
{
    if (it.additional && !json_is_true(it.additional))
        return false;
    json_t *un = json_object_get(node, "unevaluatedItems");
    return !un || json_is_true(un) || (json_is_object(un) && json_object_size(un) == 0);
}

static json_t *array_partial(struct js_items it, json_t *node)
{
    if (json_is_object(it.additional))
        return it.additional;
    json_t *un = json_object_get(node, "unevaluatedItems");
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
        diff_path(at, sizeof(at), path, "items", idx);
        json_t *os = json_array_get(oi.tuple, i), *us = json_array_get(ui.tuple, i);
        json_t *partial;
        if (os && us) {
            diff_nodes(cm, c, os, o->root, us, u->root, at);
        } else if (os) {
            removed_from_model(cm, c, os, o->root, array_open(ui, u->node), array_partial(ui, u->node), u->root,
                               "ITEM", at);
        } else if (array_open(oi, o->node)) {
            diff_add(c, at,
                     diff_kind_is(cm, 1, us, u->root, K_EMPTY) ? "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
                                                               : "ITEM_ADDED_TO_OPEN_CONTENT_MODEL");
        } else if ((partial = array_partial(oi, o->node))) {
            compare_partial(cm, c, partial, o->root, us, u->root, at,
                            "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                            "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL");
        } else {
            diff_add(c, at, "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL");
        }
    }
}

void diff_array(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path)
{
    struct js_items oi = js_items_of(o->node), ui = js_items_of(u->node);
    char at[512];
    diff_path(at, sizeof(at), path, "items", NULL);
    diff_nodes(cm, c, oi.all, o->root, ui.all, u->root, at);
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
    diff_limit(c, path, o->node, u->node, "maxItems", "MAX_ITEMS");
    diff_limit(c, path, o->node, u->node, "minItems", "MIN_ITEMS");
    diff_limit(c, path, o->node, u->node, "maxContains", "MAX_CONTAINS");
    diff_limit(c, path, o->node, u->node, "minContains", "MIN_CONTAINS");
    bool a = json_is_true(json_object_get(o->node, "uniqueItems"));
    bool b = json_is_true(json_object_get(u->node, "uniqueItems"));
    if (a != b)
        diff_add(c, path, a ? "UNIQUE_ITEMS_REMOVED" : "UNIQUE_ITEMS_ADDED");
}
