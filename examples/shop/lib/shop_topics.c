#include "shop_topics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int shop_topics_replication(void)
{
    const char *v = getenv("SHOP_REPLICATION");
    return v && atoi(v) > 0 ? atoi(v) : -1;
}

static rd_kafka_NewTopic_t *new_topic(const struct shop_topic_spec *s, char *err, size_t errlen)
{
    rd_kafka_NewTopic_t *t = rd_kafka_NewTopic_new(s->name, s->partitions, s->replication, err, errlen);
    for (const char *const *c = s->configs; t && c && *c; c++) {
        char name[256];
        const char *eq = strchr(*c, '=');
        if (!eq || (size_t)(eq - *c) >= sizeof name)
            continue;
        memcpy(name, *c, (size_t)(eq - *c));
        name[eq - *c] = '\0';
        rd_kafka_NewTopic_set_config(t, name, eq + 1);
    }
    return t;
}

static int check_results(rd_kafka_event_t *ev, char *err, size_t errlen)
{
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    if (!res) {
        snprintf(err, errlen, "CreateTopics: %s", rd_kafka_event_error_string(ev));
        return -1;
    }
    size_t n;
    const rd_kafka_topic_result_t **results = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
        if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            snprintf(err, errlen, "creating %s: %s", rd_kafka_topic_result_name(results[i]),
                     rd_kafka_topic_result_error_string(results[i]));
            return -1;
        }
    }
    return 0;
}

/* Whether the cluster's metadata lists every topic with a leader for each
 * partition: a consumer subscribing before that (Apache Kafka answers
 * CreateTopics before its brokers all know) would miss the topic until its
 * next metadata refresh, minutes later. */
static int all_visible(rd_kafka_t *rk, const struct shop_topic_spec *specs, size_t n)
{
    const struct rd_kafka_metadata *md;
    if (rd_kafka_metadata(rk, 1, NULL, &md, 2000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return 0;
    size_t seen = 0;
    for (size_t i = 0; i < n; i++)
        for (int t = 0; t < md->topic_cnt; t++) {
            const struct rd_kafka_metadata_topic *mt = &md->topics[t];
            if (strcmp(mt->topic, specs[i].name) != 0 || mt->err || mt->partition_cnt == 0)
                continue;
            int led = 1;
            for (int p = 0; p < mt->partition_cnt; p++)
                led &= mt->partitions[p].leader >= 0;
            seen += led;
        }
    rd_kafka_metadata_destroy(md);
    return seen == n;
}

static int wait_visible(rd_kafka_t *rk, const struct shop_topic_spec *specs, size_t n, int timeout_ms,
                        char *err, size_t errlen)
{
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        if (all_visible(rk, specs, n))
            return 0;
        struct timespec tick = {0, 100 * 1000000L};
        nanosleep(&tick, NULL);
    }
    snprintf(err, errlen, "the topics were created but not all listed in metadata after %d ms", timeout_ms);
    return -1;
}

int shop_topics_ensure(rd_kafka_t *rk, const struct shop_topic_spec *specs, size_t n,
                       int timeout_ms, char *err, size_t errlen)
{
    rd_kafka_NewTopic_t **topics = calloc(n ? n : 1, sizeof *topics);
    int rc = topics ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!(topics[i] = new_topic(&specs[i], err, errlen)))
            rc = -1;
    if (rc == 0) {
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
        rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, NULL, 0);
        rd_kafka_CreateTopics(rk, topics, n, opts, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 2000);
        if (!ev) {
            snprintf(err, errlen, "CreateTopics: no answer in %d ms", timeout_ms);
            rc = -1;
        } else {
            rc = check_results(ev, err, errlen);
            rd_kafka_event_destroy(ev);
        }
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_queue_destroy(q);
    }
    for (size_t i = 0; topics && i < n; i++)
        if (topics[i])
            rd_kafka_NewTopic_destroy(topics[i]);
    free(topics);
    return rc == 0 ? wait_visible(rk, specs, n, timeout_ms, err, errlen) : rc;
}
