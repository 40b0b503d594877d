#include "order_view.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "service.h"
#include "shop_ce.h"
#include "shop_producer.h"

struct order_view {
    struct service *svc;
    rd_kafka_t *rk;
    pthread_t thread;
    volatile int stop;
    pthread_mutex_t lock;
    json_t *orders;   /* id -> {state, placed_ms, events:{ce_id:status}, copies, latency_ms} */
};

/* Later states win: an event that arrives late does not move an order back. */
static int rank(const char *state)
{
    static const char *const order[] = {"placed", "reserved", "paid", "declined", "shipped", "cancelled"};
    static const int ranks[] = {0, 1, 2, 2, 3, 3};
    for (size_t i = 0; i < sizeof ranks / sizeof ranks[0]; i++)
        if (strcmp(order[i], state) == 0)
            return ranks[i];
    return -1;
}

static json_t *order_entry(struct order_view *v, const char *id)
{
    json_t *o = json_object_get(v->orders, id);
    if (!o) {
        o = json_pack("{s:s,s:I,s:{},s:i}", "state", "placed", "placed_ms", (json_int_t)0, "events", "copies", 0);
        json_object_set_new(v->orders, id, o);
    }
    return o;
}

static void apply(struct order_view *v, const char *ce_id, const char *id, const char *status,
                  json_int_t placed_ms, json_int_t at_ms)
{
    pthread_mutex_lock(&v->lock);
    json_t *o = order_entry(v, id);
    json_t *events = json_object_get(o, "events");
    json_object_set_new(o, "copies", json_integer(json_integer_value(json_object_get(o, "copies")) + 1));
    if (!json_object_get(events, ce_id)) {
        json_object_set_new(events, ce_id, json_string(status));
        if (rank(status) >= rank(json_string_value(json_object_get(o, "state"))))
            json_object_set_new(o, "state", json_string(status));
        if (placed_ms)
            json_object_set_new(o, "placed_ms", json_integer(placed_ms));
        if (strcmp(status, "shipped") == 0)
            json_object_set_new(o, "latency_ms", json_integer(at_ms - placed_ms));
    }
    pthread_mutex_unlock(&v->lock);
}

static void consume_one(struct order_view *v, rd_kafka_message_t *m)
{
    char err[256];
    struct shop_ce ce;
    rd_kafka_headers_t *hdrs = NULL;
    rd_kafka_message_headers(m, &hdrs);
    if (shop_ce_read_headers(hdrs, &ce) != 0)
        return;
    int placed = strcmp(rd_kafka_topic_name(m->rkt), events_topic(EV_ORDER_PLACED)) == 0;
    json_t *e = events_decode(placed ? EV_ORDER_PLACED : EV_ORDER_STATUS, m, err, sizeof err);
    if (!e)
        return;   /* poison is the consuming services' business, not the view's */
    apply(v, ce.id, json_string_value(json_object_get(e, "order_id")),
          placed ? "placed" : json_string_value(json_object_get(e, "status")),
          json_integer_value(json_object_get(e, "placed_ms")), json_integer_value(json_object_get(e, "at_ms")));
    json_decref(e);
}

static void *run(void *arg)
{
    struct order_view *v = arg;
    while (!v->stop) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(v->rk, 100);
        if (!m)
            continue;
        if (!m->err)
            consume_one(v, m);
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

struct order_view *order_view_start(struct service *svc)
{
    char err[512], group[128];
    snprintf(group, sizeof group, "orders-view-%d-%ld", (int)getpid(), (long)time(NULL));
    const char *const props[] = {"enable.auto.commit=false", "auto.offset.reset=earliest",
                                 "topic.metadata.refresh.interval.ms=5000", NULL};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", svc->bootstrap, err, sizeof err) ||
        rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) ||
        shop_conf_apply(conf, props, err, sizeof err)) {
        fprintf(stderr, "orders: view: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    struct order_view *v = calloc(1, sizeof *v);
    v->svc = svc;
    v->orders = json_object();
    pthread_mutex_init(&v->lock, NULL);
    if (!(v->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err))) {
        fprintf(stderr, "orders: view: %s\n", err);
        rd_kafka_conf_destroy(conf);
        json_decref(v->orders);
        free(v);
        return NULL;
    }
    rd_kafka_poll_set_consumer(v->rk);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(subs, events_topic(EV_ORDER_PLACED), RD_KAFKA_PARTITION_UA);
    rd_kafka_topic_partition_list_add(subs, events_topic(EV_ORDER_STATUS), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(v->rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    pthread_create(&v->thread, NULL, run, v);
    return v;
}

void order_view_stop(struct order_view *v)
{
    if (!v)
        return;
    v->stop = 1;
    pthread_join(v->thread, NULL);
    rd_kafka_consumer_close(v->rk);
    rd_kafka_destroy(v->rk);
    json_decref(v->orders);
    free(v);
}

json_t *order_view_get(struct order_view *v, const char *id)
{
    pthread_mutex_lock(&v->lock);
    json_t *o = json_object_get(v->orders, id);
    json_t *out = NULL;
    if (o) {
        json_t *statuses = json_object();
        const char *ce_id;
        json_t *st;
        json_object_foreach(json_object_get(o, "events"), ce_id, st) {
            const char *s = json_string_value(st);
            json_object_set_new(statuses, s, json_integer(json_integer_value(json_object_get(statuses, s)) + 1));
        }
        out = json_pack("{s:s,s:O,s:O,s:o,s:O}", "id", id, "state", json_object_get(o, "state"),
                        "placed_ms", json_object_get(o, "placed_ms"), "statuses", statuses,
                        "copies", json_object_get(o, "copies"));
        if (json_object_get(o, "latency_ms"))
            json_object_set(out, "latency_ms", json_object_get(o, "latency_ms"));
    }
    pthread_mutex_unlock(&v->lock);
    return out;
}

static int by_value(const void *a, const void *b)
{
    json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;
    return (x > y) - (x < y);
}

static json_int_t percentile(const json_int_t *sorted, size_t n, int p)
{
    if (n == 0)
        return 0;
    size_t i = (n * (size_t)p + 99) / 100;   /* nearest rank */
    return sorted[i ? i - 1 : 0];
}

json_t *order_view_summary(struct order_view *v)
{
    pthread_mutex_lock(&v->lock);
    size_t n = json_object_size(v->orders), k = 0;
    json_int_t *lat = calloc(n ? n : 1, sizeof *lat);
    json_t *states = json_object();
    const char *id;
    json_t *o;
    json_object_foreach(v->orders, id, o) {
        const char *s = json_string_value(json_object_get(o, "state"));
        json_object_set_new(states, s, json_integer(json_integer_value(json_object_get(states, s)) + 1));
        if (json_object_get(o, "latency_ms"))
            lat[k++] = json_integer_value(json_object_get(o, "latency_ms"));
    }
    pthread_mutex_unlock(&v->lock);
    qsort(lat, k, sizeof *lat, by_value);
    json_t *out = json_pack("{s:I,s:o,s:{s:I,s:I,s:I,s:I}}", "orders", (json_int_t)n, "states", states,
                            "latency_ms", "p50", percentile(lat, k, 50), "p99", percentile(lat, k, 99),
                            "max", k ? lat[k - 1] : 0, "count", (json_int_t)k);
    free(lat);
    return out;
}
