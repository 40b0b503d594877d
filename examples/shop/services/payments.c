/* shop-payments: charges each PaymentRequested through the gateway
 * (SHOP_GATEWAY, default http://127.0.0.1:8095) and emits PaymentResult
 * (paid or declined) and the order's status. A gateway that is down or
 * slower than the handler's timeout is a failure the runner retries
 * through payments-retry-N; a payload that does not decode is poison. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "gateway_client.h"
#include "service.h"
#include "shop_clock.h"

struct payments {
    struct service svc;
    const char *gateway;
};

static enum shop_outcome emit_result(struct payments *p, const struct shop_event *ev, json_t *req,
                                     const char *status, char *why, size_t why_len)
{
    const char *order_id = json_string_value(json_object_get(req, "order_id"));
    json_int_t placed = json_integer_value(json_object_get(req, "placed_ms"));
    char charge_id[96], type[64];
    snprintf(charge_id, sizeof charge_id, "%s%s", strcmp(status, "paid") == 0 ? "ch-" : "", order_id);
    snprintf(type, sizeof type, "shop.payment.%s", status);
    json_t *res = json_pack("{s:s,s:s,s:s,s:O,s:O,s:I}", "order_id", order_id, "status", status,
                            "charge_id", charge_id, "item", json_object_get(req, "item"),
                            "quantity", json_object_get(req, "quantity"), "placed_ms", placed);
    int rc = events_emit(&p->svc, EV_PAYMENT_RESULT, type, order_id, res, ev->ce.id, why, why_len);
    if (rc == 0)
        rc = events_emit_status(&p->svc, order_id, status, charge_id, placed, ev->ce.id, why, why_len);
    json_decref(res);
    return rc == 0 ? SHOP_DONE : SHOP_RETRY;
}

static enum shop_outcome handle(void *ctx, const struct shop_event *ev, char *why, size_t why_len)
{
    struct payments *p = ctx;
    json_t *req = events_decode(EV_PAYMENT_REQUESTED, ev->msg, why, why_len);
    if (!req)
        return SHOP_POISON;
    const char *order_id = json_string_value(json_object_get(req, "order_id"));
    enum charge_result r = gateway_charge(p->gateway, order_id,
                                          (long)json_integer_value(json_object_get(req, "amount_cents")),
                                          json_string_value(json_object_get(req, "card")),
                                          (long)(ev->deadline_ms - shop_mono_ms()), why, why_len);
    enum shop_outcome out = SHOP_RETRY;
    if (r == CHARGE_PAID)
        out = emit_result(p, ev, req, "paid", why, why_len);
    else if (r == CHARGE_DECLINED)
        out = emit_result(p, ev, req, "declined", why, why_len);
    json_decref(req);
    return out;
}

int main(void)
{
    static struct payments p;
    p.gateway = env_or("SHOP_GATEWAY", "http://127.0.0.1:8095");
    if (service_init(&p.svc, "payments", 8091) != 0 || service_listen(&p.svc, NULL) != 0)
        return 1;
    const char *const topics[] = {events_topic(EV_PAYMENT_REQUESTED), NULL};
    int rc = service_consume(&p.svc, topics, handle, &p);
    service_free(&p.svc);
    return rc == 0 ? 0 : 1;
}
