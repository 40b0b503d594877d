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

static void fetch_v0_7(struct request *req, struct OffsetFetchRequest *m, struct OffsetFetchResponse *resp)
{
    struct cgroup *g = group_find(req->broker, m->group_id);
    int16_t err = group_error(req, m->group_id);
    int32_t nt = m->topics_count;
    struct kstr *names = REQ_ALLOC(req, struct kstr, nt);
    int32_t **parts = REQ_ALLOC(req, int32_t *, nt);
    int32_t *nparts = REQ_ALLOC(req, int32_t, nt);
    for (int32_t i = 0; i < nt; i++) {
        names[i] = m->topics[i].name;
        parts[i] = m->topics[i].partition_indexes;
        nparts[i] = m->topics[i].partition_indexes_count;
    }
    struct fetched *f = NULL;
    int n = err ? 0 : collect(req, g, nt, names, parts, nparts, &f);
    if (nt < 0)
        qsort(f, (size_t)n, sizeof(*f), by_topic);
    resp->error_code = err;
    resp->topics_count = count_topics(f, n);
    resp->topics = REQ_ARRAY(req, OffsetFetchResponse_OffsetFetchResponseTopic, resp->topics_count);
    int t = -1;
    for (int i = 0; i < n; i++) {
        if (i == 0 || !same_topic(&f[i], &f[i - 1])) {
            t++;
            int k = i;
            while (k < n && same_topic(&f[k], &f[i]))
                k++;
            resp->topics[t].name = f[i].topic;
            resp->topics[t].partitions =
                REQ_ARRAY(req, OffsetFetchResponse_OffsetFetchResponsePartition, k - i);
        }
        struct OffsetFetchResponse_OffsetFetchResponseTopic *rt = &resp->topics[t];
        struct OffsetFetchResponse_OffsetFetchResponsePartition *p = &rt->partitions[rt->partitions_count++];
        p->partition_index = f[i].partition;
        p->committed_offset = f[i].offset;
        p->committed_leader_epoch = f[i].epoch;
        p->metadata = f[i].metadata;
    }
}

static void fetch_group_v8(struct request *req, struct OffsetFetchRequest_OffsetFetchRequestGroup *in,
                           struct OffsetFetchResponse_OffsetFetchResponseGroup *out)
{
    out->group_id = in->group_id;
    out->error_code = group_error(req, in->group_id);
    if (out->error_code)
        return;
    struct cgroup *g = group_find(req->broker, in->group_id);
    int32_t nt = in->topics_count;
    struct kstr *names = REQ_ALLOC(req, struct kstr, nt);
    int32_t **parts = REQ_ALLOC(req, int32_t *, nt);
    int32_t *nparts = REQ_ALLOC(req, int32_t, nt);
    for (int32_t i = 0; i < nt; i++) {
        names[i] = in->topics[i].name;
        parts[i] = in->topics[i].partition_indexes;
        nparts[i] = in->topics[i].partition_indexes_count;
    }
    struct fetched *f = NULL;
    int n = collect(req, g, nt, names, parts, nparts, &f);
    if (nt < 0)
        qsort(f, (size_t)n, sizeof(*f), by_topic);
    out->topics_count = count_topics(f, n);
    out->topics = REQ_ARRAY(req, OffsetFetchResponse_OffsetFetchResponseTopics, out->topics_count);
    int t = -1;
    for (int i = 0; i < n; i++) {
        if (i == 0 || !same_topic(&f[i], &f[i - 1])) {
            t++;
            int k = i;
            while (k < n && same_topic(&f[k], &f[i]))
                k++;
            out->topics[t].name = f[i].topic;
            out->topics[t].partitions =
                REQ_ARRAY(req, OffsetFetchResponse_OffsetFetchResponsePartitions, k - i);
        }
        struct OffsetFetchResponse_OffsetFetchResponseTopics *rt = &out->topics[t];
        struct OffsetFetchResponse_OffsetFetchResponsePartitions *p = &rt->partitions[rt->partitions_count++];
        p->partition_index = f[i].partition;
        p->committed_offset = f[i].offset;
        p->committed_leader_epoch = f[i].epoch;
        p->metadata = f[i].metadata;
    }
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
