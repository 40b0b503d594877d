/* Schema id validation at produce, per topic, with the properties
 * Confluent Server uses: confluent.key.schema.validation and
 * confluent.value.schema.validation (true: every non-null key or value
 * must start with the magic byte 0 and a 4-byte schema id registered
 * under the topic's subject), named by confluent.key.subject.name.strategy
 * and confluent.value.subject.name.strategy (TopicNameStrategy,
 * RecordNameStrategy, TopicRecordNameStrategy). */
#ifndef SLUICE_SCHEMA_VALIDATE_H
#define SLUICE_SCHEMA_VALIDATE_H
#include <stddef.h>
#include <stdint.h>

struct broker;
struct topic;

/* 0 when every record of the (already validated) record batches passes,
 * or KERR_INVALID_RECORD with the record and the reason in msg: the
 * whole set is then refused. */
int schema_validate_produce(struct broker *b, const struct topic *t, const uint8_t *records, size_t len, char *msg,
                            size_t msglen);
#endif
