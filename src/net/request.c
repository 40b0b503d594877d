#include "net/request.h"
#include <stdlib.h>
#include "core/slog.h"
#include "net/conn.h"
#include "protocol/gen/api_keys.h"

struct request *request_new(struct conn *c, struct broker *b, uint8_t *block, size_t block_cap, uint8_t *frame,
                            size_t frame_len)
{
    struct request *req = xcalloc(1, sizeof(*req));
    req->conn = c;
    req->broker = b;
    req->frame_block = block;
    req->frame_block_cap = block_cap;
    req->frame = frame;
    req->frame_len = frame_len;
    req->start_us = mono_us();
    arena_init(&req->arena);
    wbuf_init(&req->out);
    return req;
}

void request_free(struct request *req, struct conn *recycle_to)
{
    conn_recycle_block(recycle_to, req->frame_block, req->frame_block_cap);
    arena_free(&req->arena);
    wbuf_free(&req->out);
    free(req);
}

bool response_header_flexible(const struct request *req)
{
    /* ApiVersions always answers with header v0: the client cannot know
     * yet which header versions the broker speaks. */
    return req->flexible && req->api_key != API_ApiVersions;
}

void response_begin(struct request *req)
{
    wbuf_reset(&req->out);
    w_reserve_i32(&req->out);
    w_i32(&req->out, req->correlation_id);
    if (response_header_flexible(req))
        w_empty_tags(&req->out);
}

/* Every request that gets a response (or completes silently) passes
 * here once: the dispatcher above accounts for it. */
static void request_finished(struct request *req)
{
    if (req->conn && req->conn->set->hooks.finished)
        req->conn->set->hooks.finished(req);
}

void response_end(struct request *req)
{
    w_patch_i32(&req->out, 0, (int32_t)(wbuf_size(&req->out) - 4));
    request_finished(req);
    req->state = REQ_DONE;
    req->cancel = NULL;
    if (req->conn)
        conn_request_done(req->conn, req);
}

void request_release_frame(struct request *req)
{
    if (!req->frame_block)
        return;
    if (req->client_id.len > 0)
        req->client_id.p = arena_memdup(&req->arena, req->client_id.p, (size_t)req->client_id.len);
    rbuf_init(&req->body, NULL, 0);
    req->frame = NULL;
    req->frame_len = 0;
    conn_recycle_block(req->conn, req->frame_block, req->frame_block_cap);
    req->frame_block = NULL;
    req->frame_block_cap = 0;
}

void request_complete_silently(struct request *req)
{
    req->state = REQ_NO_RESPONSE;
    request_finished(req);
    req->cancel = NULL;
    if (req->conn)
        conn_request_done(req->conn, req);
}
