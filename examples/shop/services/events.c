#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "shop_avro.h"
#include "shop_ce.h"
#include "shop_clock.h"
#include "shop_registry.h"
#include "shop_topics.h"

#define STR(n) "{\"name\":\"" n "\",\"type\":\"string\"}"
#define LONG(n) "{\"name\":\"" n "\",\"type\":\"long\"}"
#define RECORD(name, fields) \
    "{\"type\":\"record\",\"name\":\"" name "\",\"namespace\":\"shop\",\"fields\":[" fields "]}"

static const struct {
    const char *topic;
    const char *schema;
} KINDS[EV_KINDS] = {
    [EV_ORDER_PLACED] = {"orders", RECORD("OrderPlaced", STR("order_id") "," STR("customer") "," STR("item") ","
                                          LONG("quantity") "," LONG("amount_cents") "," STR("card") ","
                                          LONG("placed_ms"))},
    [EV_PAYMENT_REQUESTED] = {"payments", RECORD("PaymentRequested", STR("order_id") "," STR("item") ","
                                                 LONG("quantity") "," LONG("amount_cents") ","
                                                 STR("card") "," LONG("placed_ms"))},
    [EV_PAYMENT_RESULT] = {"payment-results", RECORD("PaymentResult", STR("order_id") "," STR("status") ","
                                                     STR("charge_id") "," STR("item") ","
                                                     LONG("quantity") "," LONG("placed_ms"))},
    [EV_SHIPMENT_REQUESTED] = {"shipping", RECORD("ShipmentRequested", STR("order_id") "," STR("item") ","
                                                  LONG("quantity") "," LONG("placed_ms"))},
    [EV_ORDER_STATUS] = {"order-status", RECORD("OrderStatus", STR("order_id") "," STR("status") ","
                                                STR("detail") "," LONG("placed_ms") "," LONG("at_ms"))},
};

static struct shop_schema *schemas[EV_KINDS];

const char *events_topic(enum event_kind k) { return KINDS[k].topic; }

static int create_topics(struct service *s, char *err, size_t errlen)
{
    static const char *const validated[] = {"confluent.value.schema.validation=true", NULL};
    struct shop_topic_spec specs[EV_KINDS];
    for (int k = 0; k < EV_KINDS; k++)
        specs[k] = (struct shop_topic_spec){KINDS[k].topic, s->partitions, shop_topics_replication(),
                                            env_int("SHOP_SCHEMA_VALIDATION", 1) ? validated : NULL};
    return shop_topics_ensure(shop_producer_handle(s->producer), specs, EV_KINDS, 10000, err, errlen);
}

int events_setup(struct service *s, char *err, size_t errlen)
{
    for (int k = 0; k < EV_KINDS; k++) {
        char subject[256];
        if (!(schemas[k] = shop_schema_new(KINDS[k].schema, err, errlen)))
            return -1;
        snprintf(subject, sizeof subject, "%s-value", KINDS[k].topic);
        int32_t id = shop_registry_register(s->registry, subject, KINDS[k].schema, err, errlen);
        if (id < 0)
            return -1;
        shop_schema_set_id(schemas[k], id);
    }
    return create_topics(s, err, errlen);
}

void events_free(void)
{
    for (int k = 0; k < EV_KINDS; k++) {
        shop_schema_free(schemas[k]);
        schemas[k] = NULL;
    }
}

int events_emit(struct service *s, enum event_kind k, const char *ce_type, const char *key,
                json_t *obj, const char *caused_by, char *err, size_t errlen)
{
    struct shop_ce ce;
    char source[64];
    uint8_t *value;
    size_t len;
    snprintf(source, sizeof source, "/shop/%s", s->name);
    if (shop_ce_init(&ce, source, ce_type, SHOP_CE_CONTENT_AVRO) != 0) {
        snprintf(err, errlen, "no randomness for an event id");
        return -1;
    }
    if (caused_by)
        snprintf(ce.id, sizeof ce.id, "%.80s:%s", caused_by, ce_type);
    if (shop_avro_encode(schemas[k], obj, &value, &len, err, errlen) != 0)
        return -1;
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(8);
    shop_ce_add_headers(hdrs, &ce);
    int rc = shop_producer_send(s->producer, KINDS[k].topic, RD_KAFKA_PARTITION_UA, key, strlen(key),
                                value, len, hdrs, err, errlen);
    free(value);
    return rc;
}

int events_emit_status(struct service *s, const char *order_id, const char *status,
                       const char *detail, int64_t placed_ms, const char *caused_by,
                       char *err, size_t errlen)
{
    char type[64];
    snprintf(type, sizeof type, "shop.order.%s", status);
    json_t *obj = json_pack("{s:s,s:s,s:s,s:I,s:I}", "order_id", order_id, "status", status,
                            "detail", detail ? detail : "", "placed_ms", (json_int_t)placed_ms,
                            "at_ms", (json_int_t)shop_wall_ms());
    int rc = events_emit(s, EV_ORDER_STATUS, type, order_id, obj, caused_by, err, errlen);
    json_decref(obj);
    return rc;
}

json_t *events_decode(enum event_kind k, const rd_kafka_message_t *msg, char *err, size_t errlen)
{
    return shop_avro_decode(schemas[k], msg->payload, msg->len, err, errlen);
}
