/* libFuzzer target: request frames through a whole broker, no sockets.
 *
 * Each input is what a client writes on one connection: frames, each
 * after its 4-byte big-endian size, as conn.c reads them. A broker opened
 * for the input in a fresh directory (server.h's broker_open: recovery,
 * flusher, groups, schema service; no listener, no HTTP) takes every
 * frame through the real dispatch (api_dispatch: header, version check,
 * the served API's handler), as many as a pipelining client sends, with a
 * turn of the event loop after each so flushed appends and woken fetches
 * complete. At the end the requests still parked (long polls, rebalances,
 * acks=all) are cancelled as a closing connection cancels them, and the
 * broker is shut down and freed.
 *
 * Checked: no sanitizer report anywhere on the way, and every response a
 * handler completes has a correct size prefix, echoes the correlation id
 * and decodes with the codec's response decoder for its API and version.
 *
 * Build and run: scripts/run-fuzz fuzz_broker. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api/dispatch.h"
#include "broker/broker.h"
#include "core/arena.h"
#include "core/byteorder.h"
#include "core/slog.h"
#include "core/util.h"
#include "net/loop.h"
#include "net/request.h"
#include "protocol/gen/messages_test.h"
#include "protocol/wire.h"
#include "server/server.h"
#include "broker_host.h"

#define MAX_FRAMES 64

/* A completed response: size prefix, correlation id, then a body the
 * codec decodes for the request's API and version. */
static void check_response(struct request *req)
{
    const uint8_t *p = req->out.data;
    size_t len = wbuf_size(&req->out);
    CHECK(req->out.nspl == 0 || req->api_key == 1, "only Fetch responses splice files");
    if (req->out.nspl)
        return; /* Fetch with records: the file parts are not in memory */
    CHECK(len >= 8, "response shorter than its header");
    CHECK((size_t)be32(p) == len - 4, "response size prefix");
    CHECK((int32_t)be32(p + 4) == req->correlation_id, "response correlation id");
    struct rbuf r;
    rbuf_init(&r, p + 8, len - 8);
    if (response_header_flexible(req)) {
        r_skip_tags(&r);
        CHECK(r.err == 0, "response header tags");
    }
    struct arena a;
    arena_init(&a);
    void *m = NULL;
    int rc = kafka_response_decode(req->api_key, &r, req->api_version, &m, &a);
    if (verbose)
        fprintf(stderr, "fuzz_broker: api %d v%d answered, %zu bytes, decode %s\n", req->api_key, req->api_version, len,
                rc == 0 ? "ok" : "failed");
    CHECK(rc == 0, "the response does not decode");
    CHECK(rbuf_left(&r) == 0, "bytes after the response body");
    arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config cfg;
    struct broker *b = host_open(&cfg);
    struct request *reqs[MAX_FRAMES];
    int n = 0;
    while (size >= 4 && n < MAX_FRAMES) {
        int32_t len = (int32_t)be32(data);
        if (len < 0 || (size_t)len > size - 4)
            break; /* a size the connection would refuse or still wait for */
        /* An exact-size block: sanitizers see any read past the frame. */
        uint8_t *block = xmalloc(len ? (size_t)len : 1);
        memcpy(block, data + 4, (size_t)len);
        struct request *req = request_new(NULL, b, block, (size_t)len, block, (size_t)len);
        reqs[n++] = req;
        data += 4 + (size_t)len;
        size -= 4 + (size_t)len;
        int rc = api_dispatch(req);
        if (verbose)
            fprintf(stderr, "fuzz_broker: frame of %d bytes: api %d v%d %s\n", len, req->api_key, req->api_version,
                    rc < 0 ? "refused" : "dispatched");
        host_turn(b);
        if (rc < 0 && req->state != REQ_DONE)
            break; /* the connection closes: no frame after this one is read */
    }
    host_turn(b);
    for (int i = 0; i < n; i++) {
        struct request *req = reqs[i];
        if (req->state == REQ_DONE)
            check_response(req);
        if (req->state != REQ_PENDING)
            api_request_finished(req); /* net/'s finished hook: metrics, slow-request log */
    }
    /* As conn_close does: parked requests let go of partitions and timers. */
    for (int i = 0; i < n; i++)
        if (reqs[i]->state == REQ_PENDING && reqs[i]->cancel) {
            reqs[i]->cancel(reqs[i]);
            reqs[i]->cancel = NULL;
        }
    host_close(b, &cfg);
    for (int i = 0; i < n; i++)
        request_free(reqs[i], NULL);
    return 0;
}
