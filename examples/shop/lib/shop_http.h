/* A service's HTTP listener (libmicrohttpd, its own threads): a table of
 * routes by method and path prefix, and GET /metrics from the service's
 * metrics. Bodies are small JSON documents, read whole before the route
 * runs. Every answer allows any origin (the console's shop page, served
 * by the broker, calls the services); the listener is on loopback only. */
#ifndef SHOP_HTTP_H
#define SHOP_HTTP_H
#include <stddef.h>

#include "shop_metrics.h"

#define SHOP_HTTP_BODY_MAX 65536

struct shop_http_reply {
    int status;
    const char *content_type;   /* static; application/json when NULL */
    char *body;                 /* malloc'd; the server frees it */
};

/* path is the full path (e.g. /orders/abc); body is NUL-terminated. */
typedef struct shop_http_reply (*shop_http_fn)(void *ctx, const char *method, const char *path,
                                               const char *body, size_t body_len);

struct shop_http_route {
    const char *method;
    const char *prefix;   /* matches the path exactly, or up to a '/' after it */
    shop_http_fn fn;
    void *ctx;
};

struct shop_http;

/* Listens on address:port (an IPv4 address: 127.0.0.1, or 0.0.0.0 in a
 * container; port 0: any free port, see shop_http_port); routes
 * (NULL-fn terminated) are kept, not copied. NULL on failure. */
struct shop_http *shop_http_start(const char *address, int port, const struct shop_http_route *routes,
                                  struct shop_metrics *metrics);
int shop_http_port(const struct shop_http *h);
void shop_http_stop(struct shop_http *h);

/* A reply whose body is printf-formatted. */
struct shop_http_reply shop_http_printf(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
