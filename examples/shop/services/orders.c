/* shop-orders: the HTTP API. POST /orders {"customer","item","quantity",
 * "amount_cents","card"} places an order: it answers 201 {"id"} once the
 * OrderPlaced event is acknowledged (503 if the broker did not take it),
 * whatever the state of payments. GET /orders/{id} shows the order's state
 * from the events read back; GET /orders the counts and the end-to-end
 * latency. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "order_view.h"
#include "service.h"
#include "shop_ce.h"
#include "shop_clock.h"
#include "shop_replay.h"

static struct service svc;
static struct order_view *view;
static struct shop_metric *placed, *refused;

static struct shop_http_reply reply_json(int status, json_t *doc)
{
    struct shop_http_reply r = {.status = status, .body = json_dumps(doc, JSON_COMPACT)};
    json_decref(doc);
    return r;
}

static struct shop_http_reply place(void *ctx, const char *method, const char *path, const char *body, size_t len)
{
    json_t *req = json_loadb(body, len, 0, NULL);
    json_t *qty = json_object_get(req, "quantity"), *amount = json_object_get(req, "amount_cents");
    const char *customer = json_string_value(json_object_get(req, "customer"));
    const char *item = json_string_value(json_object_get(req, "item"));
    const char *card = json_string_value(json_object_get(req, "card"));
    if (strcmp(path, "/orders") != 0 || !customer || !item || !card || !json_is_integer(qty) ||
        json_integer_value(qty) <= 0 || !json_is_integer(amount)) {
        json_decref(req);
        return shop_http_printf(400, "{\"error\":\"customer, item, card (strings), quantity > 0 and "
                                     "amount_cents (integers) are required\"}");
    }
    char id[SHOP_CE_ID_LEN + 1], err[512];
    shop_ce_new_id(id);
    json_t *ev = json_pack("{s:s,s:s,s:s,s:O,s:O,s:s,s:I}", "order_id", id, "customer", customer, "item", item,
                           "quantity", qty, "amount_cents", amount, "card", card, "placed_ms",
                           (json_int_t)shop_wall_ms());
    int rc = events_emit(&svc, EV_ORDER_PLACED, "shop.order.placed", id, ev, NULL, err, sizeof err);
    json_decref(ev);
    json_decref(req);
    if (rc != 0) {
        shop_metric_add(refused, 1);
        json_t *e = json_pack("{s:s}", "error", err);
        return reply_json(503, e);
    }
    shop_metric_add(placed, 1);
    return shop_http_printf(201, "{\"id\":\"%s\"}", id);
}

static struct shop_http_reply look_up(void *ctx, const char *method, const char *path, const char *body, size_t len)
{
    if (strcmp(path, "/orders") == 0 || strcmp(path, "/orders/") == 0)
        return reply_json(200, order_view_summary(view));
    json_t *o = order_view_get(view, path + strlen("/orders/"));
    return o ? reply_json(200, o) : shop_http_printf(404, "{\"error\":\"no such order (yet)\"}");
}

/* POST /dead-letters/replay {"topic","partition","offset"}: the console's
 * replay button (shop_replay_at). */
static struct shop_http_reply replay(void *ctx, const char *method, const char *path, const char *body, size_t len)
{
    json_t *req = json_loadb(body, len, 0, NULL);
    const char *topic = json_string_value(json_object_get(req, "topic"));
    json_t *partition = json_object_get(req, "partition"), *offset = json_object_get(req, "offset");
    char to[256], err[512];
    struct shop_http_reply r;
    if (!topic || !json_is_integer(partition) || !json_is_integer(offset))
        r = shop_http_printf(400, "{\"error\":\"topic (string), partition and offset (integers) are required\"}");
    else if (shop_replay_at(svc.producer, svc.bootstrap, topic, (int32_t)json_integer_value(partition),
                            json_integer_value(offset), to, sizeof to, err, sizeof err) != 0)
        r = reply_json(502, json_pack("{s:s}", "error", err));
    else
        r = reply_json(200, json_pack("{s:s}", "replayed_to", to));
    json_decref(req);
    return r;
}

int main(void)
{
    if (service_init(&svc, "orders", 8090) != 0)
        return 1;
    const char *c = "shop_orders_total", *h = "Orders asked for, by answer";
    placed = shop_metric_new(&svc.metrics, SHOP_COUNTER, c, h, "answer=\"placed\"");
    refused = shop_metric_new(&svc.metrics, SHOP_COUNTER, c, h, "answer=\"refused\"");
    if (!(view = order_view_start(&svc)))
        return 1;
    static const struct shop_http_route routes[] = {
        {"POST", "/orders", place, NULL},
        {"GET", "/orders", look_up, NULL},
        {"POST", "/dead-letters/replay", replay, NULL},
        {NULL, NULL, NULL, NULL},
    };
    if (service_listen(&svc, routes) != 0)
        return 1;
    while (!service_stopping) {
        struct timespec tick = {0, 100 * 1000000L};
        nanosleep(&tick, NULL);
    }
    order_view_stop(view);
    service_free(&svc);
    return 0;
}
