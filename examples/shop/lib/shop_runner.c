#include "shop_runner.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shop_clock.h"
#include "shop_dlt.h"
#include "shop_forward.h"
#include "shop_idem.h"
#include "shop_topics.h"

#define MAX_WAITS 256
#define MAX_TOPICS 8
#define POLL_MS 100
#define BACKOFF_MS 500   /* after a forward the broker did not take */

/* A retry partition paused until its next event is due. */
struct wait {
    char topic[SHOP_TOPIC_MAX + 1];
    int32_t partition;
    int64_t due_ms;   /* wall clock, as in the event's header */
};

struct runner {
    const struct shop_runner_config *cfg;
    rd_kafka_t *rk;
    struct shop_idem *ids;
    struct wait waits[MAX_WAITS];
    int n_waits;
    struct shop_metric *done, *retried, *dead, *duplicate, *waiting;
};

__attribute__((format(printf, 2, 3)))
static void say(const struct runner *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", r->cfg->service);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- paused retry partitions ---- */

static rd_kafka_topic_partition_list_t *one_partition(const char *topic, int32_t partition, int64_t offset)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
    return l;
}

/* Reads msg again later: from its offset, once due. */
static void rewind_to(struct runner *r, const rd_kafka_message_t *msg, int pause)
{
    rd_kafka_topic_partition_list_t *l = one_partition(rd_kafka_topic_name(msg->rkt), msg->partition, msg->offset);
    if (pause)
        rd_kafka_pause_partitions(r->rk, l);
    rd_kafka_error_t *e = rd_kafka_seek_partitions(r->rk, l, 5000);
    if (e) {
        say(r, "seek failed: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void wait_until_due(struct runner *r, const rd_kafka_message_t *msg, int64_t due_ms)
{
    if (r->n_waits == MAX_WAITS) {   /* cannot happen with fewer partitions than that */
        rewind_to(r, msg, 0);
        return;
    }
    struct wait *w = &r->waits[r->n_waits++];
    snprintf(w->topic, sizeof w->topic, "%s", rd_kafka_topic_name(msg->rkt));
    w->partition = msg->partition;
    w->due_ms = due_ms;
    rewind_to(r, msg, 1);
    shop_metric_set(r->waiting, r->n_waits);
}

static void resume_due(struct runner *r)
{
    int64_t now = shop_wall_ms();
    for (int i = 0; i < r->n_waits;) {
        if (r->waits[i].due_ms > now) {
            i++;
            continue;
        }
        rd_kafka_topic_partition_list_t *l = one_partition(r->waits[i].topic, r->waits[i].partition, 0);
        rd_kafka_resume_partitions(r->rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        r->waits[i] = r->waits[--r->n_waits];
    }
    shop_metric_set(r->waiting, r->n_waits);
}

/* ---- one event ---- */

static void store_offset(struct runner *r, const rd_kafka_message_t *msg)
{
    rd_kafka_topic_partition_list_t *l =
        one_partition(rd_kafka_topic_name(msg->rkt), msg->partition, msg->offset + 1);
    rd_kafka_offsets_store(r->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
}

/* The main topic msg's topic belongs to (itself or one of its retry topics). */
static const char *main_topic_of(const struct runner *r, const char *topic, enum shop_stage *stage)
{
    int index;
    for (const char *const *t = r->cfg->topics; *t; t++)
        if (strcmp(*t, topic) == 0) {
            *stage = SHOP_STAGE_MAIN;
            return *t;
        }
    for (const char *const *t = r->cfg->topics; *t; t++)
        if ((*stage = shop_retry_stage(*t, topic, &index)) != SHOP_STAGE_MAIN)
            return *t;
    return NULL;
}

static void forward(struct runner *r, const char *main_topic, const rd_kafka_message_t *msg,
                    int poison, const char *why)
{
    char err[512];
    int stage = shop_forward(r->cfg->producer, &r->cfg->plan, main_topic, msg, poison, why, err, sizeof err);
    if (stage < 0) {
        say(r, "forwarding failed, will read the event again: %s", err);
        rewind_to(r, msg, 0);
        struct timespec pause = {0, BACKOFF_MS * 1000000L};
        nanosleep(&pause, NULL);
        return;
    }
    shop_metric_add(stage == SHOP_STAGE_DLT ? r->dead : r->retried, 1);
    store_offset(r, msg);
}

static void handle(struct runner *r, const rd_kafka_message_t *msg)
{
    const char *topic = rd_kafka_topic_name(msg->rkt);
    enum shop_stage stage;
    const char *main_topic = main_topic_of(r, topic, &stage);
    rd_kafka_headers_t *hdrs = NULL;
    rd_kafka_message_headers(msg, &hdrs);
    if (!main_topic || stage == SHOP_STAGE_DLT) {
        store_offset(r, msg);   /* not a topic of ours: nothing to do */
        return;
    }
    if (stage == SHOP_STAGE_RETRY) {
        int64_t due = shop_retry_due_ms(hdrs);
        if (due > shop_wall_ms()) {
            wait_until_due(r, msg, due);
            return;
        }
    }
    struct shop_event ev = {.msg = msg, .topic = topic, .main_topic = main_topic,
                            .attempt = shop_retry_attempt(hdrs),
                            .deadline_ms = shop_mono_ms() + r->cfg->handler_timeout_ms};
    if (shop_ce_read_headers(hdrs, &ev.ce) != 0) {
        forward(r, main_topic, msg, 1, "not a CloudEvent (ce_specversion 1.0, ce_id, ce_source, ce_type)");
        return;
    }
    if (r->ids && shop_idem_contains(r->ids, ev.ce.id)) {
        shop_metric_add(r->duplicate, 1);
        store_offset(r, msg);
        return;
    }
    char why[512] = "";
    enum shop_outcome outcome = r->cfg->handler(r->cfg->ctx, &ev, why, sizeof why);
    if (outcome != SHOP_DONE) {
        forward(r, main_topic, msg, outcome == SHOP_POISON, why[0] ? why : "handler failed");
        return;
    }
    if (r->ids && shop_idem_add(r->ids, ev.ce.id) != 0) {
        say(r, "cannot record processed id %s: %s", ev.ce.id, strerror(errno));
        rewind_to(r, msg, 0);
        return;
    }
    shop_metric_add(r->done, 1);
    store_offset(r, msg);
}

/* ---- the consumer ---- */

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct runner *r = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        /* Partitions may come from an instance that died after handling an
         * event and before committing it: read the ids it recorded. */
        if (r->ids && shop_idem_refresh(r->ids) != 0)
            say(r, "cannot read the processed-ids set: %s", strerror(errno));
        rd_kafka_assign(rk, parts);
        return;
    }
    /* Revoked: what was handled is committed before another member reads
     * these partitions; paused partitions are forgotten with them. */
    rd_kafka_commit(rk, NULL, 0);
    rd_kafka_assign(rk, NULL);
    r->n_waits = 0;
    shop_metric_set(r->waiting, 0);
}

static rd_kafka_t *new_consumer(struct runner *r, char *err, size_t errlen)
{
    const struct shop_runner_config *c = r->cfg;
    const char *const fixed[] = {
        "enable.auto.commit=true", "auto.commit.interval.ms=1000",
        "enable.auto.offset.store=false", "auto.offset.reset=earliest",
        "session.timeout.ms=10000", "heartbeat.interval.ms=1000",
        /* A topic created just before subscribing may be unknown to the
         * broker first asked (Apache Kafka spreads metadata lazily): look
         * again every 5 s rather than every 5 minutes. */
        "topic.metadata.refresh.interval.ms=5000", NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstrap, err, errlen) ||
        rd_kafka_conf_set(conf, "group.id", c->group, err, errlen) ||
        rd_kafka_conf_set(conf, "client.id", c->service, err, errlen) ||
        shop_conf_apply(conf, fixed, err, errlen) || shop_conf_apply(conf, c->consumer_props, err, errlen)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_opaque(conf, r);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, errlen);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

/* The main topics are the services' to create (with their schemas'
 * validation); the runner creates the retry and dead-letter topics. */
static int subscribe(struct runner *r, char *err, size_t errlen)
{
    const struct shop_runner_config *c = r->cfg;
    struct shop_topic_spec specs[MAX_TOPICS * (SHOP_RETRY_MAX_TOPICS + 1)];
    char names[MAX_TOPICS * (SHOP_RETRY_MAX_TOPICS + 1)][SHOP_TOPIC_MAX + 1];
    size_t n = 0;
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(8);
    for (int t = 0; c->topics[t] && t < MAX_TOPICS; t++) {
        rd_kafka_topic_partition_list_add(subs, c->topics[t], RD_KAFKA_PARTITION_UA);
        for (int i = 0; i <= shop_retry_topic_count(&c->plan); i++, n++) {
            if (i < shop_retry_topic_count(&c->plan)) {
                shop_retry_topic(names[n], sizeof names[n], c->topics[t], i);
                rd_kafka_topic_partition_list_add(subs, names[n], RD_KAFKA_PARTITION_UA);
            } else {
                shop_dlt_topic(names[n], sizeof names[n], c->topics[t]);
            }
            specs[n] = (struct shop_topic_spec){names[n], c->partitions, shop_topics_replication(), NULL};
        }
    }
    int rc = shop_topics_ensure(shop_producer_handle(c->producer), specs, n, 10000, err, errlen);
    if (rc == 0) {
        rd_kafka_resp_err_t e = rd_kafka_subscribe(r->rk, subs);
        if (e) {
            snprintf(err, errlen, "subscribe: %s", rd_kafka_err2str(e));
            rc = -1;
        }
    }
    rd_kafka_topic_partition_list_destroy(subs);
    return rc;
}

static void register_metrics(struct runner *r)
{
    struct shop_metrics *m = r->cfg->metrics;
    const char *name = "shop_events_total", *help = "Events the runner finished, by outcome";
    if (!m)
        return;
    r->done = shop_metric_new(m, SHOP_COUNTER, name, help, "outcome=\"done\"");
    r->retried = shop_metric_new(m, SHOP_COUNTER, name, help, "outcome=\"retried\"");
    r->dead = shop_metric_new(m, SHOP_COUNTER, name, help, "outcome=\"dead_lettered\"");
    r->duplicate = shop_metric_new(m, SHOP_COUNTER, name, help, "outcome=\"duplicate\"");
    r->waiting = shop_metric_new(m, SHOP_GAUGE, "shop_retry_partitions_waiting",
                                 "Retry partitions paused until their next event is due", NULL);
}

static void poll_loop(struct runner *r, const volatile sig_atomic_t *stop)
{
    while (!*stop) {
        resume_due(r);
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(r->rk, POLL_MS);
        if (!msg)
            continue;
        if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            handle(r, msg);
        else if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            say(r, "consumer: %s", rd_kafka_message_errstr(msg));
        rd_kafka_message_destroy(msg);
    }
}

int shop_runner_run(const struct shop_runner_config *cfg, const volatile sig_atomic_t *stop)
{
    struct runner r = {.cfg = cfg};
    char err[512];
    register_metrics(&r);
    if (cfg->processed_ids_path && !(r.ids = shop_idem_open(cfg->processed_ids_path))) {
        say(&r, "cannot open %s: %s", cfg->processed_ids_path, strerror(errno));
        return -1;
    }
    if (!(r.rk = new_consumer(&r, err, sizeof err))) {
        say(&r, "consumer: %s", err);
        shop_idem_close(r.ids);
        return -1;
    }
    rd_kafka_poll_set_consumer(r.rk);
    int rc = subscribe(&r, err, sizeof err);
    if (rc != 0)
        say(&r, "%s", err);
    else
        poll_loop(&r, stop);
    /* What was handled is committed before the group is left. */
    rd_kafka_commit(r.rk, NULL, 0);
    rd_kafka_consumer_close(r.rk);
    rd_kafka_destroy(r.rk);
    shop_idem_close(r.ids);
    return rc;
}
