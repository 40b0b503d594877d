/* DescribeCluster and DescribeLogDirs. */
#include <sys/statvfs.h>
#include "api/handler.h"

#define ENDPOINT_BROKERS 1

void handle_describe_cluster(struct request *req)
{
    struct DescribeClusterRequest m;
    if (!DECODE(req, DescribeClusterRequest, &m))
        return;
    struct broker *b = req->broker;
    struct DescribeClusterResponse resp;
    DescribeClusterResponse_init(&resp);
    resp.endpoint_type = m.endpoint_type;
    resp.cluster_id = kstr_c(b->cluster_id);
    resp.controller_id = b->node_id;
    if (req->api_version >= 1 && m.endpoint_type != ENDPOINT_BROKERS) {
        /* Controllers are not reachable through a broker listener. */
        resp.error_code = KERR_MISMATCHED_ENDPOINT_TYPE;
        resp.error_message = kstr_c("The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER");
        RESPOND(req, DescribeClusterResponse, &resp);
        return;
    }
    const char *host;
    int port;
    req_endpoint(req, &host, &port);
    resp.brokers_count = 1;
    resp.brokers = REQ_ARRAY(req, DescribeClusterResponse_DescribeClusterBroker, 1);
    resp.brokers[0].broker_id = b->node_id;
    resp.brokers[0].host = kstr_c(host);
    resp.brokers[0].port = port;
    RESPOND(req, DescribeClusterResponse, &resp);
}

struct dir_listing {
    struct request *req;
    struct DescribeLogDirsResponse_DescribeLogDirsResult *dir;
};

static void add_topic_sizes(struct request *req, struct DescribeLogDirsResponse_DescribeLogDirsTopic *out,
                            struct topic *t, const int32_t *only, int32_t nonly)
{
    out->name = kstr_c(t->name);
    int32_t n = only ? nonly : t->partition_count;
    out->partitions = REQ_ARRAY(req, DescribeLogDirsResponse_DescribeLogDirsPartition, n);
    for (int32_t i = 0; i < n; i++) {
        int32_t idx = only ? only[i] : i;
        if (idx < 0 || idx >= t->partition_count)
            continue;   /* Kafka leaves out partitions it does not host */
        struct DescribeLogDirsResponse_DescribeLogDirsPartition *p = &out->partitions[out->partitions_count++];
        p->partition_index = idx;
        p->partition_size = (int64_t)plog_size_bytes(t->partitions[idx]->log);
        p->offset_lag = 0;
        p->is_future_key = false;
    }
}

static void add_every_topic(struct topic *t, void *arg)
{
    struct dir_listing *d = arg;
    struct DescribeLogDirsResponse_DescribeLogDirsTopic *out = &d->dir->topics[d->dir->topics_count++];
    add_topic_sizes(d->req, out, t, NULL, 0);
}

void handle_describe_log_dirs(struct request *req)
{
    struct DescribeLogDirsRequest m;
    if (!DECODE(req, DescribeLogDirsRequest, &m))
        return;
    struct broker *b = req->broker;
    struct DescribeLogDirsResponse resp;
    DescribeLogDirsResponse_init(&resp);
    resp.results_count = 1;
    resp.results = REQ_ARRAY(req, DescribeLogDirsResponse_DescribeLogDirsResult, 1);
    struct DescribeLogDirsResponse_DescribeLogDirsResult *dir = &resp.results[0];
    dir->log_dir = kstr_c(b->data_dir);
    struct statvfs vfs;
    if (statvfs(b->data_dir, &vfs) == 0) {
        dir->total_bytes = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
        dir->usable_bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    } else {
        dir->total_bytes = dir->usable_bytes = -1;
    }
    if (m.topics_count < 0) {
        dir->topics = REQ_ARRAY(req, DescribeLogDirsResponse_DescribeLogDirsTopic, topics_count(b));
        struct dir_listing d = {req, dir};
        topics_for_each(b, add_every_topic, &d);
    } else {
        dir->topics = REQ_ARRAY(req, DescribeLogDirsResponse_DescribeLogDirsTopic, m.topics_count);
        for (int32_t i = 0; i < m.topics_count; i++) {
            struct topic *t = topic_find(b, m.topics[i].topic);
            if (t)
                add_topic_sizes(req, &dir->topics[dir->topics_count++], t, m.topics[i].partitions,
                                m.topics[i].partitions_count);
        }
    }
    RESPOND(req, DescribeLogDirsResponse, &resp);
}
