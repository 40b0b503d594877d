/* OffsetDelete: removes committed offsets of a group (tombstones in the
 * offsets log). Partitions of a topic the group's members subscribe to
 * answer GROUP_SUBSCRIBED_TO_TOPIC; the subscription is read from the
 * members' "consumer" protocol metadata (ConsumerProtocolSubscription:
 * int16 version, array of topic names, ...). */
#include "api/handler.h"
#include "group/group.h"

static bool subscribed(const struct member *m, const char *protocol, struct kstr topic)
{
    for (int i = 0; i < m->nprotocols; i++) {
        if (!protocol || strcmp(m->protocols[i].name, protocol) != 0)
            continue;
        struct rbuf r;
        rbuf_init(&r, m->protocols[i].metadata, (size_t)m->protocols[i].metadata_len);
        r_i16(&r);
        int32_t n = r_i32(&r);
        for (int32_t k = 0; k < n && !r.err; k++) {
            struct kstr t = r_string(&r, false);
            if (!r.err && t.len == topic.len && memcmp(t.p, topic.p, (size_t)t.len) == 0)
                return true;
        }
    }
    return false;
}

static bool group_subscribed(const struct cgroup *g, struct kstr topic)
{
    if (!g->protocol_type || strcmp(g->protocol_type, "consumer") != 0)
        return false;
    for (const struct member *m = g->members; m; m = m->next)
        if (subscribed(m, g->protocol_name, topic))
            return true;
    return false;
}

void handle_offset_delete(struct request *req)
{
    struct OffsetDeleteRequest m;
    if (!DECODE(req, OffsetDeleteRequest, &m))
        return;
    struct OffsetDeleteResponse resp;
    OffsetDeleteResponse_init(&resp);
    struct cgroup *g = m.group_id.len > 0 ? group_find(req->broker, m.group_id) : NULL;
    if (m.group_id.len <= 0)
        resp.error_code = KERR_INVALID_GROUP_ID;
    else if (!g || g->state == GROUP_DEAD)
        resp.error_code = KERR_GROUP_ID_NOT_FOUND;
    if (resp.error_code) {
        RESPOND(req, OffsetDeleteResponse, &resp);
        return;
    }
    int total = 0;
    for (int32_t i = 0; i < m.topics_count; i++)
        total += MAX(m.topics[i].partitions_count, 0);
    struct offset_commit_item *items = REQ_ALLOC(req, struct offset_commit_item, total);
    int n = 0;
    resp.topics_count = m.topics_count;
    resp.topics = REQ_ARRAY(req, OffsetDeleteResponse_OffsetDeleteResponseTopic, m.topics_count);
    for (int32_t i = 0; i < m.topics_count; i++) {
        struct OffsetDeleteRequest_OffsetDeleteRequestTopic *t = &m.topics[i];
        struct OffsetDeleteResponse_OffsetDeleteResponseTopic *rt = &resp.topics[i];
        rt->name = t->name;
        rt->partitions_count = t->partitions_count;
        rt->partitions = REQ_ARRAY(req, OffsetDeleteResponse_OffsetDeleteResponsePartition, t->partitions_count);
        bool sub = group_subscribed(g, t->name);
        char *topic = req_cstr(req, t->name);
        for (int32_t k = 0; k < t->partitions_count; k++) {
            struct OffsetDeleteResponse_OffsetDeleteResponsePartition *rp = &rt->partitions[k];
            rp->partition_index = t->partitions[k].partition_index;
            if (sub) {
                rp->error_code = KERR_GROUP_SUBSCRIBED_TO_TOPIC;
            } else if (topic && group_offset(g, topic, rp->partition_index)) {
                items[n].topic = topic;
                items[n].partition = rp->partition_index;
                n++;
            }
        }
    }
    if (n > 0) {
        int rc = offsets_write(req->broker, g, items, n, true, NULL, NULL, NULL);
        if (rc)
            resp.error_code = rc > 0 ? (int16_t)rc : KERR_UNKNOWN_SERVER_ERROR;
    }
    RESPOND(req, OffsetDeleteResponse, &resp);
}
