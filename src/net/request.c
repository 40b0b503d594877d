#include "net/request.h"
#include "broker/broker.h"
#include "core/slog.h"
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

/* Per-API latency and errors, and the slow-request log: every request
 * that gets a response (or completes silently) passes here once. */
static void request_account(struct request *req)
{
    struct broker *b = req->broker;
    if (!b || req->api_key < 0 || req->api_key >= STATS_MAX_API)
        return;
    struct broker_stats *s = &b->stats;
    uint64_t us = req->start_us ? (uint64_t)(mono_us() - req->start_us) : 0;
    int i = 0;
    while (i < STATS_LAT_BUCKETS && us > stats_lat_bounds_us[i])
        i++;
    s->latency_bucket[req->api_key][i]++;
    s->latency_us_sum[req->api_key] += us;
    s->latency_count[req->api_key]++;
    if (req->error_code)
        s->request_errors[req->api_key]++;
    /* Fetch, JoinGroup and SyncGroup wait on purpose (long poll,
     * rebalance): only counted in the histograms. 0 logs every request. */
    int64_t slow_ms = config_int(&b->cfg, P_SLOW_REQUEST_MS);
    bool waits = req->api_key == API_Fetch || req->api_key == API_JoinGroup || req->api_key == API_SyncGroup;
    if ((!waits || slow_ms == 0) && (int64_t)us >= slow_ms * 1000) {
        s->slow_requests++;
        const struct api_spec *spec = api_spec_get(req->api_key);
        log_warn("net", "slow request", "api=%s api_version=%d client_id=\"%.*s\" conn=%llu peer=%s ms=%.1f error=%d",
                 spec && spec->name ? spec->name : "?", req->api_version,
                 req->client_id.len > 0 ? (int)req->client_id.len : 0, req->client_id.p ? req->client_id.p : "",
                 req->conn ? (unsigned long long)req->conn->id : 0ULL, req->conn ? req->conn->peer : "-",
                 (double)us / 1000.0, req->error_code);
    }
}

void response_end(struct request *req)
{
    w_patch_i32(&req->out, 0, (int32_t)(wbuf_size(&req->out) - 4));
    request_account(req);
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
    request_account(req);
    req->cancel = NULL;
    if (req->conn)
        conn_request_done(req->conn, req);
}
