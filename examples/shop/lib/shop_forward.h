/* Sending a failed event on: to its next retry topic, due after the plan's
 * delay, or to the dead-letter topic, with the Spring Kafka headers that
 * say where it came from and why it failed. */
#ifndef SHOP_FORWARD_H
#define SHOP_FORWARD_H
#include <librdkafka/rdkafka.h>

#include "shop_producer.h"
#include "shop_retry.h"

/* What failed, written to kafka_dlt-exception-fqcn. */
#define SHOP_FAILURE_HANDLER "shop.HandlerFailed"
#define SHOP_FAILURE_POISON "shop.PoisonEvent"

/* Forwards msg (consumed from a topic of main_topic's family). poison
 * sends it straight to the DLT. Returns the stage it went to, or -1 with
 * the reason in err if the broker did not acknowledge it. */
int shop_forward(struct shop_producer *p, const struct shop_retry_plan *plan,
                 const char *main_topic, const rd_kafka_message_t *msg, int poison,
                 const char *why, char *err, size_t errlen);

#endif
