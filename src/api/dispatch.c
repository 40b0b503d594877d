#include "api/dispatch.h"
#include "api/api.h"
#include "broker/broker.h"
#include "core/slog.h"
#include "net/conn.h"
#include "net/request.h"
#include "protocol/gen/api_keys.h"
#include "protocol/request_header.h"

/* Built from the one list of served APIs, which the codec generator reads too. */
const struct api_handler api_handlers[API_TABLE_SIZE] = {
#define SERVED_API(name, min_version_, max_version_, handler, ...) \
    [API_##name] = {.min_version = min_version_, .max_version = max_version_, .handle = handler, __VA_ARGS__},
#include "api/served_apis.def"
#undef SERVED_API
};

/* For logs: a request without a connection (the fuzz targets') is "-". */
static unsigned long long conn_id(const struct request *req) { return req->conn ? req->conn->id : 0ULL; }
static const char *conn_peer(const struct request *req) { return req->conn ? req->conn->peer : "-"; }

int request_parse_header(struct request *req)
{
    struct rbuf r;
    rbuf_init(&r, req->frame, req->frame_len);
    struct request_header hdr;
    int rc = request_header_read(&r, &hdr);
    req->api_key = hdr.api_key;
    req->api_version = hdr.api_version;
    req->correlation_id = hdr.correlation_id;
    req->client_id = hdr.client_id;
    if (rc < 0) {
        log_warn("net", "malformed request header", "conn=%llu peer=%s", conn_id(req), conn_peer(req));
        return -1;
    }
    int16_t key = req->api_key, ver = req->api_version;
    const struct api_handler *h = key >= 0 && key < API_TABLE_SIZE ? &api_handlers[key] : NULL;
    if (key == API_ApiVersions && ver > h->max_version) {
        /* Unknown newer ApiVersions: the header is v2 from v3 on. */
        req->flexible = ver >= 3;
        req->broker->stats.requests[API_ApiVersions]++;   /* answered, so counted like any other */
        api_versions_reject(req);
        return -1;
    }
    if (!h || !h->handle || ver < h->min_version || ver > h->max_version) {
        log_warn("net", "unsupported API or version, closing connection",
                 "conn=%llu peer=%s api_key=%d api_version=%d client_id=\"%.*s\"", conn_id(req), conn_peer(req), key,
                 ver, req->client_id.len > 0 ? (int)req->client_id.len : 0, req->client_id.p ? req->client_id.p : "");
        return -1;
    }
    req->flexible = request_header_flexible(key, ver);
    if (req->flexible && request_header_read_tags(&r) < 0) {
        log_warn("net", "malformed request header", "conn=%llu peer=%s", conn_id(req), conn_peer(req));
        return -1;
    }
    req->body = r;
    return 0;
}

void request_fail(struct request *req, const char *why)
{
    log_warn("net", "malformed request, closing connection",
             "conn=%llu peer=%s api_key=%d api_version=%d reason=\"%s\"", conn_id(req), conn_peer(req), req->api_key,
             req->api_version, why);
    if (req->conn)
        conn_close(req->conn, why);
}

int api_dispatch(struct request *req)
{
    if (request_parse_header(req) < 0)
        return -1;
    struct broker *b = req->broker;
    if (req->api_key < STATS_MAX_API)
        b->stats.requests[req->api_key]++;
    api_handlers[req->api_key].handle(req);
    return 0;
}

void api_request_finished(struct request *req)
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
    /* 0 logs every request, waiting ones too. */
    int64_t slow_ms = config_int(&b->cfg, P_SLOW_REQUEST_MS);
    bool waits = req->api_key < API_TABLE_SIZE && api_handlers[req->api_key].waits;
    if ((!waits || slow_ms == 0) && (int64_t)us >= slow_ms * 1000) {
        s->slow_requests++;
        const struct api_spec *spec = api_spec_get(req->api_key);
        log_warn("net", "slow request", "api=%s api_version=%d client_id=\"%.*s\" conn=%llu peer=%s ms=%.1f error=%d",
                 spec && spec->name ? spec->name : "?", req->api_version,
                 req->client_id.len > 0 ? (int)req->client_id.len : 0, req->client_id.p ? req->client_id.p : "",
                 conn_id(req), conn_peer(req), (double)us / 1000.0, req->error_code);
    }
}
