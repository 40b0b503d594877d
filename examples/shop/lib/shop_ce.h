/* CloudEvents 1.0 in Kafka binary mode: the event's attributes travel as
 * headers (ce_specversion, ce_id, ce_source, ce_type, ce_time) and the
 * payload's media type as content-type; the value is the data alone. */
#ifndef SHOP_CE_H
#define SHOP_CE_H
#include <librdkafka/rdkafka.h>
#include <stdint.h>

#define SHOP_CE_ID_LEN 36       /* a UUID in text */
#define SHOP_CE_TIME_LEN 24     /* 2026-12-06T05:30:00.123Z */
#define SHOP_CE_FIELD_MAX 128

/* Avro with Confluent's framing, the content type the shop's events use. */
#define SHOP_CE_CONTENT_AVRO "application/avro"

struct shop_ce {
    char id[SHOP_CE_FIELD_MAX];
    char source[SHOP_CE_FIELD_MAX];
    char type[SHOP_CE_FIELD_MAX];
    char time[SHOP_CE_FIELD_MAX];
    char content_type[SHOP_CE_FIELD_MAX];
};

/* A random (version 4) UUID into out[SHOP_CE_ID_LEN + 1]; -1 if the
 * system has no randomness to give. */
int shop_ce_new_id(char *out);

/* RFC 3339 UTC time with milliseconds into out[SHOP_CE_TIME_LEN + 1]. */
void shop_ce_format_time(char *out, int64_t unix_ms);

/* A new event's attributes: a fresh id and the current time. */
int shop_ce_init(struct shop_ce *ce, const char *source, const char *type, const char *content_type);

/* Adds the attributes to hdrs (ce_specversion is always "1.0"). */
void shop_ce_add_headers(rd_kafka_headers_t *hdrs, const struct shop_ce *ce);

/* Reads the attributes back; -1 if ce_specversion is not 1.0 or ce_id,
 * ce_source or ce_type is missing (the event is not a CloudEvent). */
int shop_ce_read_headers(const rd_kafka_headers_t *hdrs, struct shop_ce *ce);

/* The last value of header `name` copied as a string into out; -1 if
 * absent or longer than size - 1. */
int shop_header_string(const rd_kafka_headers_t *hdrs, const char *name, char *out, size_t size);

#endif
