#include "shop_replay.h"

#include <stdio.h>
#include <stdlib.h>

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

#define READ_TIMEOUT_MS 15000

/* The record at topic/partition/offset, or NULL with the reason in err. */
static rd_kafka_message_t *read_at(const char *bootstrap, const char *topic, int32_t partition, int64_t offset,
                                   rd_kafka_t **out, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, errlen) ||
        rd_kafka_conf_set(conf, "group.id", "shop-replay", err, errlen) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, errlen)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, errlen);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    *out = rk;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    for (int waited = 0; waited < READ_TIMEOUT_MS; waited += 200) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (m && !m->err && m->offset == offset)
            return m;
        if (m && m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            snprintf(err, errlen, "%s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            return NULL;
        }
        if (m)
            rd_kafka_message_destroy(m);
    }
    snprintf(err, errlen, "no record at %s-%d@%lld within %d ms", topic, (int)partition, (long long)offset,
             READ_TIMEOUT_MS);
    return NULL;
}

int shop_replay_at(struct shop_producer *p, const char *bootstrap, const char *topic, int32_t partition,
                   int64_t offset, char *to, size_t to_len, char *err, size_t errlen)
{
    rd_kafka_t *rk = NULL;
    rd_kafka_message_t *m = read_at(bootstrap, topic, partition, offset, &rk, err, errlen);
    int rc = m ? shop_replay(p, m, to, to_len, err, errlen) : -1;
    if (m)
        rd_kafka_message_destroy(m);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    return rc;
}
