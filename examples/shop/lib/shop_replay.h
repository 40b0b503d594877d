/* Replaying a dead letter: the record goes back to the topic it first
 * failed on (kafka_dlt-original-topic) with its key, value and own headers,
 * the dead-letter and retry headers removed. Its event id is unchanged, so
 * a consumer that handled it already skips it: replaying twice handles it
 * once. */
#ifndef SHOP_REPLAY_H
#define SHOP_REPLAY_H
#include <librdkafka/rdkafka.h>

#include "shop_producer.h"

/* Sends dead back; writes the topic it went to into to (size to_len). 0
 * when acknowledged; -1 with the reason in err (no original-topic header,
 * or the broker did not take it). */
int shop_replay(struct shop_producer *p, const rd_kafka_message_t *dead, char *to, size_t to_len,
                char *err, size_t errlen);

/* Reads the dead letter at topic/partition/offset (within 15 s) and
 * replays it as shop_replay does. */
int shop_replay_at(struct shop_producer *p, const char *bootstrap, const char *topic, int32_t partition,
                   int64_t offset, char *to, size_t to_len, char *err, size_t errlen);

#endif
