/* DescribeTopicPartitions (KIP-966), what kafka-topics --describe asks
 * first: topics by name in name order, their partitions a page at a
 * time (ResponsePartitionLimit, then a cursor to continue from). This
 * broker leads every partition and has no eligible leader replicas. */
#include "api/handler.h"
#include <stdlib.h>
#include <string.h>

#define PARTITION_LIMIT_MAX 2000   /* Kafka's max.request.partition.size.limit default */

struct named {
    struct topic **topics;
    int n;
};

static void collect(struct topic *t, void *arg)
{
    struct named *all = arg;
    all->topics[all->n++] = t;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(struct topic *const *)a)->name, (*(struct topic *const *)b)->name);
}

static int by_kstr(const void *a, const void *b)
{
    const struct kstr *x = a, *y = b;
    int n = memcmp(x->p, y->p, (size_t)MIN(x->len, y->len));
    return n ? n : x->len - y->len;
}

/* Fills out with t's partitions from first on, at most *budget of them. */
static void fill_topic(struct request *req, struct DescribeTopicPartitionsResponse_DescribeTopicPartitionsResponseTopic *out,
                       struct topic *t, int32_t first, int32_t *budget)
{
    int32_t node = req->broker->node_id;
    out->name = kstr_c(t->name);
    out->topic_id = t->id;
    out->is_internal = t->internal;
    int32_t n = MAX(MIN(t->partition_count - first, *budget), 0);
    *budget -= n;
    out->partitions_count = n;
    out->partitions = REQ_ALLOC(req, struct DescribeTopicPartitionsResponse_DescribeTopicPartitionsResponsePartition, n);
    for (int32_t i = 0; i < n; i++) {
        struct DescribeTopicPartitionsResponse_DescribeTopicPartitionsResponsePartition *p = &out->partitions[i];
        DescribeTopicPartitionsResponse_DescribeTopicPartitionsResponsePartition_init(p);
        p->partition_index = first + i;
        p->leader_id = node;
        p->leader_epoch = plog_leader_epoch(t->partitions[first + i]->log);
        p->replica_nodes_count = p->isr_nodes_count = 1;
        p->replica_nodes = REQ_ALLOC(req, int32_t, 1);
        p->isr_nodes = REQ_ALLOC(req, int32_t, 1);
        p->replica_nodes[0] = p->isr_nodes[0] = node;
        p->eligible_leader_replicas_count = p->last_known_elr_count = p->offline_replicas_count = 0;
    }
}

void handle_describe_topic_partitions(struct request *req)
{
    struct DescribeTopicPartitionsRequest m;
    if (!DECODE(req, DescribeTopicPartitionsRequest, &m))
        return;
    struct broker *b = req->broker;
    /* The names asked for (all topics when none), in name order. */
    int32_t n = m.topics_count > 0 ? m.topics_count : (int32_t)topics_count(b);
    struct kstr *names = REQ_ALLOC(req, struct kstr, n);
    if (m.topics_count > 0) {
        for (int32_t i = 0; i < n; i++)
            names[i] = m.topics[i].name.len < 0 ? kstr_c("") : m.topics[i].name;
    } else {
        struct named all = {REQ_ALLOC(req, struct topic *, n), 0};
        topics_for_each(b, collect, &all);
        qsort(all.topics, (size_t)all.n, sizeof(*all.topics), by_name);
        for (int32_t i = 0; i < all.n; i++)
            names[i] = kstr_c(all.topics[i]->name);
        n = all.n;
    }
    qsort(names, (size_t)n, sizeof(*names), by_kstr);

    struct DescribeTopicPartitionsResponse resp;
    DescribeTopicPartitionsResponse_init(&resp);
    resp.topics = REQ_ALLOC(req, struct DescribeTopicPartitionsResponse_DescribeTopicPartitionsResponseTopic, n);
    int32_t budget = m.response_partition_limit > 0 ? MIN(m.response_partition_limit, PARTITION_LIMIT_MAX)
                                                    : PARTITION_LIMIT_MAX;
    for (int32_t i = 0; i < n; i++) {
        if (i > 0 && by_kstr(&names[i], &names[i - 1]) == 0)
            continue;
        int32_t first = 0;
        if (m.cursor_present) {
            int c = by_kstr(&names[i], &m.cursor.topic_name);
            if (c < 0)
                continue;
            if (c == 0)
                first = MAX(m.cursor.partition_index, 0);
        }
        struct topic *t = topic_find(b, names[i]);
        if (t && budget == 0) {   /* the page is full: continue here next time */
            resp.next_cursor_present = true;
            resp.next_cursor.topic_name = names[i];
            resp.next_cursor.partition_index = first;
            break;
        }
        struct DescribeTopicPartitionsResponse_DescribeTopicPartitionsResponseTopic *out = &resp.topics[resp.topics_count++];
        DescribeTopicPartitionsResponse_DescribeTopicPartitionsResponseTopic_init(out);
        if (!t) {
            out->name = names[i];
            out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
            request_note_error(req, out->error_code);
            continue;
        }
        fill_topic(req, out, t, first, &budget);
        if (first + out->partitions_count < t->partition_count) {
            resp.next_cursor_present = true;
            resp.next_cursor.topic_name = names[i];
            resp.next_cursor.partition_index = first + out->partitions_count;
            break;
        }
    }
    RESPOND(req, DescribeTopicPartitionsResponse, &resp);
}
