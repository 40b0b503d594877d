/* OffsetCommit: checks the member and generation (a commit with
 * generation -1 and no member id is a "simple" commit, allowed only for
 * an empty group), writes every partition's offset to the coordinator's
 * log (offsets.c) and answers once the flusher made it durable, as
 * Produce acks=all does. */
#include "api/handler.h"
#include "group/group.h"

#define OFFSET_METADATA_MAX 4096

struct commit_wait {
    struct request *req;
    struct OffsetCommitResponse resp;
    struct offsets_write *w;
    int16_t **slots;
    int nslots;
};

static void commit_done(void *arg, int16_t error)
{
    struct commit_wait *cw = arg;
    cw->w = NULL;
    if (error)
        for (int i = 0; i < cw->nslots; i++)
            *cw->slots[i] = error == KERR_KAFKA_STORAGE_ERROR ? KERR_COORDINATOR_NOT_AVAILABLE : error;
    RESPOND(cw->req, OffsetCommitResponse, &cw->resp);
}

static void commit_cancel(struct request *req)
{
    struct commit_wait *cw = req->async;
    offsets_write_cancel(cw->w);
    cw->w = NULL;
}

static int16_t check_member(struct cgroup *g, const struct OffsetCommitRequest *m, int16_t version)
{
    if (m->group_id.len <= 0)
        return KERR_INVALID_GROUP_ID;
    if (version == 0 || (m->generation_id_or_member_epoch < 0 && m->member_id.len <= 0)) {
        /* Simple commit (no group membership): only for an empty group. */
        if (g && g->state != GROUP_EMPTY && g->state != GROUP_DEAD)
            return g->nmembers ? KERR_UNKNOWN_MEMBER_ID : 0;
        return 0;
    }
    if (!g)   /* as Kafka: from v9 the group's absence is named */
        return version >= 9 ? KERR_GROUP_ID_NOT_FOUND : KERR_ILLEGAL_GENERATION;
    if (g->state == GROUP_DEAD)
        return KERR_COORDINATOR_NOT_AVAILABLE;
    struct member *mem = group_find_member(g, m->member_id);
    if (!mem)
        return group_member_by_instance(g, m->group_instance_id) ? KERR_FENCED_INSTANCE_ID : KERR_UNKNOWN_MEMBER_ID;
    if (mem->instance_id && m->group_instance_id.len >= 0 && !kstr_eq(m->group_instance_id, mem->instance_id))
        return KERR_FENCED_INSTANCE_ID;
    if (m->generation_id_or_member_epoch != g->generation)
        return KERR_ILLEGAL_GENERATION;
    if (g->state == GROUP_COMPLETING_REBALANCE)
        return KERR_REBALANCE_IN_PROGRESS;
    return 0;
}

void handle_offset_commit(struct request *req)
{
    struct OffsetCommitRequest m;
    if (!DECODE(req, OffsetCommitRequest, &m))
        return;
    struct broker *b = req->broker;
    struct commit_wait *cw = REQ_ALLOC(req, struct commit_wait, 1);
    cw->req = req;
    OffsetCommitResponse_init(&cw->resp);
    int total = 0;
    for (int32_t i = 0; i < m.topics_count; i++)
        total += MAX(m.topics[i].partitions_count, 0);
    struct offset_commit_item *items = REQ_ALLOC(req, struct offset_commit_item, total);
    cw->slots = REQ_ALLOC(req, int16_t *, total);
    struct cgroup *g = group_find(b, m.group_id);
    int16_t whole = check_member(g, &m, req->api_version);
    int n = 0;
    cw->resp.topics_count = m.topics_count;
    cw->resp.topics = REQ_ARRAY(req, OffsetCommitResponse_OffsetCommitResponseTopic, m.topics_count);
    for (int32_t i = 0; i < m.topics_count; i++) {
        struct OffsetCommitRequest_OffsetCommitRequestTopic *t = &m.topics[i];
        struct OffsetCommitResponse_OffsetCommitResponseTopic *rt = &cw->resp.topics[i];
        rt->name = t->name;
        rt->partitions_count = t->partitions_count;
        rt->partitions = REQ_ARRAY(req, OffsetCommitResponse_OffsetCommitResponsePartition, t->partitions_count);
        char *topic = req_cstr(req, t->name);
        const struct topic *known = topic_find(b, t->name);   /* Kafka refuses commits for unknown partitions */
        for (int32_t k = 0; k < t->partitions_count; k++) {
            struct OffsetCommitRequest_OffsetCommitRequestPartition *p = &t->partitions[k];
            struct OffsetCommitResponse_OffsetCommitResponsePartition *rp = &rt->partitions[k];
            rp->partition_index = p->partition_index;
            if (whole) {
                rp->error_code = whole;
            } else if (p->committed_metadata.len > OFFSET_METADATA_MAX) {
                rp->error_code = KERR_OFFSET_METADATA_TOO_LARGE;
            } else if (!known || p->partition_index < 0 || p->partition_index >= known->partition_count) {
                rp->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
            } else {
                struct offset_commit_item *it = &items[n];
                it->topic = topic;
                it->partition = p->partition_index;
                it->offset = p->committed_offset;
                it->leader_epoch = req->api_version >= 6 ? p->committed_leader_epoch : -1;
                it->metadata = p->committed_metadata;
                it->error_code = &rp->error_code;
                cw->slots[n++] = &rp->error_code;
            }
        }
    }
    cw->nslots = n;
    if (n == 0) {
        RESPOND(req, OffsetCommitResponse, &cw->resp);
        return;
    }
    if (!g)
        g = group_get_or_create(b, m.group_id);
    int rc = offsets_write(b, g, items, n, false, commit_done, cw, &cw->w);
    if (rc) {
        commit_done(cw, (int16_t)(rc < 0 ? KERR_UNKNOWN_SERVER_ERROR : rc));
        return;
    }
    req->async = cw;
    req->cancel = commit_cancel;
}
