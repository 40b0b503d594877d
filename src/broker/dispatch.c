#include "broker/dispatch.h"
#include "api/api.h"
#include "broker/broker.h"
#include "core/slog.h"
#include "net/conn.h"
#include "net/request.h"
#include "protocol/gen/api_keys.h"

/* Advertised version ranges. Each is the full range of Kafka's message
 * definitions (never a version marked latestVersionUnstable), except:
 *  - Produce v0-2 and Fetch v0-3 carry pre-2017 message formats; they are
 *    advertised, as Kafka 4.0 still does for Produce, because clients
 *    read the ranges as feature flags (librdkafka enables compression
 *    only if Produce v0 is listed), and answered with UNSUPPORTED_VERSION. */
const struct api_handler api_handlers[API_TABLE_SIZE] = {
    [API_Produce] = {0, 11, handle_produce},
    [API_Fetch] = {0, 17, handle_fetch},
    [API_ListOffsets] = {0, 10, handle_list_offsets},
    [API_Metadata] = {0, 12, handle_metadata},
    [API_ApiVersions] = {0, 4, handle_api_versions},
    [API_CreateTopics] = {0, 7, handle_create_topics},
    [API_DeleteTopics] = {0, 6, handle_delete_topics},
    [API_DeleteRecords] = {0, 2, handle_delete_records},
    [API_DescribeConfigs] = {0, 4, handle_describe_configs},
    [API_AlterConfigs] = {0, 2, handle_alter_configs},
    [API_IncrementalAlterConfigs] = {0, 1, handle_incremental_alter_configs},
    [API_CreatePartitions] = {0, 3, handle_create_partitions},
    [API_DescribeCluster] = {0, 1, handle_describe_cluster},
    [API_DescribeLogDirs] = {0, 4, handle_describe_log_dirs},
    [API_FindCoordinator] = {0, 6, handle_find_coordinator},
    [API_InitProducerId] = {0, 5, handle_init_producer_id},
    [API_OffsetCommit] = {0, 9, handle_offset_commit},
    [API_OffsetFetch] = {0, 9, handle_offset_fetch},
    [API_JoinGroup] = {0, 9, handle_join_group},
    [API_Heartbeat] = {0, 4, handle_heartbeat},
    [API_LeaveGroup] = {0, 5, handle_leave_group},
    [API_SyncGroup] = {0, 5, handle_sync_group},
    [API_DescribeGroups] = {0, 5, handle_describe_groups},
    [API_ListGroups] = {0, 5, handle_list_groups},
    [API_DeleteGroups] = {0, 2, handle_delete_groups},
    [API_OffsetDelete] = {0, 0, handle_offset_delete},
    [API_DescribeTopicPartitions] = {0, 0, handle_describe_topic_partitions},
};

static bool is_flexible(int16_t key, int16_t version)
{
    const struct api_spec *s = api_spec_get(key);
    return s && s->flexible_min >= 0 && version >= s->flexible_min;
}

int request_parse_header(struct request *req)
{
    struct rbuf r;
    rbuf_init(&r, req->frame, req->frame_len);
    req->api_key = r_i16(&r);
    req->api_version = r_i16(&r);
    req->correlation_id = r_i32(&r);
    req->client_id = r_string(&r, false);
    if (r.err) {
        log_warn("net", "malformed request header", "conn=%llu peer=%s",
                 (unsigned long long)req->conn->id, req->conn->peer);
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
                 "conn=%llu peer=%s api_key=%d api_version=%d client_id=\"%.*s\"",
                 (unsigned long long)req->conn->id, req->conn->peer, key, ver,
                 req->client_id.len > 0 ? (int)req->client_id.len : 0,
                 req->client_id.p ? req->client_id.p : "");
        return -1;
    }
    req->flexible = is_flexible(key, ver);
    if (req->flexible)
        r_skip_tags(&r);
    if (r.err) {
        log_warn("net", "malformed request header", "conn=%llu peer=%s", (unsigned long long)req->conn->id,
                 req->conn->peer);
        return -1;
    }
    req->body = r;
    return 0;
}

void request_fail(struct request *req, const char *why)
{
    log_warn("net", "malformed request, closing connection",
             "conn=%llu peer=%s api_key=%d api_version=%d reason=\"%s\"",
             req->conn ? (unsigned long long)req->conn->id : 0ULL, req->conn ? req->conn->peer : "-",
             req->api_key, req->api_version, why);
    if (req->conn)
        conn_close(req->conn, why);
}

void dispatch_request(struct request *req)
{
    struct broker *b = req->broker;
    if (req->api_key < STATS_MAX_API)
        b->stats.requests[req->api_key]++;
    api_handlers[req->api_key].handle(req);
}
