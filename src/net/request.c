#include "net/request.h"
#include "net/conn.h"
#include "protocol/gen/api_keys.h"

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

void response_end(struct request *req)
{
    w_patch_i32(&req->out, 0, (int32_t)(wbuf_size(&req->out) - 4));
    req->state = REQ_DONE;
    req->cancel = NULL;
    if (req->conn)
        conn_request_done(req->conn, req);
}

void request_complete_silently(struct request *req)
{
    req->state = REQ_NO_RESPONSE;
    req->cancel = NULL;
    if (req->conn)
        conn_request_done(req->conn, req);
}
