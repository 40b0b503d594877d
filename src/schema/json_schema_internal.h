/* What the JSON Schema files share: a schema parsed with the schemas it
 * refers to, $ref resolution, and JSON Schema's equality of values. */
#ifndef SLUICE_SCHEMA_JSON_SCHEMA_INTERNAL_H
#define SLUICE_SCHEMA_JSON_SCHEMA_INTERNAL_H
#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include "schema/registry.h"

enum js_draft { JS_DRAFT_UNKNOWN, JS_DRAFT4, JS_DRAFT6, JS_DRAFT7, JS_DRAFT2019, JS_DRAFT2020 };

/* A schema and its references (deps names are their $ref URLs), parsed.
 * It owns copies of the names: a checker outlives the sr_deps it was
 * made from. */
struct js_doc {
    json_t *root;
    enum js_draft draft;
    size_t ndeps;
    char **dep_names;
    json_t **dep_roots;
};

/* A schema node and the document it sits in (its local $refs resolve
 * against that document's root). */
struct js_node {
    json_t *schema;
    json_t *root;
};

/* Parses text and every dependency; false with the reason in err. */
bool js_doc_load(struct js_doc *d, const char *text, const struct sr_deps *deps, char *err, size_t errlen);
void js_doc_free(struct js_doc *d);
/* The draft a root's $schema names (draft-07 when it names none). */
enum js_draft js_draft_of(json_t *root);
/* The schema `ref` points at from a node in `root`: a JSON pointer into
 * that document ("#/definitions/a", "#/$defs/a", "#", or after the
 * document's own $id), or a reference's name with an optional pointer
 * after '#'. false when it points nowhere. */
bool js_resolve(const struct js_doc *d, json_t *root, const char *ref, struct js_node *out);
/* What an array schema says of items: the schema every item matches, the
 * per-position ones, and what items after those must match (draft-07's
 * items / items[] + additionalItems; 2020-12's items / prefixItems +
 * items). Each NULL when not given. */
struct js_items {
    json_t *all, *tuple, *additional;
};
struct js_items js_items_of(json_t *node);
/* JSON Schema equality: numbers by value (1 equals 1.0), objects and
 * arrays member by member. */
bool js_equal(json_t *a, json_t *b);
/* Compiles an ECMA-262 pattern as a POSIX extended one, unanchored as
 * ECMA's search is (\d and \D become classes; glibc knows \w, \s, \b).
 * false when it is not a valid pattern, or not one Sluice takes: a
 * backreference, or repetitions too large to build (json_schema_regex.c). */
bool js_regex_compile(regex_t *re, const char *pattern);
/* Does the pattern match somewhere in s? (false when it does not compile) */
bool js_regex_search(const char *pattern, const char *s);
#endif
