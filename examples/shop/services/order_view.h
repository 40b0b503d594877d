/* The orders service's read side: every instance reads `orders` and
 * `order-status` from the start (a group of its own, never committed) and
 * keeps each order's state, the distinct status events it saw (by event
 * id, with how many copies arrived) and, once shipped, its end-to-end
 * latency (placed -> shipped). */
#ifndef SHOP_ORDER_VIEW_H
#define SHOP_ORDER_VIEW_H
#include <jansson.h>
#include <signal.h>

struct service;
struct order_view;

struct order_view *order_view_start(struct service *svc);
void order_view_stop(struct order_view *v);

/* {"id","state","placed_ms","statuses":{status:n},"copies":n,"latency_ms"}
 * or NULL if the order is unknown; the caller decrefs. */
json_t *order_view_get(struct order_view *v, const char *id);

/* {"orders":n,"states":{state:n},"latency_ms":{"p50","p99","max","count"}} */
json_t *order_view_summary(struct order_view *v);

#endif
