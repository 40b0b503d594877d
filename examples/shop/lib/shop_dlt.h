/* The headers a failed event carries to the retry topics and the
 * dead-letter topic, with Spring Kafka's names and encodings so that Spring
 * tooling (DeadLetterPublishingRecoverer, @RetryableTopic) reads them:
 *   kafka_dlt-original-topic      UTF-8
 *   kafka_dlt-original-partition  4-byte big-endian int
 *   kafka_dlt-original-offset     8-byte big-endian long
 *   kafka_dlt-original-timestamp  8-byte big-endian long (ms)
 *   kafka_dlt-original-timestamp-type  "CreateTime"
 *   kafka_dlt-exception-fqcn, kafka_dlt-exception-message  UTF-8
 *   retry_topic-attempts          4-byte int: the attempt the event gets next
 *   retry_topic-backoff-timestamp 8-byte long: when that attempt is due (ms) */
#ifndef SHOP_DLT_H
#define SHOP_DLT_H
#include <librdkafka/rdkafka.h>
#include <stdint.h>

#define SHOP_H_ORIGINAL_TOPIC "kafka_dlt-original-topic"
#define SHOP_H_ORIGINAL_PARTITION "kafka_dlt-original-partition"
#define SHOP_H_ORIGINAL_OFFSET "kafka_dlt-original-offset"
#define SHOP_H_ORIGINAL_TIMESTAMP "kafka_dlt-original-timestamp"
#define SHOP_H_ORIGINAL_TIMESTAMP_TYPE "kafka_dlt-original-timestamp-type"
#define SHOP_H_EXCEPTION_FQCN "kafka_dlt-exception-fqcn"
#define SHOP_H_EXCEPTION_MESSAGE "kafka_dlt-exception-message"
#define SHOP_H_RETRY_ATTEMPTS "retry_topic-attempts"
#define SHOP_H_RETRY_DUE "retry_topic-backoff-timestamp"

/* Where an event was first consumed from. */
struct shop_dlt_origin {
    char topic[256];
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;
};

/* Adds the original-* headers unless the event already has them: an event
 * that went through retry topics keeps the coordinates it had on the main
 * topic, which is where a replay sends it back. */
void shop_dlt_add_origin(rd_kafka_headers_t *hdrs, const struct shop_dlt_origin *origin);

/* Reads the original-* headers; -1 if any is missing or malformed. */
int shop_dlt_read_origin(const rd_kafka_headers_t *hdrs, struct shop_dlt_origin *origin);

/* Sets (replacing earlier ones) the failure's kind and message. */
void shop_dlt_set_exception(rd_kafka_headers_t *hdrs, const char *kind, const char *message);

/* Sets (replacing) the attempt number the event gets next and when it is due. */
void shop_retry_set_due(rd_kafka_headers_t *hdrs, int32_t next_attempt, int64_t due_ms);

/* Removes every header this file sets, leaving the event's own (ce_*):
 * what a replay sends back to the original topic. */
void shop_dlt_strip(rd_kafka_headers_t *hdrs);

/* The attempt number in the headers (1 when absent: the first try). */
int32_t shop_retry_attempt(const rd_kafka_headers_t *hdrs);

/* When the event is due (0 when absent or malformed: due now). */
int64_t shop_retry_due_ms(const rd_kafka_headers_t *hdrs);

#endif
