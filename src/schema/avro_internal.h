/* Between the Avro files: a schema's JSON with its named types found,
 * its own and those of the schemas it references. */
#ifndef SLUICE_SCHEMA_AVRO_INTERNAL_H
#define SLUICE_SCHEMA_AVRO_INTERNAL_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "schema/registry.h"

/* The named types (records, enums, fixed) of one schema by full name. */
struct named {
    char *fullname;
    json_t *schema;
};

struct side {
    json_t *root;
    json_t **dep_roots;        /* the referenced schemas, parsed */
    size_t ndeps;
    struct named *names;       /* the referenced schemas' first (ndep_names) */
    size_t n, cap, ndep_names;
};

bool is_primitive(const char *t);
const char *short_name(const char *fullname);
/* Parses a schema's JSON and those of its references and finds their
 * named types. */
bool side_load(struct side *side, const char *text, const struct sr_deps *deps, char *err, size_t errlen);
void side_free(struct side *side);
/* A type given by name is the named type defined in the schema. */
json_t *deref(const struct side *side, json_t *s);
/* "int", "record", "union", ... of a schema node. */
const char *type_of(json_t *s);
/* A named type's full name, from its name and namespace or the one it
 * sits in (ns, NULL for none); malloc'd. */
char *full_name_of(json_t *named, const char *ns);

/* The schema as one JSON text that libavro can parse (avro_refs.c): each
 * named type taken from a referenced schema written in where it is first
 * used. malloc'd. */
char *avro_inline_refs(const struct side *side);
#endif
