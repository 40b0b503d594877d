#include "shop_forward.h"

#include <stdio.h>
#include <string.h>

#include "shop_clock.h"
#include "shop_dlt.h"

static rd_kafka_headers_t *copy_headers(const rd_kafka_message_t *msg)
{
    rd_kafka_headers_t *in = NULL;
    if (rd_kafka_message_headers(msg, &in) == RD_KAFKA_RESP_ERR_NO_ERROR && in)
        return rd_kafka_headers_copy(in);
    return rd_kafka_headers_new(8);
}

int shop_forward(struct shop_producer *p, const struct shop_retry_plan *plan,
                 const char *main_topic, const rd_kafka_message_t *msg, int poison,
                 const char *why, char *err, size_t errlen)
{
    const char *topic = rd_kafka_topic_name(msg->rkt);
    char next[SHOP_TOPIC_MAX + 1];
    int index = -1;
    enum shop_stage stage;
    if (poison) {
        shop_dlt_topic(next, sizeof next, main_topic);
        stage = SHOP_STAGE_DLT;
    } else {
        stage = shop_retry_next(plan, main_topic, topic, next, sizeof next, &index);
    }

    rd_kafka_headers_t *hdrs = copy_headers(msg);
    struct shop_dlt_origin origin = {.partition = msg->partition, .offset = msg->offset,
                                     .timestamp_ms = rd_kafka_message_timestamp(msg, NULL)};
    snprintf(origin.topic, sizeof origin.topic, "%s", topic);
    shop_dlt_add_origin(hdrs, &origin);
    shop_dlt_set_exception(hdrs, poison ? SHOP_FAILURE_POISON : SHOP_FAILURE_HANDLER, why);
    if (stage == SHOP_STAGE_RETRY)
        shop_retry_set_due(hdrs, shop_retry_attempt(hdrs) + 1,
                           shop_wall_ms() + shop_retry_delay_ms(plan, index));
    if (shop_producer_send(p, next, RD_KAFKA_PARTITION_UA, msg->key, msg->key_len, msg->payload,
                           msg->len, hdrs, err, errlen) != 0)
        return -1;
    return (int)stage;
}
