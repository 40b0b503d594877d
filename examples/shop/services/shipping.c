/* shop-shipping: ships each ShipmentRequested and says so (status shipped). */
#include <jansson.h>

#include "events.h"
#include "service.h"

static enum shop_outcome handle(void *ctx, const struct shop_event *ev, char *why, size_t why_len)
{
    struct service *svc = ctx;
    json_t *req = events_decode(EV_SHIPMENT_REQUESTED, ev->msg, why, why_len);
    if (!req)
        return SHOP_POISON;
    int rc = events_emit_status(svc, json_string_value(json_object_get(req, "order_id")), "shipped",
                                json_string_value(json_object_get(req, "item")),
                                json_integer_value(json_object_get(req, "placed_ms")), ev->ce.id, why, why_len);
    json_decref(req);
    return rc == 0 ? SHOP_DONE : SHOP_RETRY;
}

int main(void)
{
    static struct service svc;
    if (service_init(&svc, "shipping", 8093) != 0 || service_listen(&svc, NULL) != 0)
        return 1;
    const char *const topics[] = {events_topic(EV_SHIPMENT_REQUESTED), NULL};
    int rc = service_consume(&svc, topics, handle, &svc);
    service_free(&svc);
    return rc == 0 ? 0 : 1;
}
