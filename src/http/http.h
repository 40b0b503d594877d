/* The HTTP side: one listener (http.listeners) served by libmicrohttpd
 * for /metrics, /health/live, /health/ready, the JSON admin API under
 * /api/ and the web console.
 *
 * Threads: libmicrohttpd runs its own small thread pool. Those threads
 * never touch broker state: static assets and the health probes are
 * answered there (readiness is an atomic flag); everything else becomes
 * an http_job queued for the loop thread, woken through an eventfd of
 * its own, which builds the whole response and hands it back. Neither
 * waits for the other: the HTTP thread suspends the connection and
 * serves others until the loop resumes it (libmicrohttpd's
 * suspend/resume), and the Kafka loop never blocks on HTTP. A handler
 * may park its job instead and answer later, still on the loop thread
 * (a test message is answered once fsynced, as Produce acks=all is).
 * @locality: http_start/http_stop/http_set_ready on the loop thread. */
#ifndef SLUICE_HTTP_H
#define SLUICE_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/sbuf.h"

struct broker;
struct http_server;
struct MHD_Connection;


#define HTTP_MAX_ARGS 16
/* One request handed to the loop thread, and its response. */
struct http_job {
    struct http_job *next;
    const char *method;              /* GET, POST, DELETE */
    const char *path;                /* without the query */
    const char *arg_name[HTTP_MAX_ARGS], *arg_value[HTTP_MAX_ARGS];
    int nargs;
    const char *body;                /* NUL-terminated */
    size_t body_len;
    /* response, filled on the loop thread */
    int status;
    const char *content_type;
    struct sbuf out;
    bool done;                       /* under the server's mutex: the HTTP thread may answer */
    struct MHD_Connection *conn;     /* suspended until done */
    /* loop thread only */
    int64_t start_us;
    bool parked;
    struct http_job *parked_prev, *parked_next;
    void (*cancel)(struct http_job *j);
    void *async;                     /* the parking handler's state */
};
const char *http_job_arg(const struct http_job *j, const char *name);   /* NULL if absent */

/* On the loop thread, from a handler: the response comes later, from
 * http_job_finish. If the server stops first, cancel is called (it must
 * let go of whatever would have finished the job) and the job is
 * answered 503. */
void http_job_park(struct broker *b, struct http_job *j, void (*cancel)(struct http_job *j), void *async);
/* On the loop thread: a parked job's response is filled in; send it. */
void http_job_finish(struct broker *b, struct http_job *j);

/* Binds the listener of http.listeners (nothing if empty) and starts
 * serving: health answers at once, the rest waits for http_set_ready.
 * Returns 0, or -1 with err (a port in use names the address). */
int http_start(struct broker *b, char *err, size_t errlen);
void http_set_ready(struct broker *b, bool ready);
/* The loop side alone, with no listener nor threads, for jobs handed to
 * http_route by its caller (tests/fuzz/fuzz_http.c); the API may change
 * things, as with http.admin.enabled=true. http_stop ends it. */
void http_start_detached(struct broker *b);
/* On the loop thread: routes one request (metrics or the JSON API) as
 * the listener does. Returns true when answered now, false when parked:
 * http_job_finish, or http_stop's 503, answers it later (j->done). */
bool http_route(struct broker *b, struct http_job *j);
/* Answers queued jobs with 503 and stops the threads. */
void http_stop(struct broker *b);
int http_port(const struct broker *b);   /* bound port, 0 if off */
/* NULL when the API may change things, else why not (naming the
 * property that allows it: http.admin.enabled). */
const char *http_admin_off_reason(const struct broker *b);

/* The recent past for the console's charts (history.c), on the loop thread. */
struct history;
struct history *history_start(struct broker *b);
void history_stop(struct broker *b, struct history *h);
void history_json(struct history *h, struct sbuf *out);
void http_history_json(struct broker *b, struct sbuf *out);

/* Loop-thread handlers (metrics.c, admin_api.c). */
void metrics_format(struct broker *b, struct sbuf *out);
void api_handle(struct broker *b, struct http_job *j);

/* Embedded console assets (generated from console/ by the Makefile). */
struct console_asset {
    const char *path;                /* "/index.html" */
    const unsigned char *data;
    size_t len;
};
extern const struct console_asset console_assets[];
extern const size_t console_asset_count;
#endif
