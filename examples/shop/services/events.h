/* The shop's events: one Avro schema per event type, one topic per event
 * type (so TopicNameStrategy's subject <topic>-value names the type), all
 * keyed by order id:
 *   orders           OrderPlaced        orders -> inventory
 *   payments         PaymentRequested   inventory -> payments
 *   payment-results  PaymentResult      payments -> inventory
 *   shipping         ShipmentRequested  inventory -> shipping
 *   order-status     OrderStatus        everyone -> the orders view, notifications
 * An event caused by another gets the id "<cause's id>:<ce_type>", so a
 * handler that runs again after a crash re-emits the same ids, and the
 * consumers' processed-ids sets drop the copies. */
#ifndef SHOP_EVENTS_H
#define SHOP_EVENTS_H
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>

struct service;

enum event_kind { EV_ORDER_PLACED, EV_PAYMENT_REQUESTED, EV_PAYMENT_RESULT, EV_SHIPMENT_REQUESTED,
                  EV_ORDER_STATUS, EV_KINDS };

const char *events_topic(enum event_kind k);

/* Parses the schemas, registers them (subject <topic>-value) and creates
 * the topics, with confluent.value.schema.validation=true unless
 * SHOP_SCHEMA_VALIDATION=0 (Apache Kafka has no such setting). */
int events_setup(struct service *s, char *err, size_t errlen);
void events_free(void);

/* Encodes obj and sends it, acknowledged, as a CloudEvent of type ce_type
 * keyed by key. caused_by: the id of the event being handled, or NULL. */
int events_emit(struct service *s, enum event_kind k, const char *ce_type, const char *key,
                json_t *obj, const char *caused_by, char *err, size_t errlen);

/* An OrderStatus event (type shop.order.<status>). */
int events_emit_status(struct service *s, const char *order_id, const char *status,
                       const char *detail, int64_t placed_ms, const char *caused_by,
                       char *err, size_t errlen);

/* Decodes a payload of kind k; NULL with the reason (poison) in err. */
json_t *events_decode(enum event_kind k, const rd_kafka_message_t *msg, char *err, size_t errlen);

#endif
