/* CreateTopics, DeleteTopics, CreatePartitions and DeleteRecords.
 * A single broker: replication factor 1, every replica is this node. */
#include "broker/effective_config.h"
#include "api/handler.h"

/* Replica assignments may only name this broker, once per partition. */
static bool assignment_ok(struct broker *b, const int32_t *ids, int32_t n)
{
    return n == 1 && ids[0] == b->node_id;
}

static int16_t check_replication(struct broker *b, int16_t rf, struct kstr *msg, struct request *req)
{
    if (rf == -1 || rf == 1)
        return 0;
    if (rf <= 0) {
        *msg = req_strf(req, "Replication factor must be larger than 0, or -1 to use the default value.");
        return KERR_INVALID_REPLICATION_FACTOR;
    }
    *msg = req_strf(req, "Unable to replicate the partition %d time(s): The target replication factor of %d cannot be reached because only 1 broker(s) are registered.", rf, rf);
    return KERR_INVALID_REPLICATION_FACTOR;
}

/* CreateTopics v5+ answers with the new topic's configs. */
static void describe_created(struct request *req, const struct topic_config *tc, int32_t partitions,
                             struct CreateTopicsResponse_CreatableTopicResult *out)
{
    struct broker *b = req->broker;
    out->num_partitions = partitions;
    out->replication_factor = 1;
    struct config_entry entries[T__COUNT];
    int n = topic_config_entries(b, tc, entries);
    out->configs_count = n;
    out->configs = REQ_ARRAY(req, CreateTopicsResponse_CreatableTopicConfigs, n);
    for (int i = 0; i < n; i++) {
        struct CreateTopicsResponse_CreatableTopicConfigs *c = &out->configs[i];
        c->name = kstr_c(entries[i].name);
        c->value = entries[i].value ? req_strf(req, "%s", entries[i].value) : KSTR_NULL;   /* tc is freed after */
        c->config_source = entries[i].source;
        c->read_only = entries[i].read_only;
    }
}

static void create_one(struct request *req, struct CreateTopicsRequest_CreatableTopic *in, bool validate_only,
                       struct CreateTopicsResponse_CreatableTopicResult *out)
{
    struct broker *b = req->broker;
    int32_t partitions = in->num_partitions;
    int16_t err = check_replication(b, in->replication_factor, &out->error_message, req);
    if (!err && in->assignments_count > 0) {
        if (partitions != -1 || in->replication_factor != -1) {
            err = KERR_INVALID_REQUEST;
            out->error_message = kstr_c("Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
        }
        for (int32_t i = 0; !err && i < in->assignments_count; i++) {
            struct CreateTopicsRequest_CreatableReplicaAssignment *a = &in->assignments[i];
            if (a->partition_index != i || !assignment_ok(b, a->broker_ids, a->broker_ids_count)) {
                err = KERR_INVALID_REPLICA_ASSIGNMENT;
                out->error_message = req_strf(req, "Replica assignment of partition %d must be [%d]: this is a single broker.",
                                              a->partition_index, b->node_id);
            }
        }
        partitions = in->assignments_count;
    }
    if (partitions == -1)
        partitions = (int32_t)config_int(&b->cfg, P_NUM_PARTITIONS);
    struct topic_config tc = {0};
    for (int32_t i = 0; !err && i < in->configs_count; i++) {
        char e[300] = "null config name";
        char *name = req_cstr(req, in->configs[i].name), *value = req_cstr(req, in->configs[i].value);
        if (!name || !topic_config_check(name, value, e, sizeof(e)) ||
            !topic_config_set(&tc, name, value, e, sizeof(e))) {
            err = KERR_INVALID_CONFIG;
            out->error_message = req_strf(req, "%s", e);
            break;
        }
    }
    if (!err) {
        char e[300] = "";
        struct topic *t = NULL;
        char *name = req_cstr(req, in->name);
        err = (int16_t)topic_create(b, name ? name : "", partitions, &tc, validate_only, &t, e, sizeof(e));
        if (err)
            out->error_message = req_strf(req, "%s", e);
        else if (t)
            out->topic_id = t->id;
    }
    out->error_code = err;
    if (!err && req->api_version >= 5)
        describe_created(req, &tc, partitions, out);
    topic_config_free(&tc);
}

/* As Kafka's controller: at most this many partitions in one request,
 * counted over all its topics, or every topic is a POLICY_VIOLATION. */
#define MAX_PARTITIONS_PER_REQUEST 10000

/* The partitions the request asks for in all, counted as Kafka does. */
static int64_t requested_partitions(struct broker *b, const struct CreateTopicsRequest *m)
{
    int64_t total = 0;
    for (int32_t i = 0; i < m->topics_count; i++) {
        const struct CreateTopicsRequest_CreatableTopic *t = &m->topics[i];
        if (t->assignments_count > 0)
            total += t->assignments_count;
        else if (t->num_partitions == -1)
            total += config_int(&b->cfg, P_NUM_PARTITIONS);
        else if (t->num_partitions > 0)
            total += t->num_partitions;
    }
    return total;
}

void handle_create_topics(struct request *req)
{
    struct CreateTopicsRequest m;
    if (!DECODE(req, CreateTopicsRequest, &m))
        return;
    int64_t requested = requested_partitions(req->broker, &m);
    bool too_many = requested > MAX_PARTITIONS_PER_REQUEST;
    struct CreateTopicsResponse resp;
    CreateTopicsResponse_init(&resp);
    resp.topics_count = m.topics_count;
    resp.topics = REQ_ARRAY(req, CreateTopicsResponse_CreatableTopicResult, m.topics_count);
    for (int32_t i = 0; i < m.topics_count; i++) {
        struct CreateTopicsResponse_CreatableTopicResult *out = &resp.topics[i];
        out->name = m.topics[i].name;
        bool dup = false;
        for (int32_t k = 0; k < m.topics_count; k++)
            dup |= k != i && m.topics[k].name.len == m.topics[i].name.len &&
                   memcmp(m.topics[k].name.p, m.topics[i].name.p, (size_t)MAX(m.topics[i].name.len, 0)) == 0;
        if (dup) {
            out->error_code = KERR_INVALID_REQUEST;
            out->error_message = kstr_c("Create topics request from client contains a duplicate topic.");
            continue;
        }
        if (too_many) {
            out->error_code = KERR_POLICY_VIOLATION;
            /* Kafka's words, then the numbers that make the limit plain. */
            out->error_message = req_strf(req,
                                          "Excessively large number of partitions per request: %lld requested, "
                                          "at most %d in one CreateTopics request (a fixed limit, as Kafka's)",
                                          (long long)requested, MAX_PARTITIONS_PER_REQUEST);
        } else {
            create_one(req, &m.topics[i], m.validate_only, out);
        }
    }
    RESPOND(req, CreateTopicsResponse, &resp);
}

void handle_delete_topics(struct request *req)
{
    struct DeleteTopicsRequest m;
    if (!DECODE(req, DeleteTopicsRequest, &m))
        return;
    struct broker *b = req->broker;
    /* v0-5 name topics; v6 names or ids. */
    bool by_state = req->api_version >= 6;
    int32_t n = by_state ? m.topics_count : m.topic_names_count;
    struct DeleteTopicsResponse resp;
    DeleteTopicsResponse_init(&resp);
    resp.responses_count = n;
    resp.responses = REQ_ARRAY(req, DeleteTopicsResponse_DeletableTopicResult, n);
    for (int32_t i = 0; i < n; i++) {
        struct DeleteTopicsResponse_DeletableTopicResult *out = &resp.responses[i];
        struct kstr name = by_state ? m.topics[i].name : m.topic_names[i];
        struct topic *t;
        if (name.len >= 0) {
            t = topic_find(b, name);
            out->name = name;
            if (!t)
                out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        } else {
            t = topic_find_id(b, &m.topics[i].topic_id);
            out->topic_id = m.topics[i].topic_id;
            if (!t)
                out->error_code = KERR_UNKNOWN_TOPIC_ID;
        }
        if (!t)
            continue;
        if (!config_bool(&b->cfg, P_DELETE_TOPIC_ENABLE)) {
            out->error_code = KERR_TOPIC_DELETION_DISABLED;
            continue;
        }
        out->name = req_strf(req, "%s", t->name);
        out->topic_id = t->id;
        out->error_code = (int16_t)topic_delete(b, t);
    }
    RESPOND(req, DeleteTopicsResponse, &resp);
}

void handle_create_partitions(struct request *req)
{
    struct CreatePartitionsRequest m;
    if (!DECODE(req, CreatePartitionsRequest, &m))
        return;
    struct broker *b = req->broker;
    struct CreatePartitionsResponse resp;
    CreatePartitionsResponse_init(&resp);
    resp.results_count = m.topics_count;
    resp.results = REQ_ARRAY(req, CreatePartitionsResponse_CreatePartitionsTopicResult, m.topics_count);
    for (int32_t i = 0; i < m.topics_count; i++) {
        struct CreatePartitionsRequest_CreatePartitionsTopic *in = &m.topics[i];
        struct CreatePartitionsResponse_CreatePartitionsTopicResult *out = &resp.results[i];
        out->name = in->name;
        struct topic *t = topic_find(b, in->name);
        if (!t) {
            out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
            out->error_message = req_strf(req, "The topic '%.*s' does not exist.", (int)MAX(in->name.len, 0), in->name.p);
            continue;
        }
        if (in->assignments_count >= 0 && in->assignments) {
            if (in->assignments_count != in->count - t->partition_count) {
                out->error_code = KERR_INVALID_REPLICA_ASSIGNMENT;
                out->error_message = req_strf(req, "Increasing the number of partitions by %d but %d assignments provided.",
                                              in->count - t->partition_count, in->assignments_count);
                continue;
            }
            bool ok = true;
            for (int32_t k = 0; k < in->assignments_count; k++)
                ok &= assignment_ok(b, in->assignments[k].broker_ids, in->assignments[k].broker_ids_count);
            if (!ok) {
                out->error_code = KERR_INVALID_REPLICA_ASSIGNMENT;
                out->error_message = req_strf(req, "Every replica must be broker %d: this is a single broker.", b->node_id);
                continue;
            }
        }
        char e[300] = "";
        out->error_code = (int16_t)topic_add_partitions(b, t, in->count, m.validate_only, e, sizeof(e));
        if (out->error_code)
            out->error_message = req_strf(req, "%s", e);
    }
    RESPOND(req, CreatePartitionsResponse, &resp);
}

void handle_delete_records(struct request *req)
{
    struct DeleteRecordsRequest m;
    if (!DECODE(req, DeleteRecordsRequest, &m))
        return;
    struct DeleteRecordsResponse resp;
    DeleteRecordsResponse_init(&resp);
    resp.topics_count = m.topics_count;
    resp.topics = REQ_ARRAY(req, DeleteRecordsResponse_DeleteRecordsTopicResult, m.topics_count);
    for (int32_t i = 0; i < m.topics_count; i++) {
        struct DeleteRecordsResponse_DeleteRecordsTopicResult *tr = &resp.topics[i];
        tr->name = m.topics[i].name;
        tr->partitions_count = m.topics[i].partitions_count;
        tr->partitions = REQ_ARRAY(req, DeleteRecordsResponse_DeleteRecordsPartitionResult, tr->partitions_count);
        struct topic *t = topic_find(req->broker, m.topics[i].name);
        for (int32_t k = 0; k < tr->partitions_count; k++) {
            struct DeleteRecordsRequest_DeleteRecordsPartition *in = &m.topics[i].partitions[k];
            struct DeleteRecordsResponse_DeleteRecordsPartitionResult *out = &tr->partitions[k];
            out->partition_index = in->partition_index;
            out->low_watermark = -1;
            if (!t || in->partition_index < 0 || in->partition_index >= t->partition_count) {
                out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            struct plog *log = t->partitions[in->partition_index]->log;
            /* -1 means "up to the high watermark". */
            int64_t offset = in->offset == -1 ? plog_high_watermark(log) : in->offset;
            if (offset < 0 || offset > plog_high_watermark(log)) {
                out->error_code = KERR_OFFSET_OUT_OF_RANGE;
            } else {
                out->error_code = (int16_t)plog_delete_records(log, offset);
            }
            if (!out->error_code)   /* as Kafka: -1 with an error */
                out->low_watermark = plog_log_start(log);
        }
    }
    RESPOND(req, DeleteRecordsResponse, &resp);
}
