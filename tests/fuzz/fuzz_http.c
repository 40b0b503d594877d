/* libFuzzer target: HTTP requests to the JSON admin API (/api/..., what
 * the console reads and changes) and /metrics, through a whole broker with
 * no sockets.
 *
 * Each input is requests separated by NUL bytes; a request is a line
 * "METHOD /path?name=value&name2=value2" and then its body, as
 * libmicrohttpd hands them over (path and query already split). A broker
 * opened for the input (broker_host.h) with the HTTP side's loop half
 * alone (http_start_detached) routes each one with http_route, on the
 * loop thread as the listener's jobs are, with a turn of the loop after
 * each so parked answers (a test message waits for its fsync) arrive.
 * Requests still parked at the end get the 503 of a shutdown.
 *
 * Checked: no sanitizer report, every request answered with a status
 * between 200 and 599, and every JSON answer is one JSON value.
 *
 * Build and run: scripts/run-fuzz fuzz_http. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker_host.h"
#include "core/util.h"
#include "http/http.h"

#define MAX_REQUESTS 32

/* A request and the strings its job points into. */
struct fuzz_request {
    struct http_job job;
    char *text; /* the request line, split in place into method, path, query */
    char *body;
};

/* "name=value&..." split in place into the job's arguments, as
 * libmicrohttpd gives them (a name without '=' has a NULL value). */
static void split_query(struct http_job *j, char *q)
{
    while (q && *q && j->nargs < HTTP_MAX_ARGS) {
        char *next = strchr(q, '&');
        if (next)
            *next++ = '\0';
        char *eq = strchr(q, '=');
        if (eq)
            *eq++ = '\0';
        j->arg_name[j->nargs] = q;
        j->arg_value[j->nargs] = eq;
        j->nargs++;
        q = next;
    }
}

static void parse_request(struct fuzz_request *r, const uint8_t *p, size_t len)
{
    const uint8_t *nl = memchr(p, '\n', len);
    size_t line_len = nl ? (size_t)(nl - p) : len;
    r->text = xmalloc(line_len + 1);
    memcpy(r->text, p, line_len);
    r->text[line_len] = '\0';
    size_t body_len = nl ? len - line_len - 1 : 0;
    r->body = xmalloc(body_len + 1);
    memcpy(r->body, nl ? nl + 1 : p, body_len);
    r->body[body_len] = '\0';

    char *path = strchr(r->text, ' ');
    if (path)
        *path++ = '\0';
    else
        path = r->text + line_len; /* "" */
    char *query = strchr(path, '?');
    if (query)
        *query++ = '\0';
    r->job = (struct http_job){.method = r->text, .path = path, .body = r->body, .body_len = body_len};
    split_query(&r->job, query);
}

static void check_answer(const struct http_job *j)
{
    if (verbose)
        fprintf(stderr, "fuzz_http: %s %s -> %d %.200s\n", j->method, j->path, j->status, j->out.p ? j->out.p : "");
    CHECK(j->done, "request never answered");
    CHECK(j->status >= 200 && j->status <= 599, "HTTP status");
    bool json = !j->content_type || strncmp(j->content_type, "application/json", 16) == 0;
    if (json) {
        json_error_t e;
        json_t *v = json_loadb(j->out.p ? j->out.p : "", j->out.len, JSON_DECODE_ANY, &e);
        if (!v)
            fprintf(stderr, "fuzz_http: not JSON (%s): %.*s\n", e.text, (int)j->out.len, j->out.p ? j->out.p : "");
        CHECK(v != NULL, "a JSON answer that does not parse");
        json_decref(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config cfg;
    struct broker *b = host_open(&cfg);
    http_start_detached(b);
    struct fuzz_request reqs[MAX_REQUESTS];
    int n = 0;
    while (size > 0 && n < MAX_REQUESTS) {
        const uint8_t *end = memchr(data, '\0', size);
        size_t len = end ? (size_t)(end - data) : size;
        parse_request(&reqs[n], data, len);
        http_route(b, &reqs[n].job);
        n++;
        host_turn(b);
        data += len + (end ? 1 : 0);
        size -= len + (end ? 1 : 0);
    }
    host_turn(b);
    host_close(b, &cfg); /* http_stop answers what is still parked */
    for (int i = 0; i < n; i++) {
        check_answer(&reqs[i].job);
        free(reqs[i].job.out.p);
        free(reqs[i].text);
        free(reqs[i].body);
    }
    return 0;
}
