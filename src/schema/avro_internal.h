/* Between the Avro files: a schema's JSON with its named types found. */
#ifndef SLUICE_SCHEMA_AVRO_INTERNAL_H
#define SLUICE_SCHEMA_AVRO_INTERNAL_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

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

bool is_primitive(const char *t);
const char *short_name(const char *fullname);
/* Parses a schema's JSON and finds its named types. */
bool side_load(struct side *side, const char *text, char *err, size_t errlen);
void side_free(struct side *side);
/* A type given by name is the named type defined in the schema. */
json_t *deref(const struct side *side, json_t *s);
/* "int", "record", "union", ... of a schema node. */
const char *type_of(json_t *s);
#endif
