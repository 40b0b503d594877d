/* shop-notifications: tells the customer when an order ships or is
 * cancelled (here: a line on stdout and a counter). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "service.h"

struct notifications {
    struct service svc;
    struct shop_metric *shipped, *cancelled;
};

static enum shop_outcome handle(void *ctx, const struct shop_event *ev, char *why, size_t why_len)
{
    struct notifications *n = ctx;
    json_t *st = events_decode(EV_ORDER_STATUS, ev->msg, why, why_len);
    if (!st)
        return SHOP_POISON;
    const char *status = json_string_value(json_object_get(st, "status"));
    const char *id = json_string_value(json_object_get(st, "order_id"));
    if (strcmp(status, "shipped") == 0 || strcmp(status, "cancelled") == 0) {
        printf("notify: order %s %s (%s)\n", id, status, json_string_value(json_object_get(st, "detail")));
        fflush(stdout);
        shop_metric_add(status[0] == 's' ? n->shipped : n->cancelled, 1);
    }
    json_decref(st);
    return SHOP_DONE;
}

int main(void)
{
    static struct notifications n;
    if (service_init(&n.svc, "notifications", 8094) != 0)
        return 1;
    const char *c = "shop_notifications_total", *h = "Notifications sent, by order status";
    n.shipped = shop_metric_new(&n.svc.metrics, SHOP_COUNTER, c, h, "status=\"shipped\"");
    n.cancelled = shop_metric_new(&n.svc.metrics, SHOP_COUNTER, c, h, "status=\"cancelled\"");
    if (service_listen(&n.svc, NULL) != 0)
        return 1;
    const char *const topics[] = {events_topic(EV_ORDER_STATUS), NULL};
    int rc = service_consume(&n.svc, topics, handle, &n);
    service_free(&n.svc);
    return rc == 0 ? 0 : 1;
}
