/* shop-replay TOPIC PARTITION OFFSET: sends the dead letter at that place
 * back to its original topic (examples/shop/lib/shop_replay.h), once the
 * cause of its failure is fixed. SHOP_BOOTSTRAP names the broker. */
#include <stdio.h>
#include <stdlib.h>

#include "service.h"
#include "shop_replay.h"

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

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: shop-replay TOPIC PARTITION OFFSET\n");
        return 2;
    }
    const char *bootstrap = env_or("SHOP_BOOTSTRAP", "127.0.0.1:9092");
    char err[512], to[256];
    rd_kafka_t *rk = NULL;
    struct shop_producer *p = shop_producer_new(bootstrap, "shop-replay", NULL, err, sizeof err);
    rd_kafka_message_t *m = p ? read_at(bootstrap, argv[1], atoi(argv[2]), atoll(argv[3]), &rk, err, sizeof err) : NULL;
    int rc = m ? shop_replay(p, m, to, sizeof to, err, sizeof err) : -1;
    if (rc == 0)
        printf("replayed %s-%s@%s to %s\n", argv[1], argv[2], argv[3], to);
    else
        fprintf(stderr, "shop-replay: %s\n", err);
    if (m)
        rd_kafka_message_destroy(m);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    shop_producer_free(p);
    return rc == 0 ? 0 : 1;
}
