/* OffsetFetch: committed offsets (with leader epoch and metadata) of one
 * group (v0-7) or several (v8+); a null topic list means every committed
 * partition of the group. A partition without a commit gets offset -1. */
#include "api/handler.h"
#include <stdlib.h>
#include "group/group.h"

struct fetched {
    struct kstr topic;
    int32_t partition;
    int64_t offset;
    int32_t epoch;
    struct kstr metadata;
};

/* The requested (or, for a null list, all) partitions of one group. */
static int collect(struct request *req, struct cgroup *g, int32_t ntopics, const struct kstr *names,
                   int32_t *const *parts, const int32_t *nparts, struct fetched **out)
{
    int n = 0;
    if (ntopics < 0) {
        for (struct committed_offset *o = g ? g->offsets : NULL; o; o = o->next)
            n++;
        *out = REQ_ALLOC(req, struct fetched, n);
        int i = 0;
        for (struct committed_offset *o = g ? g->offsets : NULL; o; o = o->next, i++)
            (*out)[i] = (struct fetched){req_strf(req, "%s", o->topic), o->partition, o->offset, o->leader_epoch,
                                         o->metadata ? req_strf(req, "%s", o->metadata) : kstr_c("")};
        return n;
    }
    for (int32_t t = 0; t < ntopics; t++)
        n += MAX(nparts[t], 0);
    *out = REQ_ALLOC(req, struct fetched, n);
    int i = 0;
    for (int32_t t = 0; t < ntopics; t++) {
        char *topic = req_cstr(req, names[t]);
        for (int32_t k = 0; k < nparts[t]; k++, i++) {
            struct committed_offset *o = g && topic ? group_offset(g, topic, parts[t][k]) : NULL;
            (*out)[i] = o ? (struct fetched){names[t], o->partition, o->offset, o->leader_epoch,
                                             o->metadata ? req_strf(req, "%s", o->metadata) : kstr_c("")}
                          : (struct fetched){names[t], parts[t][k], -1, -1, kstr_c("")};
        }
    }
    return n;
}

/* Groups consecutive entries of the same topic. */
static int count_topics(const struct fetched *f, int n)
{
    int t = 0;
    for (int i = 0; i < n; i++)
        if (i == 0 || f[i].topic.len != f[i - 1].topic.len || memcmp(f[i].topic.p, f[i - 1].topic.p, (size_t)f[i].topic.len))
            t++;
    return t;
}

static bool same_topic(const struct fetched *a, const struct fetched *b)
{
    return a->topic.len == b->topic.len && memcmp(a->topic.p, b->topic.p, (size_t)a->topic.len) == 0;
}

static int by_topic(const void *x, const void *y)
{
    const struct fetched *a = x, *b = y;
    int32_t n = MIN(a->topic.len, b->topic.len);
    int c = memcmp(a->topic.p, b->topic.p, (size_t)n);
    if (c)
        return c;
    if (a->topic.len != b->topic.len)
        return a->topic.len < b->topic.len ? -1 : 1;
    return a->partition < b->partition ? -1 : a->partition > b->partition;
}

static int16_t group_error(struct request *req, struct kstr id)
{
    if (id.len <= 0)
        return KERR_INVALID_GROUP_ID;
    return 0;
}

/* v0-7 and v8+ carry the same fields under different generated type
 * names, so these macros, written once, serve both: COLLECT_REQUESTED
 * reads the request's topics into the sorted fetched entries F (N of
 * them) of group G, FILL_TOPICS fills the response's TOPICS (COUNT of
 * them) from them, and ANSWER_GROUP does both for the group named ID. */
#define COLLECT_REQUESTED(req, g, topics, nt, f, n)                          \
    do {                                                                     \
        struct kstr *names_ = REQ_ALLOC(req, struct kstr, nt);               \
        int32_t **parts_ = REQ_ALLOC(req, int32_t *, nt);                    \
        int32_t *nparts_ = REQ_ALLOC(req, int32_t, nt);                      \
        for (int32_t i_ = 0; i_ < (nt); i_++) {                              \
            names_[i_] = (topics)[i_].name;                                  \
            parts_[i_] = (topics)[i_].partition_indexes;                     \
            nparts_[i_] = (topics)[i_].partition_indexes_count;              \
        }                                                                    \
        (n) = collect(req, g, nt, names_, parts_, nparts_, &(f));            \
        if ((nt) < 0)                                                        \
            qsort(f, (size_t)(n), sizeof(*(f)), by_topic);                   \
    } while (0)

#define FILL_TOPICS(req, f, n, topics, count, topic_type, partition_type)    \
    do {                                                                     \
        (count) = count_topics(f, n);                                        \
        (topics) = REQ_ARRAY(req, topic_type, count);                        \
        int t_ = -1;                                                         \
        for (int i_ = 0; i_ < (n); i_++) {                                   \
            if (i_ == 0 || !same_topic(&(f)[i_], &(f)[i_ - 1])) {            \
                t_++;                                                        \
                int k_ = i_;                                                 \
                while (k_ < (n) && same_topic(&(f)[k_], &(f)[i_]))           \
                    k_++;                                                    \
                (topics)[t_].name = (f)[i_].topic;                           \
                (topics)[t_].partitions = REQ_ARRAY(req, partition_type, k_ - i_); \
            }                                                                \
            int32_t p_ = (topics)[t_].partitions_count++;                    \
            (topics)[t_].partitions[p_].partition_index = (f)[i_].partition; \
            (topics)[t_].partitions[p_].committed_offset = (f)[i_].offset;   \
            (topics)[t_].partitions[p_].committed_leader_epoch = (f)[i_].epoch; \
            (topics)[t_].partitions[p_].metadata = (f)[i_].metadata;         \
        }                                                                    \
    } while (0)

#define ANSWER_GROUP(req, id, in_topics, in_count, topics, count, topic_type, partition_type) \
    do {                                                                     \
        struct cgroup *g_ = group_find((req)->broker, id);                   \
        struct fetched *f_ = NULL;                                           \
        int n_;                                                              \
        COLLECT_REQUESTED(req, g_, in_topics, in_count, f_, n_);             \
        FILL_TOPICS(req, f_, n_, topics, count, topic_type, partition_type); \
    } while (0)

static void fetch_v0_7(struct request *req, struct OffsetFetchRequest *m, struct OffsetFetchResponse *resp)
{
    resp->error_code = group_error(req, m->group_id);
    if (resp->error_code)
        return;
    ANSWER_GROUP(req, m->group_id, m->topics, m->topics_count, resp->topics, resp->topics_count,
                 OffsetFetchResponse_OffsetFetchResponseTopic, OffsetFetchResponse_OffsetFetchResponsePartition);
}

static void fetch_group_v8(struct request *req, struct OffsetFetchRequest_OffsetFetchRequestGroup *in,
                           struct OffsetFetchResponse_OffsetFetchResponseGroup *out)
{
    out->group_id = in->group_id;
    out->error_code = group_error(req, in->group_id);
    if (out->error_code)
        return;
    ANSWER_GROUP(req, in->group_id, in->topics, in->topics_count, out->topics, out->topics_count,
                 OffsetFetchResponse_OffsetFetchResponseTopics, OffsetFetchResponse_OffsetFetchResponsePartitions);
}

void handle_offset_fetch(struct request *req)
{
    struct OffsetFetchRequest m;
    if (!DECODE(req, OffsetFetchRequest, &m))
        return;
    struct OffsetFetchResponse resp;
    OffsetFetchResponse_init(&resp);
    if (req->api_version < 8) {
        fetch_v0_7(req, &m, &resp);
    } else {
        resp.groups_count = m.groups_count;
        resp.groups = REQ_ARRAY(req, OffsetFetchResponse_OffsetFetchResponseGroup, m.groups_count);
        for (int32_t i = 0; i < m.groups_count; i++)
            fetch_group_v8(req, &m.groups[i], &resp.groups[i]);
    }
    RESPOND(req, OffsetFetchResponse, &resp);
}
