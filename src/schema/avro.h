/* Avro as a registry format: canonical text and schema resolution. */
#ifndef SLUICE_SCHEMA_AVRO_H
#define SLUICE_SCHEMA_AVRO_H
#include <stdbool.h>
#include <stddef.h>
#include "schema/registry.h"

/* Whitespace- and attribute-order-free JSON of a valid Avro schema,
 * malloc'd; NULL with the reason in err when it is not valid. */
char *avro_canonicalize(const char *text, char *err, size_t errlen);
/* Can data written with `writer` be read with `reader`, by the Avro
 * specification's schema resolution? false with the first reason. */
bool avro_can_read(const char *reader, const char *writer, char *err, size_t errlen);

extern const struct sr_format avro_format;
#endif
