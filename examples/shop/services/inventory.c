/* shop-inventory: reserves stock for each OrderPlaced and asks payments to
 * charge (PaymentRequested); on PaymentResult it hands a paid order to
 * shipping (ShipmentRequested) or, when the card was declined, releases
 * the reservation and cancels the order: the saga's compensating step.
 * The items travel in the events, so any instance can compensate; the
 * stock counts themselves are per process (SHOP_STOCK units of each item
 * at start), which is enough for the shop's demonstration. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "service.h"

struct inventory {
    struct service svc;
    pthread_mutex_t lock;
    json_t *stock;   /* item -> units left */
    long initial;
    struct shop_metric *reserved, *released, *out_of_stock;
};

/* Takes quantity units of item; 0 if there were not enough. */
static int take(struct inventory *inv, const char *item, json_int_t quantity)
{
    pthread_mutex_lock(&inv->lock);
    json_t *left = json_object_get(inv->stock, item);
    json_int_t units = left ? json_integer_value(left) : inv->initial;
    int ok = quantity > 0 && units >= quantity;
    if (ok)
        json_object_set_new(inv->stock, item, json_integer(units - quantity));
    pthread_mutex_unlock(&inv->lock);
    return ok;
}

static void give_back(struct inventory *inv, const char *item, json_int_t quantity)
{
    pthread_mutex_lock(&inv->lock);
    json_t *left = json_object_get(inv->stock, item);
    json_int_t units = left ? json_integer_value(left) : inv->initial;
    json_object_set_new(inv->stock, item, json_integer(units + quantity));
    pthread_mutex_unlock(&inv->lock);
}

static enum shop_outcome on_order(struct inventory *inv, const struct shop_event *ev, json_t *o,
                                  char *why, size_t why_len)
{
    const char *id = json_string_value(json_object_get(o, "order_id"));
    const char *item = json_string_value(json_object_get(o, "item"));
    json_int_t qty = json_integer_value(json_object_get(o, "quantity"));
    json_int_t placed = json_integer_value(json_object_get(o, "placed_ms"));
    if (!take(inv, item, qty)) {
        shop_metric_add(inv->out_of_stock, 1);
        return events_emit_status(&inv->svc, id, "cancelled", "out of stock", placed, ev->ce.id, why, why_len)
                   ? SHOP_RETRY : SHOP_DONE;
    }
    json_t *req = json_pack("{s:s,s:s,s:I,s:O,s:O,s:I}", "order_id", id, "item", item, "quantity", qty,
                            "amount_cents", json_object_get(o, "amount_cents"), "card",
                            json_object_get(o, "card"), "placed_ms", placed);
    int rc = events_emit_status(&inv->svc, id, "reserved", item, placed, ev->ce.id, why, why_len);
    if (rc == 0)
        rc = events_emit(&inv->svc, EV_PAYMENT_REQUESTED, "shop.payment.requested", id, req, ev->ce.id, why, why_len);
    json_decref(req);
    if (rc != 0) {
        give_back(inv, item, qty);   /* the event comes back through a retry topic */
        return SHOP_RETRY;
    }
    shop_metric_add(inv->reserved, 1);
    return SHOP_DONE;
}

static enum shop_outcome on_payment(struct inventory *inv, const struct shop_event *ev, json_t *r,
                                    char *why, size_t why_len)
{
    const char *id = json_string_value(json_object_get(r, "order_id"));
    const char *status = json_string_value(json_object_get(r, "status"));
    const char *item = json_string_value(json_object_get(r, "item"));
    json_int_t qty = json_integer_value(json_object_get(r, "quantity"));
    json_int_t placed = json_integer_value(json_object_get(r, "placed_ms"));
    if (strcmp(status, "paid") == 0) {
        json_t *req = json_pack("{s:s,s:s,s:I,s:I}", "order_id", id, "item", item, "quantity", qty,
                                "placed_ms", placed);
        int rc = events_emit(&inv->svc, EV_SHIPMENT_REQUESTED, "shop.shipment.requested", id, req, ev->ce.id,
                             why, why_len);
        json_decref(req);
        return rc == 0 ? SHOP_DONE : SHOP_RETRY;
    }
    /* Declined for good: compensate. The status goes out first, then the
     * stock comes back: a retry after a failed emit releases nothing twice. */
    if (events_emit_status(&inv->svc, id, "cancelled", "payment declined; reservation released", placed,
                           ev->ce.id, why, why_len) != 0)
        return SHOP_RETRY;
    give_back(inv, item, qty);
    shop_metric_add(inv->released, 1);
    return SHOP_DONE;
}

static enum shop_outcome handle(void *ctx, const struct shop_event *ev, char *why, size_t why_len)
{
    struct inventory *inv = ctx;
    int is_order = strcmp(ev->main_topic, events_topic(EV_ORDER_PLACED)) == 0;
    json_t *obj = events_decode(is_order ? EV_ORDER_PLACED : EV_PAYMENT_RESULT, ev->msg, why, why_len);
    if (!obj)
        return SHOP_POISON;
    enum shop_outcome out = is_order ? on_order(inv, ev, obj, why, why_len) : on_payment(inv, ev, obj, why, why_len);
    json_decref(obj);
    return out;
}

int main(void)
{
    static struct inventory inv = {.lock = PTHREAD_MUTEX_INITIALIZER};
    inv.stock = json_object();
    inv.initial = env_int("SHOP_STOCK", 1000000);
    if (service_init(&inv.svc, "inventory", 8092) != 0)
        return 1;
    const char *c = "shop_reservations_total", *h = "Reservations by what became of them";
    inv.reserved = shop_metric_new(&inv.svc.metrics, SHOP_COUNTER, c, h, "outcome=\"reserved\"");
    inv.released = shop_metric_new(&inv.svc.metrics, SHOP_COUNTER, c, h, "outcome=\"released\"");
    inv.out_of_stock = shop_metric_new(&inv.svc.metrics, SHOP_COUNTER, c, h, "outcome=\"out_of_stock\"");
    if (service_listen(&inv.svc, NULL) != 0)
        return 1;
    const char *const topics[] = {events_topic(EV_ORDER_PLACED), events_topic(EV_PAYMENT_RESULT), NULL};
    int rc = service_consume(&inv.svc, topics, handle, &inv);
    service_free(&inv.svc);
    json_decref(inv.stock);
    return rc == 0 ? 0 : 1;
}
