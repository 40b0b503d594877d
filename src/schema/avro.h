/* Avro as a registry format: canonical text and schema resolution. */
#ifndef SLUICE_SCHEMA_AVRO_H
#define SLUICE_SCHEMA_AVRO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "schema/registry.h"

/* Whitespace- and attribute-order-free JSON of a valid Avro schema,
 * malloc'd; NULL with the reason in err when it is not valid. */
char *avro_canonicalize(const char *text, const struct sr_deps *deps, char *err, size_t errlen);
/* Can data written with `writer` be read with `reader`, by the Avro
 * specification's schema resolution? false with the first reason. */
bool avro_can_read(const char *reader, const struct sr_deps *reader_deps, const char *writer,
                   const struct sr_deps *writer_deps, char *err, size_t errlen);

/* A schema made ready to check data against (avro_binary.c). */
struct avro_checker;
struct avro_checker *avro_checker_new(const char *canonical, const struct sr_deps *deps);   /* NULL if not a schema */
void avro_checker_free(struct avro_checker *ck);
/* Is p..p+len exactly one value of the schema in Avro's binary
 * encoding? false with the reason in why. */
bool avro_datum_valid(const struct avro_checker *ck, const uint8_t *p, size_t len, char *why, size_t whylen);

extern const struct sr_format avro_format;
#endif
