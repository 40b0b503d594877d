/* The schema registry's REST listener: libmicrohttpd driven from the
 * broker's loop thread (its epoll fd watched by the loop, its timeouts a
 * loop timer), not from threads of its own as src/http does. Registry
 * state belongs to the loop thread, and every request here touches it,
 * so handing each request across threads would buy nothing; a request
 * that waits for a commit suspends its connection and the loop serves
 * others meanwhile. */
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "broker/broker.h"
#include "core/slog.h"
#include "core/util.h"
#include "net/loop.h"
#include "net/tcp_listen.h"
#include "schema/rest.h"

#define REST_MAX_BODY (8 << 20)   /* the largest schema request accepted */
#define REST_CONTENT_TYPE "application/vnd.schemaregistry.v1+json"

struct schema_rest {
    struct schema_service *svc;
    struct MHD_Daemon *daemon;
    int port;
    struct io_watch watch;
    struct timer timer;
    struct rest_request *suspended;
};

const char *rest_arg(const struct rest_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool rest_flag(const struct rest_request *rq, const char *name)
{
    const char *v = rest_arg(rq, name);
    return v && strcasecmp(v, "true") == 0;
}

void rest_reply(struct rest_request *rq, int status, json_t *body)
{
    rq->status = status;
    rq->content_type = REST_CONTENT_TYPE;
    rq->out.len = 0;
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    if (text) {
        sbuf_add(&rq->out, text, strlen(text));
        free(text);
    }
    rq->ready = true;
}

void rest_error(struct rest_request *rq, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* 40401 -> 404, 42201 -> 422, 50001 -> 500; 409 stays 409. */
    int status = code >= 10000 ? code / 100 : code;
    rest_reply(rq, status, json_pack("{s:i,s:s}", "error_code", code, "message", msg));
}

/* ---- waiting for commits ---- */

static void schedule(struct schema_rest *r);

static void unlink_suspended(struct schema_rest *r, struct rest_request *rq)
{
    if (rq->prev)
        rq->prev->next = rq->next;
    else
        r->suspended = rq->next;
    if (rq->next)
        rq->next->prev = rq->prev;
    rq->prev = rq->next = NULL;
}

static void commit_done(void *ctx, enum sr_err e)
{
    struct rest_request *rq = ctx;
    if (e == SR_OK)
        rest_reply(rq, rq->pending_status, rq->pending_answer);
    else {
        json_decref(rq->pending_answer);
        rest_error(rq, SR_STORE_ERROR, "the change could not be stored");
    }
    rq->pending_answer = NULL;
    if (rq->suspended) {
        struct schema_rest *r = rq->svc->rest;
        rq->suspended = false;
        unlink_suspended(r, rq);
        MHD_resume_connection(rq->conn);
        schedule(r);
    }
}

void rest_commit(struct rest_request *rq, struct sr_change *changes, size_t n, int status, json_t *answer)
{
    rq->pending_answer = answer;
    rq->pending_status = status;
    schema_commit(rq->svc, changes, n, commit_done, rq);
}

/* ---- libmicrohttpd ---- */

static enum MHD_Result send_answer(struct rest_request *rq)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(rq->out.len, rq->out.p ? rq->out.p : (char *)"", MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", rq->content_type ? rq->content_type : REST_CONTENT_TYPE);
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)rq->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A body must be sent as one of the types Confluent's registry takes.
 * None of them is a type a web page may send to another origin without
 * asking first (CORS), so a page the user visits cannot register or
 * change schemas here behind their back. */
static bool content_type_ok(struct MHD_Connection *c, const char *method)
{
    if (strcmp(method, "POST") != 0 && strcmp(method, "PUT") != 0)
        return true;
    static const char *const accepted[] = {"application/vnd.schemaregistry.v1+json",
                                           "application/vnd.schemaregistry+json", "application/json",
                                           "application/octet-stream"};
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    for (size_t i = 0; type && i < ARRAY_LEN(accepted); i++)
        if (strncasecmp(type, accepted[i], strlen(accepted[i])) == 0)
            return true;
    return false;
}

/* libmicrohttpd gives the access handler its URL percent-decoded, so a
 * subject named by an import path (shop/address.proto, how Confluent's
 * Protobuf serializers name a reference's subject, sent as
 * shop%2Faddress.proto) would split into two segments. This callback
 * sees the URI as sent, before the access handler: the request starts
 * here with that path, which the router splits before decoding. */
static void *uri_received(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct schema_rest *r = cls;
    struct rest_request *rq = xcalloc(1, sizeof(*rq));
    rq->svc = r->svc;
    rq->path = xstrndup(uri, strcspn(uri, "?"));
    return rq;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                      const char *version, const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    struct schema_rest *r = cls;
    struct rest_request *rq = *con_cls;
    if (!rq)
        return MHD_NO;   /* uri_received starts every request */
    if (!rq->conn) {
        rq->conn = c;
        rq->method = method;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (rq->body.len + *upload_data_size > REST_MAX_BODY)
            rq->too_large = true;
        else
            sbuf_add(&rq->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->ready)
        return send_answer(rq);
    if (rq->suspended)
        return MHD_YES;
    if (rq->too_large)
        rest_error(rq, 413, "request body larger than %d bytes", REST_MAX_BODY);
    else if (!content_type_ok(c, method))
        rest_error(rq, 415, "HTTP 415 Unsupported Media Type: send application/vnd.schemaregistry.v1+json");
    else
        rest_route(rq);
    if (rq->ready)
        return send_answer(rq);
    /* A commit is under way: answer when it is stored. */
    rq->suspended = true;
    rq->next = r->suspended;
    if (r->suspended)
        r->suspended->prev = rq;
    r->suspended = rq;
    MHD_suspend_connection(c);
    return MHD_YES;
}

static void request_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    struct rest_request *rq = *con_cls;
    if (!rq)
        return;
    free(rq->path);
    free(rq->body.p);
    free(rq->out.p);
    json_decref(rq->pending_answer);
    free(rq);
    *con_cls = NULL;
}

/* Runs whatever libmicrohttpd has to do, then arms the timer for its
 * next timeout. */
static void schedule(struct schema_rest *r)
{
    MHD_run(r->daemon);
    MHD_UNSIGNED_LONG_LONG ms;
    struct loop *l = r->svc->b->loop;
    if (MHD_get_timeout(r->daemon, &ms) == MHD_YES)
        loop_timer_at(l, &r->timer, loop_now_ms(l) + (int64_t)MIN(ms, 60000ull));
    else
        loop_timer_cancel(l, &r->timer);
}

static void on_events(struct loop *l, void *arg, uint32_t events) { schedule(arg); }
static void on_timer(struct loop *l, void *arg) { schedule(arg); }

int schema_rest_port(const struct schema_service *svc) { return svc->rest ? svc->rest->port : 0; }

int schema_rest_start(struct schema_service *svc, const char *listeners, char *err, size_t errlen)
{
    struct endpoint_spec e[2];
    int n = parse_endpoints(listeners, e, 2, err, errlen);
    if (n <= 0)
        return n;
    char why[256];
    bool lookup_failed;
    int port;
    /* Non-blocking: an accept() that finds the connection gone must not
     * stall the loop thread. */
    int fd = tcp_listen(e[0].host, e[0].port, SOCK_NONBLOCK, 128, &port, &lookup_failed, why, sizeof(why));
    if (fd < 0) {
        snprintf(err, errlen, "cannot listen on schema.registry.listeners http://%s:%d: %s%s", e[0].host, e[0].port,
                 why, !lookup_failed && errno == EADDRINUSE ? " (another process has the port)" : "");
        return -1;
    }
    struct schema_rest *r = xcalloc(1, sizeof(*r));
    r->svc = svc;
    r->port = port;
    /* No thread: the loop polls MHD's epoll fd and calls MHD_run. */
    r->daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, access_handler, r,
                                 MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 256u,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_NOTIFY_COMPLETED, request_completed,
                                 r, MHD_OPTION_URI_LOG_CALLBACK, uri_received, r, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = r->daemon ? MHD_get_daemon_info(r->daemon, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!info) {
        snprintf(err, errlen, "cannot start the schema registry on http://%s:%d", e[0].host, port);
        if (r->daemon)
            MHD_stop_daemon(r->daemon);
        else
            close(fd);
        free(r);
        return -1;
    }
    if (loop_watch(svc->b->loop, &r->watch, info->epoll_fd, EPOLLIN, on_events, r) != 0) {
        snprintf(err, errlen, "cannot watch the schema registry's connections: %s", strerror(errno));
        MHD_stop_daemon(r->daemon);
        free(r);
        return -1;
    }
    svc->rest = r;
    timer_init(&r->timer, on_timer, r);
    log_info("schema", "listening", "addr=%s:%d", e[0].host[0] ? e[0].host : "0.0.0.0", port);
    return 0;
}

void schema_rest_stop(struct schema_service *svc)
{
    struct schema_rest *r = svc->rest;
    if (!r)
        return;
    /* MHD_stop_daemon must find no connection suspended. */
    while (r->suspended) {
        struct rest_request *rq = r->suspended;
        unlink_suspended(r, rq);
        rq->suspended = false;
        json_decref(rq->pending_answer);
        rq->pending_answer = NULL;
        rest_error(rq, SR_STORE_ERROR, "shutting down before the change was stored");
        MHD_resume_connection(rq->conn);
    }
    MHD_run(r->daemon);
    loop_unwatch(svc->b->loop, &r->watch);
    loop_timer_cancel(svc->b->loop, &r->timer);
    MHD_stop_daemon(r->daemon);
    free(r);
    svc->rest = NULL;
}
