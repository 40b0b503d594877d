#include "shop_replay.h"

#include <stdio.h>

#include "shop_dlt.h"

int shop_replay(struct shop_producer *p, const rd_kafka_message_t *dead, char *to, size_t to_len,
                char *err, size_t errlen)
{
    rd_kafka_headers_t *in = NULL;
    struct shop_dlt_origin origin;
    if (rd_kafka_message_headers(dead, &in) != RD_KAFKA_RESP_ERR_NO_ERROR || !in ||
        shop_dlt_read_origin(in, &origin) != 0) {
        snprintf(err, errlen, "the record has no readable %s headers: not a dead letter", "kafka_dlt-original-*");
        return -1;
    }
    snprintf(to, to_len, "%s", origin.topic);
    rd_kafka_headers_t *hdrs = rd_kafka_headers_copy(in);
    shop_dlt_strip(hdrs);
    return shop_producer_send(p, origin.topic, RD_KAFKA_PARTITION_UA, dead->key, dead->key_len,
                              dead->payload, dead->len, hdrs, err, errlen);
}
