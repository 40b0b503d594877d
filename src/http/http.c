/* The HTTP listener: libmicrohttpd threads in front, the loop thread
 * behind (see http.h). A request's life:
 *   MHD thread: access_handler gathers the body, answers health and
 *   assets itself, checks /api calls (a Host of this listener; for
 *   changes also http.admin.enabled, a JSON content type and an Origin
 *   of this listener, else 403), queues the connection's http_job,
 *   suspends the connection and returns: the thread goes on serving
 *   others;
 *   loop thread: on_wake drains the queue, routes (metrics_format or
 *   api_handle) and resumes each job's connection (job_done), unless
 *   the handler parked it (http_job_park) to do so later
 *   (http_job_finish);
 *   MHD thread: called again for the resumed connection, turns the
 *   job's output into the response. */
#include "http/http.h"
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "broker/broker.h"
#include "core/slog.h"
#include "core/util.h"
#include "http/deadline.h"
#include "net/tcp_listen.h"

#define HTTP_MAX_BODY (1 << 20)
#define HTTP_DRAIN_MS 2000   /* at stop, the longest wait for answers still being sent */
/* Slow clients must not take the health probes down: a connection may
 * be idle a few seconds and a request has a few more to arrive whole
 * (deadline.h), one address holds a bounded share, and the total is as
 * high as the fd limit allows. */
#define HTTP_IDLE_TIMEOUT_S 5u
#define HTTP_REQUEST_DEADLINE_S 10u
#define HTTP_PER_ADDRESS_CONNECTIONS 64u
#define HTTP_MIN_CONNECTIONS 256u
#define HTTP_MAX_CONNECTIONS 10000u
#define HTTP_LISTEN_BACKLOG 1024

struct http_server {
    struct broker *b;
    struct MHD_Daemon *daemon;
    int listen_fd;
    int port;
    char host[256];
    atomic_bool ready;
    bool admin;                     /* /api/ calls may change things (http.admin.enabled) */
    const char *admin_off_why;      /* when not: why, naming the property that allows them */
    int wake_fd;
    struct io_watch wake_watch;
    struct history *history;        /* samples for the console's charts */
    struct http_deadlines *deadlines;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct http_job *head, *tail;   /* queued for the loop */
    bool closing;
    int inflight;                   /* requests begun and not yet completed (sent or dropped) */
    struct http_job *parked;        /* loop thread only: waiting to be finished */
};

/* Per-request state, from the first access_handler call to
 * request_completed. The job lives here, not on an MHD thread's stack,
 * because that thread serves other connections while the loop has it. */
struct http_request {
    struct sbuf body;
    bool too_large;
    bool queued;                    /* job handed to the loop; the connection is suspended until done */
    struct http_job job;
};

const char *http_job_arg(const struct http_job *j, const char *name)
{
    for (int i = 0; i < j->nargs; i++)
        if (strcmp(j->arg_name[i], name) == 0)
            return j->arg_value[i] ? j->arg_value[i] : "";
    return NULL;
}

int http_port(const struct broker *b) { return b->http ? b->http->port : 0; }

const char *http_admin_off_reason(const struct broker *b)
{
    return b->http && !b->http->admin ? b->http->admin_off_why : NULL;
}

void http_history_json(struct broker *b, struct sbuf *out) { history_json(b->http ? b->http->history : NULL, out); }

void http_set_ready(struct broker *b, bool ready)
{
    if (b->http)
        atomic_store(&b->http->ready, ready);
}

/* ---- the loop side ---- */

static void route(struct broker *b, struct http_job *j)
{
    if (strcmp(j->path, "/metrics") == 0 && strcmp(j->method, "GET") == 0) {
        j->status = 200;
        j->content_type = "text/plain; version=0.0.4; charset=utf-8";
        metrics_format(b, &j->out);
    } else if (strncmp(j->path, "/api/", 5) == 0) {
        api_handle(b, j);
    } else {
        j->status = 404;
        j->content_type = "text/plain; charset=utf-8";
        sbuf_printf(&j->out, "not found\n");
    }
}

/* The response is complete: hand the job back to its connection. MHD
 * calls access_handler again once resumed, which answers and (after
 * sending) frees the job: no touching it after the resume. */
static void job_resume(struct http_server *s, struct http_job *j)
{
    struct MHD_Connection *c = j->conn;
    pthread_mutex_lock(&s->mu);
    j->done = true;
    pthread_mutex_unlock(&s->mu);
    if (c)                        /* else a job of http_route's caller, who reads done */
        MHD_resume_connection(c); /* safe from any thread; the daemon's ITC wakes its thread */
}

static void job_done(struct http_server *s, struct http_job *j)
{
    s->b->stats.http_requests++;
    log_debug("http", "request", "method=%s path=%s status=%d bytes=%zu us=%lld", j->method, j->path, j->status,
              j->out.len, (long long)(mono_us() - j->start_us));
    job_resume(s, j);
}

void http_job_park(struct broker *b, struct http_job *j, void (*cancel)(struct http_job *j), void *async)
{
    struct http_server *s = b->http;
    j->parked = true;
    j->cancel = cancel;
    j->async = async;
    j->parked_prev = NULL;
    j->parked_next = s->parked;
    if (s->parked)
        s->parked->parked_prev = j;
    s->parked = j;
}

static void unpark(struct http_server *s, struct http_job *j)
{
    if (j->parked_prev)
        j->parked_prev->parked_next = j->parked_next;
    else
        s->parked = j->parked_next;
    if (j->parked_next)
        j->parked_next->parked_prev = j->parked_prev;
    j->parked = false;
    j->cancel = NULL;
}

void http_job_finish(struct broker *b, struct http_job *j)
{
    struct http_server *s = b->http;
    unpark(s, j);
    job_done(s, j);
}

bool http_route(struct broker *b, struct http_job *j)
{
    j->start_us = mono_us();
    route(b, j);
    bool answered = !j->parked;
    if (answered)
        job_done(b->http, j); /* the connection's thread may free j from here on */
    return answered;
}

static void on_wake(struct loop *l, void *arg, uint32_t events)
{
    struct http_server *s = arg;
    uint64_t v;
    while (read(s->wake_fd, &v, sizeof(v)) > 0)
        ;
    pthread_mutex_lock(&s->mu);
    struct http_job *list = s->head;
    s->head = s->tail = NULL;
    pthread_mutex_unlock(&s->mu);
    while (list) {
        struct http_job *j = list;
        list = j->next;
        http_route(s->b, j);
    }
}

/* ---- the libmicrohttpd side ---- */

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned code, const char *type, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct http_job *j = cls;
    if (j->nargs < HTTP_MAX_ARGS) {
        j->arg_name[j->nargs] = key;
        j->arg_value[j->nargs] = value;
        j->nargs++;
    }
    return MHD_YES;
}

/* "host[:port]" (a Host header, or an Origin after "http://") names this
 * listener: its configured host or a loopback name (127.0.0.1,
 * localhost, [::1]), with its port (80 when none is given). Defeats DNS
 * rebinding: a foreign page that rebinds its own name to 127.0.0.1
 * still sends that name. */
static bool authority_ok(const struct http_server *s, const char *a)
{
    if (!a || !a[0])
        return false;
    /* The port follows the last colon, unless that colon is inside an
     * IPv6 literal's brackets. */
    const char *colon = strrchr(a, ':');
    const char *bracket = strrchr(a, ']');
    if (colon && bracket && colon < bracket)
        colon = NULL;
    size_t hl = colon ? (size_t)(colon - a) : strlen(a);
    long port = 80;
    if (colon) {
        char *end;
        port = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end)
            return false;
    }
    if (port != s->port || hl == 0)
        return false;
    static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]"};
    if (strlen(s->host) == hl && strncmp(a, s->host, hl) == 0)
        return true;
    for (size_t i = 0; i < ARRAY_LEN(loopback); i++)
        if (strlen(loopback[i]) == hl && strncasecmp(a, loopback[i], hl) == 0)
            return true;
    /* Bound to every interface: any IP literal of this machine's port
     * (DNS rebinding needs a name, so an address is safe to accept). */
    bool wildcard = !s->host[0] || strcmp(s->host, "0.0.0.0") == 0 || strcmp(s->host, "::") == 0;
    char ip[64];
    if (wildcard && hl < sizeof(ip)) {
        memcpy(ip, a, hl);
        ip[hl] = 0;
        struct in6_addr addr;
        if (inet_pton(AF_INET, ip, &addr) == 1)
            return true;
        if (hl > 2 && ip[0] == '[' && ip[hl - 1] == ']') {
            ip[hl - 1] = 0;
            return inet_pton(AF_INET6, ip + 1, &addr) == 1;
        }
    }
    return false;
}

/* Every /api/ call: the Host names this listener, so a page whose name
 * was rebound to this address cannot read (GET) or change anything. */
static bool host_allowed(const struct http_server *s, struct MHD_Connection *c)
{
    return authority_ok(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"));
}

/* Calls that change anything: JSON only (a form post cannot send it
 * without a CORS preflight) and from a page of this listener. */
static bool mutation_allowed(const struct http_server *s, struct MHD_Connection *c)
{
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!type || strncasecmp(type, "application/json", 16) != 0)
        return false;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (origin)
        return strncmp(origin, "http://", 7) == 0 && authority_ok(s, origin + 7);
    return authority_ok(s, host);
}

static const struct console_asset *find_asset(const char *url)
{
    if (strcmp(url, "/") == 0 || strcmp(url, "/console") == 0 || strcmp(url, "/console/") == 0)
        url = "/index.html";
    else if (strncmp(url, "/console/", 9) == 0)
        url += 8;
    for (size_t i = 0; i < console_asset_count; i++)
        if (strcmp(console_assets[i].path, url) == 0)
            return &console_assets[i];
    return NULL;
}

static const char *asset_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    if (strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    if (strcmp(dot, ".png") == 0)
        return "image/png";
    return "application/octet-stream";
}

/* The loop thread's answer, sent on the connection's thread. */
static enum MHD_Result send_job(struct MHD_Connection *c, struct http_job *j)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(j->out.len, j->out.p ? j->out.p : (void *)"",
                                                             j->out.p ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    j->out = (struct sbuf){0};   /* the response owns the text now */
    MHD_add_response_header(r, "Content-Type", j->content_type ? j->content_type : "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)j->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                      const char *version, const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    struct http_server *s = cls;
    struct http_request *rq = *con_cls;
    if (!rq) {
        rq = xcalloc(1, sizeof(*rq));
        *con_cls = rq;
        pthread_mutex_lock(&s->mu);
        s->inflight++;
        pthread_mutex_unlock(&s->mu);
        return MHD_YES;
    }
    if (rq->queued) {
        /* Called again once the loop resumed the connection. Should MHD
         * call before that, wait on: the loop still has the job. */
        pthread_mutex_lock(&s->mu);
        bool done = rq->job.done;
        if (!done)
            MHD_suspend_connection(c);
        pthread_mutex_unlock(&s->mu);
        return done ? send_job(c, &rq->job) : MHD_YES;
    }
    if (*upload_data_size) {
        if (rq->body.len + *upload_data_size > HTTP_MAX_BODY)
            rq->too_large = true;
        else
            sbuf_add(&rq->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    deadline_clear(s->deadlines, c);   /* the request has arrived whole */
    if (rq->too_large)
        return send_text(c, 413, "application/json", "{\"error\":\"request body too large\"}");

    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (get && strcmp(url, "/health/live") == 0)
        return send_text(c, 200, "application/json", "{\"status\":\"live\"}");
    if (get && strcmp(url, "/health/ready") == 0)
        return atomic_load(&s->ready) ? send_text(c, 200, "application/json", "{\"status\":\"ready\"}")
                                      : send_text(c, 503, "application/json", "{\"status\":\"starting\"}");
    if (get) {
        const struct console_asset *a = find_asset(url);
        if (a) {
            struct MHD_Response *r =
                MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
            MHD_add_response_header(r, "Content-Type", asset_type(a->path));
            MHD_add_response_header(r, "Cache-Control", "no-cache");
            MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
            enum MHD_Result ret = MHD_queue_response(c, 200, r);
            MHD_destroy_response(r);
            return ret;
        }
    }
    bool api = strncmp(url, "/api/", 5) == 0;
    if (!api && strcmp(url, "/metrics") != 0)
        return send_text(c, 404, "text/plain; charset=utf-8", "not found\n");
    /* /metrics stays open to any Host: Prometheus sends whatever name it
     * was given to scrape. (It shows topic and group names and offsets,
     * never message contents.) */
    if (api && !host_allowed(s, c))
        return send_text(c, 403, "application/json",
                         "{\"error\":\"the Host header must name this listener (127.0.0.1, localhost, [::1] or its "
                         "configured host, with its port)\"}");
    if (api && !get && !s->admin) {
        char body[400];
        snprintf(body, sizeof(body), "{\"error\":\"%s\"}", s->admin_off_why);
        return send_text(c, 403, "application/json", body);
    }
    if (api && !get && !mutation_allowed(s, c))
        return send_text(c, 403, "application/json",
                         "{\"error\":\"changes need Content-Type: application/json and an Origin or Host of this "
                         "listener\"}");
    if (!atomic_load(&s->ready))
        return send_text(c, 503, "application/json", "{\"error\":\"starting\"}");

    struct http_job *j = &rq->job;
    *j = (struct http_job){.method = strcmp(method, "HEAD") == 0 ? "GET" : method,
                           .path = url,
                           .body = rq->body.p ? rq->body.p : "",
                           .body_len = rq->body.len,
                           .conn = c};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, j);
    pthread_mutex_lock(&s->mu);
    if (s->closing) {
        pthread_mutex_unlock(&s->mu);
        return send_text(c, 503, "application/json", "{\"error\":\"shutting down\"}");
    }
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    rq->queued = true;
    /* Suspended while the loop cannot take the job yet (it takes the
     * queue under this mutex), so the resume always comes after. */
    MHD_suspend_connection(c);
    pthread_mutex_unlock(&s->mu);
    uint64_t one = 1;
    ssize_t w = write(s->wake_fd, &one, sizeof(one));
    (void)w;   /* EAGAIN: a wake-up is already pending */
    return MHD_YES;
}

static void request_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    struct http_server *s = cls;
    struct http_request *rq = *con_cls;
    deadline_restart(s->deadlines, c);   /* for the next request on this connection */
    if (rq) {
        /* Never while the loop has the job: a suspended connection is
         * not completed, and http_stop resumes them all first. */
        free(rq->body.p);
        free(rq->job.out.p);
        free(rq);
        *con_cls = NULL;
        pthread_mutex_lock(&s->mu);
        s->inflight--;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
    }
}

static int bind_listener(struct http_server *s, const struct endpoint_spec *e, char *err, size_t errlen)
{
    char why[256];
    bool lookup_failed;
    int fd = tcp_listen(e->host, e->port, 0, HTTP_LISTEN_BACKLOG, &s->port, &lookup_failed, why, sizeof(why));
    if (fd < 0 && lookup_failed) {
        snprintf(err, errlen, "http.listeners http://%s:%d: %s", e->host, e->port, why);
        return -1;
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot listen on http.listeners http://%s:%d: %s%s", e->host, e->port, why,
                 errno == EADDRINUSE ? " (another process has the port; set http.listeners)" : "");
        return -1;
    }
    snprintf(s->host, sizeof(s->host), "%s", e->host);
    s->listen_fd = fd;
    return 0;
}

/* Connections the HTTP side may hold: half of the descriptors the Kafka
 * listeners (max.connections) leave (the broker raised the soft fd limit
 * to the hard one at start: fd_limit_check). */
static unsigned connection_limit(const struct broker *b)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return HTTP_MIN_CONNECTIONS;
    int64_t left = (int64_t)(r.rlim_cur > INT32_MAX ? INT32_MAX : r.rlim_cur) - config_int(&b->cfg, P_MAX_CONNECTIONS);
    int64_t n = left / 2;
    if (n < HTTP_MIN_CONNECTIONS)
        return HTTP_MIN_CONNECTIONS;
    return n > HTTP_MAX_CONNECTIONS ? HTTP_MAX_CONNECTIONS : (unsigned)n;
}

/* Changes through the API carry no credentials: allowed by default only
 * when nobody but this machine can reach the listener. */
static void decide_admin(struct http_server *s, const char *setting)
{
    bool loopback = tcp_bound_to_loopback(s->listen_fd);
    s->admin = strcmp(setting, "true") == 0 || (strcmp(setting, "auto") == 0 && loopback);
    if (strcmp(setting, "false") == 0)
        s->admin_off_why = "the HTTP API is read-only: http.admin.enabled=false (set http.admin.enabled=true to "
                           "allow changes)";
    else
        s->admin_off_why = "the HTTP API is read-only because http.listeners binds beyond loopback and changes "
                           "carry no credentials; set http.admin.enabled=true to allow them";
    const char *addr = s->host[0] ? s->host : "0.0.0.0";
    if (!s->admin && !loopback)
        log_warn("http", "read-only API",
                 "addr=%s:%d why=\"http.listeners binds beyond loopback\" allow=\"http.admin.enabled=true\"", addr,
                 s->port);
    else if (s->admin && !loopback)
        log_warn("http", "API changes open beyond loopback",
                 "addr=%s:%d why=\"http.admin.enabled=true: anyone who reaches this address can create and delete "
                 "topics and produce, with no credentials\"",
                 addr, s->port);
}

static struct http_server *server_new(struct broker *b)
{
    struct http_server *s = xcalloc(1, sizeof(*s));
    s->b = b;
    s->listen_fd = -1;
    s->wake_fd = -1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    b->http = s;
    return s;
}

void http_start_detached(struct broker *b)
{
    struct http_server *s = server_new(b);
    s->admin = true;
    s->history = history_start(b);
    atomic_store(&s->ready, true);
}

int http_start(struct broker *b, char *err, size_t errlen)
{
    struct endpoint_spec e[2];
    int n = parse_endpoints(config_str(&b->cfg, P_HTTP_LISTENERS), e, 2, err, errlen);
    if (n < 0)
        return -1;
    if (n == 0)
        return 0;
    struct http_server *s = server_new(b);
    s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->wake_fd < 0 || bind_listener(s, &e[0], err, errlen) != 0) {
        if (s->wake_fd < 0)
            snprintf(err, errlen, "eventfd: %s", strerror(errno));
        http_stop(b);
        return -1;
    }
    decide_admin(s, config_str(&b->cfg, P_HTTP_ADMIN_ENABLED));
    if (loop_watch(b->loop, &s->wake_watch, s->wake_fd, EPOLLIN, on_wake, s) != 0) {
        snprintf(err, errlen, "cannot watch the HTTP wake-up eventfd: %s", strerror(errno));
        http_stop(b);
        return -1;
    }
    s->history = history_start(b);
    /* The threads must not take the broker's signals (SIGTERM is read
     * from a signalfd on the loop thread). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    /* MHD_ALLOW_SUSPEND_RESUME (it implies MHD_USE_ITC, which wakes a
     * thread when the loop resumes one of its connections): an HTTP
     * thread never waits for the loop, so a slow fsync or a busy loop
     * cannot starve /health/live. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    unsigned max_conns = connection_limit(b);
    s->deadlines = deadlines_start(HTTP_REQUEST_DEADLINE_S);
    if (s->deadlines)
        s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, access_handler, s, MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
                                     MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_LIMIT, max_conns,
                                     MHD_OPTION_PER_IP_CONNECTION_LIMIT, HTTP_PER_ADDRESS_CONNECTIONS,
                                     MHD_OPTION_CONNECTION_TIMEOUT, HTTP_IDLE_TIMEOUT_S, MHD_OPTION_NOTIFY_CONNECTION,
                                     deadlines_notify, s->deadlines, MHD_OPTION_NOTIFY_COMPLETED, request_completed,
                                     s, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot start the HTTP server on http://%s:%d", s->host, s->port);
        http_stop(b);
        return -1;
    }
    s->listen_fd = -1;   /* the daemon owns it now: MHD_stop_daemon closes it */
    log_info("http", "listening", "addr=%s:%d console=http://%s:%d/ max_connections=%u per_address=%u",
             s->host[0] ? s->host : "0.0.0.0", s->port,
             s->host[0] && strcmp(s->host, "0.0.0.0") != 0 ? s->host : "127.0.0.1", s->port, max_conns,
             HTTP_PER_ADDRESS_CONNECTIONS);
    return 0;
}

static void answer_503(struct http_server *s, struct http_job *j, const char *error)
{
    j->status = 503;
    j->content_type = "application/json";
    j->out.len = 0;
    sbuf_printf(&j->out, "{\"error\":\"%s\"}", error);
    job_resume(s, j);
}

void http_stop(struct broker *b)
{
    struct http_server *s = b->http;
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->closing = true;   /* no job is queued (nor connection suspended) from now on */
    struct http_job *queued = s->head;
    s->head = s->tail = NULL;
    pthread_mutex_unlock(&s->mu);
    /* Every suspended connection gets its answer and is resumed:
     * MHD_stop_daemon must not find one still suspended. */
    while (queued) {
        struct http_job *j = queued;
        queued = j->next;   /* before the resume, which may free the job */
        answer_503(s, j, "shutting down");
    }
    while (s->parked) {
        struct http_job *j = s->parked;
        if (j->cancel)
            j->cancel(j);
        unpark(s, j);
        answer_503(s, j, "shutting down before the answer was ready");
    }
    pthread_mutex_lock(&s->mu);
    /* Let the answers just given (and those of test messages that the
     * flusher's last round made durable) go out before the daemon closes
     * every connection; new requests are answered 503 meanwhile. */
    struct timespec until = realtime_after_ms(HTTP_DRAIN_MS);
    while (s->daemon && s->inflight > 0)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&s->mu);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    deadlines_free(s->deadlines);
    history_stop(b, s->history);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->wake_fd >= 0) {
        if (s->wake_watch.cb)
            loop_unwatch(b->loop, &s->wake_watch);
        close(s->wake_fd);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
    b->http = NULL;
}
