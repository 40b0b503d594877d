#include "shop_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shop_http {
    struct MHD_Daemon *daemon;
    const struct shop_http_route *routes;
    struct shop_metrics *metrics;
};

/* A request's body as it arrives. */
struct body {
    char *data;
    size_t len;
    int too_large;
};

struct shop_http_reply shop_http_printf(int status, const char *fmt, ...)
{
    struct shop_http_reply r = {.status = status};
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&r.body, fmt, ap) < 0)
        r.body = NULL;
    va_end(ap);
    return r;
}

static int prefix_matches(const char *prefix, const char *path)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static struct shop_http_reply route(struct shop_http *h, const char *method, const char *path,
                                    const struct body *b)
{
    if (strcmp(method, "GET") == 0 && strcmp(path, "/metrics") == 0 && h->metrics)
        return (struct shop_http_reply){200, "text/plain; version=0.0.4", shop_metrics_format(h->metrics)};
    for (const struct shop_http_route *r = h->routes; r && r->fn; r++)
        if (strcmp(r->method, method) == 0 && prefix_matches(r->prefix, path))
            return r->fn(r->ctx, method, path, b->data ? b->data : "", b->len);
    return shop_http_printf(404, "{\"error\":\"no route for %s\"}", method);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct shop_http_reply r)
{
    struct MHD_Response *resp =
        r.body ? MHD_create_response_from_buffer(strlen(r.body), r.body, MHD_RESPMEM_MUST_FREE)
               : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", r.content_type ? r.content_type : "application/json");
    /* The console's shop page, served by the broker on another port, reads
     * and drives the services (loopback unless a container publishes it: see shop_http_start). */
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)(r.status ? r.status : 500), resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    struct shop_http *h = cls;
    struct body *b = *state;
    if (!b) {   /* first call: headers only */
        if (!(b = calloc(1, sizeof *b)))
            return MHD_NO;
        *state = b;
        return MHD_YES;
    }
    if (*upload_size) {
        if (b->len + *upload_size > SHOP_HTTP_BODY_MAX) {
            b->too_large = 1;
        } else {
            char *grown = realloc(b->data, b->len + *upload_size + 1);
            if (!grown)
                return MHD_NO;
            memcpy(grown + b->len, upload, *upload_size);
            b->data = grown;
            b->len += *upload_size;
            b->data[b->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (b->too_large)
        return send_reply(conn, shop_http_printf(413, "{\"error\":\"body over %d bytes\"}", SHOP_HTTP_BODY_MAX));
    return send_reply(conn, route(h, method, url, b));
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state,
                    enum MHD_RequestTerminationCode code)
{
    struct body *b = *state;
    if (b) {
        free(b->data);
        free(b);
        *state = NULL;
    }
}

struct shop_http *shop_http_start(const char *address, int port, const struct shop_http_route *routes,
                                  struct shop_metrics *metrics)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, address, &addr.sin_addr) != 1)
        return NULL;
    struct shop_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->routes = routes;
    h->metrics = metrics;
    h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                                 NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!h->daemon) {
        free(h);
        return NULL;
    }
    return h;
}

int shop_http_port(const struct shop_http *h)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : -1;
}

void shop_http_stop(struct shop_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
