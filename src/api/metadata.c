/* Metadata: this broker is controller, leader, replica and in-sync
 * replica of everything; topics are auto-created here (and only here)
 * when the request allows it and auto.create.topics.enable is on. */
#include "api/handler.h"

static void fill_topic(struct request *req, struct MetadataResponse_MetadataResponseTopic *out, struct topic *t)
{
    int32_t node = req->broker->node_id;
    out->name = kstr_c(t->name);
    out->topic_id = t->id;
    out->is_internal = t->internal;
    out->partitions_count = t->partition_count;
    out->partitions = REQ_ARRAY(req, MetadataResponse_MetadataResponsePartition, t->partition_count);
    for (int32_t i = 0; i < t->partition_count; i++) {
        struct MetadataResponse_MetadataResponsePartition *p = &out->partitions[i];
        p->partition_index = i;
        p->leader_id = node;
        p->leader_epoch = plog_leader_epoch(t->partitions[i]->log);
        p->replica_nodes_count = p->isr_nodes_count = 1;
        p->replica_nodes = REQ_ALLOC(req, int32_t, 1);
        p->isr_nodes = REQ_ALLOC(req, int32_t, 1);
        p->replica_nodes[0] = p->isr_nodes[0] = node;
        p->offline_replicas_count = 0;
    }
}

struct all_topics {
    struct request *req;
    struct MetadataResponse *resp;
};

static void add_listed_topic(struct topic *t, void *arg)
{
    struct all_topics *a = arg;
    struct MetadataResponse_MetadataResponseTopic *out = &a->resp->topics[a->resp->topics_count++];
    fill_topic(a->req, out, t);
}

void handle_metadata(struct request *req)
{
    struct MetadataRequest m;
    if (!DECODE(req, MetadataRequest, &m))
        return;
    struct broker *b = req->broker;
    struct MetadataResponse resp;
    MetadataResponse_init(&resp);

    const char *host;
    int port;
    req_endpoint(req, &host, &port);
    resp.brokers_count = 1;
    resp.brokers = REQ_ARRAY(req, MetadataResponse_MetadataResponseBroker, 1);
    resp.brokers[0].node_id = b->node_id;
    resp.brokers[0].host = kstr_c(host);
    resp.brokers[0].port = port;
    resp.cluster_id = kstr_c(b->cluster_id);
    resp.controller_id = b->node_id;

    /* v0: an empty list means all topics; v1+: null means all. */
    bool all = m.topics_count < 0 || (req->api_version == 0 && m.topics_count == 0);
    if (all) {
        resp.topics = REQ_ARRAY(req, MetadataResponse_MetadataResponseTopic, topics_count(b));
        struct all_topics a = {req, &resp};
        topics_for_each(b, add_listed_topic, &a);
        RESPOND(req, MetadataResponse, &resp);
        return;
    }
    bool allow_create = req->api_version < 4 || m.allow_auto_topic_creation;
    allow_create = allow_create && config_bool(&b->cfg, P_AUTO_CREATE_TOPICS_ENABLE);
    resp.topics_count = m.topics_count;
    resp.topics = REQ_ARRAY(req, MetadataResponse_MetadataResponseTopic, m.topics_count);
    for (int32_t i = 0; i < m.topics_count; i++) {
        struct MetadataRequest_MetadataRequestTopic *rt = &m.topics[i];
        struct MetadataResponse_MetadataResponseTopic *out = &resp.topics[i];
        out->name = rt->name;
        out->topic_id = rt->topic_id;
        struct topic *t = NULL;
        if (rt->name.len < 0) {
            t = topic_find_id(b, &rt->topic_id);
            if (!t) {
                out->error_code = KERR_UNKNOWN_TOPIC_ID;
                continue;
            }
        } else {
            char err[300];
            if (!topic_name_valid(rt->name, err, sizeof(err))) {
                out->error_code = KERR_INVALID_TOPIC_EXCEPTION;
                continue;
            }
            t = topic_find(b, rt->name);
            if (!t && allow_create) {
                char *name = req_cstr(req, rt->name);
                int rc = topic_create(b, name, (int32_t)config_int(&b->cfg, P_NUM_PARTITIONS), NULL, false, &t,
                                      err, sizeof(err));
                if (rc && rc != KERR_TOPIC_ALREADY_EXISTS) {
                    out->error_code = (int16_t)rc;
                    continue;
                }
                if (!t)
                    t = topic_find(b, rt->name);
            }
            if (!t) {
                out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
        }
        fill_topic(req, out, t);
    }
    RESPOND(req, MetadataResponse, &resp);
}
