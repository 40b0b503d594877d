/* What the two halves of the JSON Schema diff share (json_schema_compat.c:
 * classifying, the hub, combined schemas; json_schema_compat_content.c:
 * objects and arrays, with their content models). */
#ifndef SLUICE_SCHEMA_JSON_SCHEMA_DIFF_H
#define SLUICE_SCHEMA_JSON_SCHEMA_DIFF_H
#include <stdbool.h>
#include <stddef.h>
#include "schema/json_schema_internal.h"

/* What everit makes of a schema node: the class Confluent's diff switches on. */
enum kind {
    K_EMPTY, K_FALSE, K_OBJECT, K_ARRAY, K_STRING, K_NUMBER, K_BOOLEAN, K_NULL, K_ENUM, K_CONST, K_COMBINED, K_NOT
};
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

/* Records a change by Confluent's name; incompatible unless in its set. */
void diff_add(struct ctx *c, const char *path, const char *type);
/* Takes a sub-comparison's verdict into c (its first reason wins). */
void diff_merge(struct ctx *into, const struct ctx *from);
/* Diffs two schema nodes (either may be NULL: SCHEMA_ADDED/REMOVED). */
void diff_nodes(struct cmp *cm, struct ctx *c, json_t *o, json_t *oroot, json_t *u, json_t *uroot, const char *path);
void diff_path(char *out, size_t n, const char *path, const char *a, const char *b);
/* A numeric limit's change: NAME_ADDED, _REMOVED, _INCREASED, _DECREASED. */
void diff_limit(struct ctx *c, const char *path, json_t *o, json_t *u, const char *key, const char *name);
bool values_contain_all(json_t *big, json_t *small);
/* Is a node (side 0 the original, 1 the update) of this kind? */
bool diff_kind_is(struct cmp *cm, int side, json_t *node, json_t *root, enum kind k);
void diff_object(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path);
void diff_array(struct cmp *cm, struct ctx *c, struct view *o, struct view *u, const char *path);
#endif
