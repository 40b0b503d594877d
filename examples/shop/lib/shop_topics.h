/* Creating the topics a service needs (its retry and dead-letter topics
 * too) before it produces or subscribes, with their partition count,
 * replication factor and configs; a topic that exists already is fine. */
#ifndef SHOP_TOPICS_H
#define SHOP_TOPICS_H
#include <librdkafka/rdkafka.h>
#include <stddef.h>

struct shop_topic_spec {
    const char *name;
    int partitions;
    int replication;            /* -1: the broker's default */
    const char *const *configs; /* "name=value", NULL-terminated; may be NULL */
};

/* 0 when every topic exists afterwards; -1 with the first reason in err. */
int shop_topics_ensure(rd_kafka_t *rk, const struct shop_topic_spec *specs, size_t n,
                       int timeout_ms, char *err, size_t errlen);

/* The shop's replication factor: SHOP_REPLICATION from the environment
 * (3 on a three-node cluster), else -1 (the broker's default). */
int shop_topics_replication(void);

#endif
