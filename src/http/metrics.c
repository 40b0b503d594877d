/* GET /metrics: the Prometheus text format (version 0.0.4), formatted on
 * the loop thread from counters bumped where the events happen
 * (broker_stats) and from the topic and group state. Names follow
 * kafka_exporter where it has one (kafka_topic_partition_current_offset,
 * kafka_consumergroup_lag, ...); the rest are sluice_*. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "broker/broker.h"
#include "broker/topics.h"
#include "group/group.h"
#include "http/http.h"
#include "protocol/gen/api_keys.h"
#include "schema/service.h"

static void family(struct sbuf *o, const char *name, const char *type, const char *help)
{
    sbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped. */
static void label_value(struct sbuf *o, const char *v)
{
    for (const char *p = v; *p; p++) {
        if (*p == '\\')
            sbuf_add(o, "\\\\", 2);
        else if (*p == '"')
            sbuf_add(o, "\\\"", 2);
        else if (*p == '\n')
            sbuf_add(o, "\\n", 2);
        else
            sbuf_add(o, p, 1);
    }
}

static const char *api_name(int key)
{
    const struct api_spec *s = api_spec_get((int16_t)key);
    return s && s->name ? s->name : "Unknown";
}

static void histogram(struct sbuf *o, const char *name, const char *labels, const uint64_t *bucket, uint64_t sum_us,
                      uint64_t count)
{
    uint64_t cum = 0;
    for (int i = 0; i < STATS_LAT_BUCKETS; i++) {
        cum += bucket[i];
        sbuf_printf(o, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, labels[0] ? "," : "",
                    (double)stats_lat_bounds_us[i] / 1e6, (unsigned long long)cum);
    }
    cum += bucket[STATS_LAT_BUCKETS];
    sbuf_printf(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, labels[0] ? "," : "", (unsigned long long)cum);
    sbuf_printf(o, "%s_sum%s%s%s %.6f\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
                (double)sum_us / 1e6);
    sbuf_printf(o, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
                (unsigned long long)count);
}

static void counter(struct sbuf *o, const char *name, const char *help, uint64_t v)
{
    family(o, name, "counter", help);
    sbuf_printf(o, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge(struct sbuf *o, const char *name, const char *help, double v)
{
    family(o, name, "gauge", help);
    sbuf_printf(o, "%s %.17g\n", name, v);
}

/* ---- topics: one pass per family, so each family's samples are contiguous ---- */

enum pmetric { PM_PARTITIONS, PM_CURRENT, PM_OLDEST, PM_LEADER, PM_REPLICAS, PM_ISR, PM_SIZE, PM_SEGMENTS };
struct topic_pass {
    struct sbuf *o;
    enum pmetric m;
    const char *name;
    int32_t node_id;
    uint64_t disk_used;
};

static void topic_samples(struct topic *t, void *arg)
{
    struct topic_pass *tp = arg;
    if (tp->m == PM_PARTITIONS) {
        sbuf_printf(tp->o, "%s{topic=\"%s\"} %d\n", tp->name, t->name, t->partition_count);
        return;
    }
    for (int32_t i = 0; i < t->partition_count; i++) {
        struct plog *l = t->partitions[i]->log;
        long long v = 0;
        switch (tp->m) {
        case PM_CURRENT: v = plog_high_watermark(l); break;
        case PM_OLDEST: v = plog_log_start(l); break;
        case PM_LEADER: v = tp->node_id; break;
        case PM_REPLICAS: v = 1; break;
        case PM_ISR: v = 1; break;
        case PM_SIZE: v = (long long)plog_size_bytes(l); break;
        case PM_SEGMENTS: v = plog_segment_count(l); break;
        default: break;
        }
        sbuf_printf(tp->o, "%s{topic=\"%s\",partition=\"%d\"} %lld\n", tp->name, t->name, i, v);
    }
}

static void sum_disk(struct topic *t, void *arg)
{
    uint64_t *sum = arg;
    for (int32_t i = 0; i < t->partition_count; i++)
        *sum += plog_size_bytes(t->partitions[i]->log);
}

static void topic_family(struct broker *b, struct sbuf *o, enum pmetric m, const char *name, const char *type,
                         const char *help)
{
    family(o, name, type, help);
    struct topic_pass tp = {.o = o, .m = m, .name = name, .node_id = b->node_id};
    topics_for_each(b, topic_samples, &tp);
}

/* ---- consumer groups ---- */

static int64_t offset_lag(struct broker *b, const struct committed_offset *co, int64_t *hw_out)
{
    struct topic *t = topic_find(b, kstr_c(co->topic));
    if (!t || co->partition < 0 || co->partition >= t->partition_count)
        return -1;
    int64_t hw = plog_high_watermark(t->partitions[co->partition]->log);
    if (hw_out)
        *hw_out = hw;
    return co->offset >= 0 && hw > co->offset ? hw - co->offset : 0;
}

static void group_labels(struct sbuf *o, const char *name, const struct cgroup *g)
{
    sbuf_printf(o, "%s{consumergroup=\"", name);
    label_value(o, g->id);
    sbuf_add(o, "\"", 1);
}

static void groups_metrics(struct broker *b, struct sbuf *o)
{
    struct cgroup *groups = b->groups ? b->groups->groups : NULL;
    family(o, "kafka_consumergroup_members", "gauge", "Members of the consumer group");
    for (struct cgroup *g = groups; g; g = g->next) {
        group_labels(o, "kafka_consumergroup_members", g);
        sbuf_printf(o, "} %d\n", g->nmembers);
    }
    family(o, "sluice_consumergroup_state", "gauge", "1 for the consumer group's current state");
    for (struct cgroup *g = groups; g; g = g->next) {
        group_labels(o, "sluice_consumergroup_state", g);
        sbuf_printf(o, ",state=\"%s\"} 1\n", group_state_name(g->state));
    }
    family(o, "kafka_consumergroup_current_offset", "gauge", "Committed offset of the group for the partition");
    for (struct cgroup *g = groups; g; g = g->next)
        for (struct committed_offset *co = g->offsets; co; co = co->next) {
            group_labels(o, "kafka_consumergroup_current_offset", g);
            sbuf_printf(o, ",topic=\"%s\",partition=\"%d\"} %lld\n", co->topic, co->partition,
                        (long long)co->offset);
        }
    family(o, "kafka_consumergroup_lag", "gauge", "High watermark minus committed offset");
    for (struct cgroup *g = groups; g; g = g->next)
        for (struct committed_offset *co = g->offsets; co; co = co->next) {
            int64_t lag = offset_lag(b, co, NULL);
            if (lag < 0)
                continue;
            group_labels(o, "kafka_consumergroup_lag", g);
            sbuf_printf(o, ",topic=\"%s\",partition=\"%d\"} %lld\n", co->topic, co->partition, (long long)lag);
        }
    /* Sums per group and topic: each topic is summed at its first offset. */
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass ? "kafka_consumergroup_lag_sum" : "kafka_consumergroup_current_offset_sum";
        family(o, name, "gauge",
               pass ? "Lag of the group summed over the topic's partitions"
                    : "Committed offsets of the group summed over the topic's partitions");
        for (struct cgroup *g = groups; g; g = g->next)
            for (struct committed_offset *co = g->offsets; co; co = co->next) {
                bool seen = false;
                for (struct committed_offset *p = g->offsets; p != co; p = p->next)
                    if (strcmp(p->topic, co->topic) == 0)
                        seen = true;
                if (seen)
                    continue;
                long long sum = 0;
                for (struct committed_offset *q = co; q; q = q->next) {
                    if (strcmp(q->topic, co->topic) != 0)
                        continue;
                    int64_t lag = offset_lag(b, q, NULL);
                    sum += pass ? (lag > 0 ? lag : 0) : q->offset;
                }
                group_labels(o, name, g);
                sbuf_printf(o, ",topic=\"%s\"} %lld\n", co->topic, sum);
            }
    }
}

static void process_memory(uint64_t *rss, uint64_t *vsz)
{
    *rss = *vsz = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return;
    unsigned long long size, res;
    if (fscanf(f, "%llu %llu", &size, &res) == 2) {
        long page = sysconf(_SC_PAGESIZE);
        *vsz = size * (uint64_t)page;
        *rss = res * (uint64_t)page;
    }
    fclose(f);
}

void metrics_format(struct broker *b, struct sbuf *o)
{
    const struct broker_stats *s = &b->stats;
    family(o, "kafka_brokers", "gauge", "Brokers in the cluster");
    sbuf_printf(o, "kafka_brokers 1\n");
    family(o, "sluice_info", "gauge", "Broker identity");
    sbuf_printf(o, "sluice_info{cluster_id=\"%s\",node_id=\"%d\"} 1\n", b->cluster_id, b->node_id);
    gauge(o, "sluice_connections", "Open client connections", b->conns.count);
    counter(o, "sluice_connections_accepted_total", "Client connections accepted", b->conns.counters.accepted);
    counter(o, "sluice_connections_closed_total", "Client connections closed", b->conns.counters.closed);

    family(o, "sluice_requests_total", "counter", "Kafka requests received, by API");
    for (int k = 0; k < STATS_MAX_API; k++)
        if (s->requests[k])
            sbuf_printf(o, "sluice_requests_total{api=\"%s\"} %llu\n", api_name(k),
                        (unsigned long long)s->requests[k]);
    family(o, "sluice_request_errors_total", "counter", "Kafka responses carrying an error code, by API");
    for (int k = 0; k < STATS_MAX_API; k++)
        if (s->requests[k])
            sbuf_printf(o, "sluice_request_errors_total{api=\"%s\"} %llu\n", api_name(k),
                        (unsigned long long)s->request_errors[k]);
    family(o, "sluice_request_duration_seconds", "histogram",
           "Time from a request's arrival to its response being ready, by API");
    for (int k = 0; k < STATS_MAX_API; k++)
        if (s->latency_count[k]) {
            char labels[96];
            snprintf(labels, sizeof(labels), "api=\"%s\"", api_name(k));
            histogram(o, "sluice_request_duration_seconds", labels, s->latency_bucket[k], s->latency_us_sum[k],
                      s->latency_count[k]);
        }
    counter(o, "sluice_slow_requests_total", "Requests slower than sluice.slow.request.ms", s->slow_requests);
    counter(o, "sluice_network_bytes_in_total", "Bytes read from client connections", b->conns.counters.bytes_in);
    counter(o, "sluice_network_bytes_out_total", "Bytes written to client connections", b->conns.counters.bytes_out);
    counter(o, "sluice_produced_records_total", "Records appended by Produce", s->records_produced);
    counter(o, "sluice_produced_batches_total", "Record batches appended by Produce", s->records_produced_batches);
    counter(o, "sluice_produced_bytes_total", "Record batch bytes appended by Produce", s->produce_bytes);
    counter(o, "sluice_fetched_records_total", "Records returned by Fetch", s->records_fetched);
    counter(o, "sluice_fetched_bytes_total", "Record batch bytes returned by Fetch", s->fetch_bytes);
    counter(o, "sluice_corrupt_batches_total", "Produced batches refused as corrupt", s->corrupt_batches);
    counter(o, "sluice_duplicate_batches_total", "Idempotent retries answered with their first offset",
            s->duplicate_batches);
    counter(o, "sluice_frames_too_large_total", "Connections closed for a frame above socket.request.max.bytes",
            b->conns.counters.frames_too_large);
    counter(o, "sluice_fsync_total", "fdatasync calls by the flusher", s->fsyncs);
    counter(o, "sluice_fsync_rounds_total", "Group-commit rounds of the flusher", s->fsync_rounds);
    family(o, "sluice_fsync_duration_seconds", "histogram", "Duration of each fdatasync");
    histogram(o, "sluice_fsync_duration_seconds", "", s->fsync_bucket, s->fsync_us_total, s->fsyncs);
    counter(o, "sluice_http_requests_total", "HTTP requests answered by the loop (metrics and API)",
            s->http_requests);

    uint64_t used = 0;
    topics_for_each(b, sum_disk, &used);
    gauge(o, "sluice_disk_used_bytes", "Bytes of partition logs", (double)used);
    struct statvfs vfs;
    double free_bytes = statvfs(b->data_dir, &vfs) == 0 ? (double)vfs.f_bavail * (double)vfs.f_frsize : 0;
    gauge(o, "sluice_disk_free_bytes", "Free bytes on the log.dirs file system", free_bytes);
    uint64_t rss, vsz;
    process_memory(&rss, &vsz);
    gauge(o, "process_resident_memory_bytes", "Resident memory size in bytes", (double)rss);
    gauge(o, "process_virtual_memory_bytes", "Virtual memory size in bytes", (double)vsz);

    family(o, "sluice_topics", "gauge", "Topics");
    sbuf_printf(o, "sluice_topics %zu\n", topics_count(b));
    topic_family(b, o, PM_PARTITIONS, "kafka_topic_partitions", "gauge", "Partitions of the topic");
    topic_family(b, o, PM_CURRENT, "kafka_topic_partition_current_offset", "gauge",
                 "High watermark (end offset visible to consumers) of the partition");
    topic_family(b, o, PM_OLDEST, "kafka_topic_partition_oldest_offset", "gauge", "Log start offset of the partition");
    topic_family(b, o, PM_LEADER, "kafka_topic_partition_leader", "gauge", "Leader broker id of the partition");
    topic_family(b, o, PM_REPLICAS, "kafka_topic_partition_replicas", "gauge", "Replicas of the partition");
    topic_family(b, o, PM_ISR, "kafka_topic_partition_in_sync_replica", "gauge", "In-sync replicas of the partition");
    topic_family(b, o, PM_SIZE, "sluice_topic_partition_size_bytes", "gauge", "Bytes of the partition's log");
    topic_family(b, o, PM_SEGMENTS, "sluice_topic_partition_segments", "gauge", "Segments of the partition's log");
    groups_metrics(b, o);
    schema_metrics_format(b, o);
}
