/* The producer every service uses: idempotent (no duplicates or reordering
 * from the producer's own retries), acks=all, and a bounded
 * delivery.timeout.ms so that a send fails in bounded time instead of
 * waiting on an unreachable broker forever. shop_producer_send waits for
 * the broker's acknowledgement: the caller knows the event is stored
 * before it answers its client or commits the offset it came from. */
#ifndef SHOP_PRODUCER_H
#define SHOP_PRODUCER_H
#include <librdkafka/rdkafka.h>
#include <stddef.h>

#define SHOP_DELIVERY_TIMEOUT_MS 15000

struct shop_producer;

/* props: extra "name=value" librdkafka settings, NULL-terminated (may be NULL). */
struct shop_producer *shop_producer_new(const char *bootstrap, const char *client_id,
                                        const char *const *props, char *err, size_t errlen);
void shop_producer_free(struct shop_producer *p);

/* Sends one record and waits for its acknowledgement. partition may be
 * RD_KAFKA_PARTITION_UA (chosen from the key). hdrs (may be NULL) is taken
 * in every case. 0 when acknowledged; -1 with the reason in err. */
int shop_producer_send(struct shop_producer *p, const char *topic, int32_t partition,
                       const void *key, size_t key_len, const void *value, size_t value_len,
                       rd_kafka_headers_t *hdrs, char *err, size_t errlen);

/* The underlying handle, for admin requests on the same connections. */
rd_kafka_t *shop_producer_handle(struct shop_producer *p);

/* Applies "name=value" settings; -1 with the reason in err. */
int shop_conf_apply(rd_kafka_conf_t *conf, const char *const *props, char *err, size_t errlen);

#endif
