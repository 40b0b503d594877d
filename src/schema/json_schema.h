/* JSON Schema as a registry format: canonical text, Confluent's
 * compatibility rules and full validation of JSON payloads. */
#ifndef SLUICE_SCHEMA_JSON_SCHEMA_H
#define SLUICE_SCHEMA_JSON_SCHEMA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "schema/registry.h"

/* Compact JSON with sorted keys of a valid schema (draft-07, 2019-09 or
 * 2020-12 by its $schema; draft-07 when absent), malloc'd; NULL with the
 * reason in err when it is not one. */
char *json_schema_canonicalize(const char *text, const struct sr_deps *deps, char *err, size_t errlen);
/* Is every value valid under `writer` accepted by `reader`, by the rules
 * of Confluent's JSON Schema diff (json_schema_compat.c)? */
bool json_schema_can_read(const char *reader, const struct sr_deps *reader_deps, const char *writer,
                          const struct sr_deps *writer_deps, char *err, size_t errlen);

/* A schema made ready to validate instances (json_schema_validate.c). */
struct json_checker;
struct json_checker *json_checker_new(const char *canonical, const struct sr_deps *deps);   /* NULL if not a schema */
void json_checker_free(struct json_checker *ck);
/* Is p..p+len one UTF-8 JSON value valid under the schema? false with
 * the reason in why. */
bool json_checker_valid(const struct json_checker *ck, const uint8_t *p, size_t len, char *why, size_t whylen);

extern const struct sr_format json_schema_format;
#endif
