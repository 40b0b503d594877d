/* Event payloads: Avro records of string and long fields, held in memory
 * as JSON objects (jansson) and written with Confluent's framing (magic
 * byte 0, the 4-byte big-endian schema id, then the Avro binary), which is
 * what a topic with confluent.value.schema.validation=true accepts. */
#ifndef SHOP_AVRO_H
#define SHOP_AVRO_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct shop_schema;

/* Parses an Avro record schema whose fields are "string" or "long";
 * NULL with the reason in err otherwise. */
struct shop_schema *shop_schema_new(const char *json, char *err, size_t errlen);
void shop_schema_free(struct shop_schema *s);
const char *shop_schema_json(const struct shop_schema *s);

/* The id the registry gave the schema (set after registering it). */
void shop_schema_set_id(struct shop_schema *s, int32_t id);
int32_t shop_schema_id(const struct shop_schema *s);

/* Encodes obj (every field of the schema present with its type) into a
 * malloc'd framed buffer; -1 with the reason in err. */
int shop_avro_encode(const struct shop_schema *s, json_t *obj, uint8_t **out, size_t *len,
                     char *err, size_t errlen);

/* Decodes a framed payload written with this schema's id; NULL with the
 * reason in err for anything else (wrong magic or id, short or trailing
 * bytes, bad data). */
json_t *shop_avro_decode(const struct shop_schema *s, const void *buf, size_t len,
                         char *err, size_t errlen);

#endif
