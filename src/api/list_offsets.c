/* ListOffsets: earliest (-2), latest (-1, the high watermark), max
 * timestamp (-3) and the first offset at or after a timestamp. */
#include "api/handler.h"

#define TS_LATEST -1
#define TS_EARLIEST -2
#define TS_MAX_TIMESTAMP -3
#define TS_EARLIEST_LOCAL -4
#define TS_LATEST_TIERED -5

static void list_partition(struct request *req, struct topic *t, struct ListOffsetsRequest_ListOffsetsPartition *in,
                           struct ListOffsetsResponse_ListOffsetsPartitionResponse *out)
{
    out->partition_index = in->partition_index;
    out->timestamp = -1;
    out->offset = -1;
    if (!t || in->partition_index < 0 || in->partition_index >= t->partition_count) {
        out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    struct plog *log = t->partitions[in->partition_index]->log;
    int32_t epoch = plog_leader_epoch(log);
    if (in->current_leader_epoch >= 0 && in->current_leader_epoch != epoch) {
        out->error_code = in->current_leader_epoch < epoch ? KERR_FENCED_LEADER_EPOCH : KERR_UNKNOWN_LEADER_EPOCH;
        return;
    }
    int64_t offset = -1, ts = -1;
    switch (in->timestamp) {
    case TS_LATEST:
        offset = plog_high_watermark(log);
        break;
    case TS_EARLIEST:
    case TS_EARLIEST_LOCAL:
        offset = plog_log_start(log);
        break;
    case TS_LATEST_TIERED:
        offset = -1;   /* nothing is tiered */
        break;
    case TS_MAX_TIMESTAMP:
        if (req->api_version < 7) {
            out->error_code = KERR_UNSUPPORTED_VERSION;
            return;
        }
        plog_max_timestamp(log, &offset, &ts);
        break;
    default:
        if (in->timestamp < 0) {
            out->error_code = KERR_INVALID_REQUEST;
            return;
        }
        plog_offset_for_timestamp(log, in->timestamp, &offset, &ts);
        break;
    }
    out->offset = offset;
    out->timestamp = ts;
    out->leader_epoch = offset >= 0 ? epoch : -1;
    if (req->api_version == 0) {
        /* v0 answers a list; only its first entry is used by clients. */
        out->old_style_offsets_count = offset >= 0 ? 1 : 0;
        out->old_style_offsets = REQ_ALLOC(req, int64_t, 1);
        out->old_style_offsets[0] = offset;
    }
}

void handle_list_offsets(struct request *req)
{
    struct ListOffsetsRequest m;
    if (!DECODE(req, ListOffsetsRequest, &m))
        return;
    struct ListOffsetsResponse resp;
    ListOffsetsResponse_init(&resp);
    resp.topics_count = m.topics_count;
    resp.topics = REQ_ARRAY(req, ListOffsetsResponse_ListOffsetsTopicResponse, m.topics_count);
    for (int32_t i = 0; i < m.topics_count; i++) {
        struct ListOffsetsResponse_ListOffsetsTopicResponse *tr = &resp.topics[i];
        tr->name = m.topics[i].name;
        tr->partitions_count = m.topics[i].partitions_count;
        tr->partitions = REQ_ARRAY(req, ListOffsetsResponse_ListOffsetsPartitionResponse, tr->partitions_count);
        struct topic *t = topic_find(req->broker, m.topics[i].name);
        for (int32_t k = 0; k < tr->partitions_count; k++) {
            list_partition(req, t, &m.topics[i].partitions[k], &tr->partitions[k]);
        }
    }
    RESPOND(req, ListOffsetsResponse, &resp);
}
