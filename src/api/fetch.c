/* Fetch: stored batches go out as they are, spliced from the segment
 * file into the socket (sendfile). A fetch with less than min_bytes
 * available parks until an append moves a high watermark it watches
 * (woken once per loop iteration, not by polling) or max_wait_ms ends.
 * No fetch sessions: session id 0 tells clients to send full requests.
 * Fetch v0-3 get the batches down-converted to message sets (legacy.h). */
#include "api/handler.h"
#include <stdlib.h>
#include <unistd.h>
#include "core/fileref.h"
#include "log/legacy.h"

struct fetch_state {
    struct request *req;
    struct broker *broker;
    struct FetchRequest m;
    struct arena scratch;          /* the response, rebuilt on each wake */
    struct FetchResponse resp;
    struct fetch_link *links;
    int nlinks;
    struct timer timer;
    bool in_ready_list;
    struct fetch_state *ready_next;
};

/* Parked fetches woken in this loop iteration (one broker per process). */
static struct fetch_state *ready_list;

static int16_t leader_epoch_error(struct partition *p, int32_t current)
{
    if (current < 0)
        return 0;
    int32_t ours = plog_leader_epoch(p->log);
    if (current < ours)
        return KERR_FENCED_LEADER_EPOCH;
    if (current > ours)
        return KERR_UNKNOWN_LEADER_EPOCH;
    return 0;
}

static struct topic *fetch_topic(struct fetch_state *fs, struct FetchRequest_FetchTopic *ft, int16_t *err)
{
    struct topic *t;
    if (fs->req->api_version >= 13) {
        t = topic_find_id(fs->broker, &ft->topic_id);
        *err = t ? 0 : KERR_UNKNOWN_TOPIC_ID;
    } else {
        t = topic_find(fs->broker, ft->topic);
        *err = t ? 0 : KERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    return t;
}

/* Fetch v0-3 carry message formats v0 (v0-1) and v1 (v2-3): the batches
 * read are converted into the response's scratch memory, as Kafka 3.x
 * did. Returns 0 or a Kafka error code. */
static int16_t down_convert(struct fetch_state *fs, const struct log_read *rd, struct krecords *out)
{
    uint8_t *raw = xmalloc((size_t)rd->len);
    struct bytebuf msgs = {0};
    int rc = pread(rd->file->fd, raw, (size_t)rd->len, rd->pos) == rd->len ? 0 : KERR_KAFKA_STORAGE_ERROR;
    if (!rc)
        rc = legacy_from_batches(fs->broker->validator, raw, (size_t)rd->len, fs->req->api_version >= 2 ? 1 : 0,
                                 &msgs);
    *out = (struct krecords){NULL, 0, NULL, 0};
    if (!rc && msgs.len > 0)
        *out = (struct krecords){arena_memdup(&fs->scratch, msgs.p, msgs.len), (int32_t)msgs.len, NULL, 0};
    bytebuf_free(&msgs);
    free(raw);
    return (int16_t)rc;
}

/* Builds the response from what is readable now. Returns the record
 * bytes it holds; *any_error is set if a partition has an error. */
static int64_t fetch_build(struct fetch_state *fs, bool *any_error)
{
    struct request *req = fs->req;
    struct FetchRequest *m = &fs->m;
    arena_reset(&fs->scratch);
    FetchResponse_init(&fs->resp);
    fs->resp.session_id = 0;
    fs->resp.responses_count = m->topics_count;
    fs->resp.responses = arena_alloc(&fs->scratch, sizeof(*fs->resp.responses) * (size_t)MAX(m->topics_count, 1));
    int64_t budget = m->max_bytes > 0 ? m->max_bytes : INT32_MAX, total = 0;
    *any_error = false;
    for (int32_t i = 0; i < m->topics_count; i++) {
        struct FetchRequest_FetchTopic *ft = &m->topics[i];
        struct FetchResponse_FetchableTopicResponse *tr = &fs->resp.responses[i];
        FetchResponse_FetchableTopicResponse_init(tr);
        tr->topic = ft->topic;
        tr->topic_id = ft->topic_id;
        tr->partitions_count = ft->partitions_count;
        tr->partitions = arena_alloc(&fs->scratch, sizeof(*tr->partitions) * (size_t)MAX(ft->partitions_count, 1));
        int16_t terr = 0;
        struct topic *t = fetch_topic(fs, ft, &terr);
        for (int32_t k = 0; k < ft->partitions_count; k++) {
            struct FetchRequest_FetchPartition *fp = &ft->partitions[k];
            struct FetchResponse_PartitionData *pd = &tr->partitions[k];
            FetchResponse_PartitionData_init(pd);
            pd->partition_index = fp->partition;
            pd->high_watermark = pd->last_stable_offset = pd->log_start_offset = -1;
            pd->aborted_transactions_count = m->isolation_level == 1 ? 0 : -1;
            pd->records = (struct krecords){NULL, 0, NULL, 0};
            if (terr || fp->partition < 0 || fp->partition >= t->partition_count) {
                /* As Kafka: an empty list of aborted transactions, not null. */
                pd->error_code = terr ? terr : KERR_UNKNOWN_TOPIC_OR_PARTITION;
                pd->aborted_transactions_count = 0;
            } else {
                struct partition *p = t->partitions[fp->partition];
                pd->high_watermark = pd->last_stable_offset = plog_high_watermark(p->log);
                pd->log_start_offset = plog_log_start(p->log);
                pd->error_code = leader_epoch_error(p, fp->current_leader_epoch);
                if (!pd->error_code && (budget > 0 || total == 0)) {
                    /* KIP-74: the first batch of the response goes whole. */
                    int32_t limit = (int32_t)MIN((int64_t)fp->partition_max_bytes, total == 0 ? INT32_MAX : budget);
                    if (total == 0 && limit <= 0)
                        limit = 1;
                    struct log_read rd;
                    int rc = limit > 0 ? plog_read(p->log, fp->fetch_offset, limit, &rd) : 0;
                    if (rc) {
                        pd->error_code = (int16_t)rc;
                    } else if (limit > 0 && rd.len > 0) {
                        pd->records = (struct krecords){NULL, rd.len, rd.file, rd.pos};
                        if (req->api_version < 4)
                            pd->error_code = down_convert(fs, &rd, &pd->records);
                        total += rd.len;
                        budget -= rd.len;
                    }
                }
            }
            if (pd->error_code) {
                /* As Kafka: no offsets with an error (OFFSET_OUT_OF_RANGE included). */
                pd->high_watermark = pd->last_stable_offset = pd->log_start_offset = -1;
                *any_error = true;
            }
        }
    }
    return total;
}

static void fetch_unpark(struct fetch_state *fs)
{
    for (int i = 0; i < fs->nlinks; i++)
        partition_remove_fetch_waiter(&fs->links[i]);
    fs->nlinks = 0;
    loop_timer_cancel(fs->broker->loop, &fs->timer);
    if (fs->in_ready_list) {
        struct fetch_state **pp = &ready_list;
        while (*pp && *pp != fs)
            pp = &(*pp)->ready_next;
        if (*pp)
            *pp = fs->ready_next;
        fs->in_ready_list = false;
    }
}

/* Records handed out: from the fetch offset to the first offset after
 * the data sent, which is the base offset of the batch that follows it
 * in the segment (one 8-byte pread per partition), or the high
 * watermark when the data ends there. */
static void fetch_count(struct fetch_state *fs)
{
    struct broker_stats *s = &fs->broker->stats;
    for (int32_t i = 0; i < fs->m.topics_count && fs->resp.responses; i++) {
        struct FetchResponse_FetchableTopicResponse *tr = &fs->resp.responses[i];
        for (int32_t k = 0; k < tr->partitions_count && k < fs->m.topics[i].partitions_count; k++) {
            struct FetchResponse_PartitionData *pd = &tr->partitions[k];
            if (!pd->records.file || pd->records.len <= 0)
                continue;
            s->fetch_bytes += (uint64_t)pd->records.len;
            int64_t from = fs->m.topics[i].partitions[k].fetch_offset, next = pd->high_watermark;
            uint8_t be[8];
            if (pread(pd->records.file->fd, be, 8, pd->records.file_off + pd->records.len) == 8) {
                int64_t base = 0;
                for (int j = 0; j < 8; j++)
                    base = (int64_t)((uint64_t)base << 8 | be[j]);
                if (base > from && base < next)
                    next = base;
            }
            if (next > from)
                s->records_fetched += (uint64_t)(next - from);
        }
    }
}

static void fetch_respond(struct fetch_state *fs)
{
    fetch_unpark(fs);
    fetch_count(fs);
    RESPOND(fs->req, FetchResponse, &fs->resp);
    arena_free(&fs->scratch);
}

static void fetch_cancel(struct request *req)
{
    struct fetch_state *fs = req->async;
    fetch_unpark(fs);
    arena_free(&fs->scratch);
}

static void fetch_timeout(struct loop *l, void *arg)
{
    struct fetch_state *fs = arg;
    bool any_error;
    fetch_build(fs, &any_error);
    fetch_respond(fs);
}

/* Watches every partition of the request for a high watermark move. */
static void fetch_park(struct fetch_state *fs)
{
    struct request *req = fs->req;
    int n = 0;
    for (int32_t i = 0; i < fs->m.topics_count; i++)
        n += MAX(fs->m.topics[i].partitions_count, 0);
    fs->links = REQ_ALLOC(req, struct fetch_link, n);
    for (int32_t i = 0; i < fs->m.topics_count; i++) {
        int16_t err;
        struct topic *t = fetch_topic(fs, &fs->m.topics[i], &err);
        for (int32_t k = 0; t && k < fs->m.topics[i].partitions_count; k++) {
            int32_t idx = fs->m.topics[i].partitions[k].partition;
            if (idx < 0 || idx >= t->partition_count)
                continue;
            struct fetch_link *l = &fs->links[fs->nlinks++];
            l->owner = fs;
            partition_add_fetch_waiter(t->partitions[idx], l);
        }
    }
    timer_init(&fs->timer, fetch_timeout, fs);
    loop_timer_at(fs->broker->loop, &fs->timer, loop_now_ms(fs->broker->loop) + fs->m.max_wait_ms);
    req->async = fs;
    req->cancel = fetch_cancel;
}

void handle_fetch(struct request *req)
{
    struct fetch_state *fs = REQ_ALLOC(req, struct fetch_state, 1);
    if (!DECODE(req, FetchRequest, &fs->m))
        return;
    fs->req = req;
    fs->broker = req->broker;
    arena_init(&fs->scratch);
    if (fs->m.session_id != 0 || fs->m.session_epoch > 0) {
        /* We never hand out sessions, so none can be continued. */
        FetchResponse_init(&fs->resp);
        fs->resp.error_code = fs->m.session_id != 0 ? KERR_FETCH_SESSION_ID_NOT_FOUND : KERR_INVALID_FETCH_SESSION_EPOCH;
        RESPOND(req, FetchResponse, &fs->resp);
        return;
    }
    bool any_error;
    int64_t bytes = fetch_build(fs, &any_error);
    if (bytes >= fs->m.min_bytes || fs->m.max_wait_ms <= 0 || any_error || req->broker->stopping) {
        fetch_respond(fs);
        return;
    }
    fetch_park(fs);
}

void fetch_wake(struct broker *b, void *owner)
{
    struct fetch_state *fs = owner;
    if (fs->in_ready_list)
        return;
    fs->in_ready_list = true;
    fs->ready_next = ready_list;
    ready_list = fs;
}

void fetch_process_woken(struct broker *b)
{
    while (ready_list) {
        struct fetch_state *fs = ready_list;
        ready_list = fs->ready_next;
        fs->in_ready_list = false;
        bool any_error;
        int64_t bytes = fetch_build(fs, &any_error);
        if (bytes >= fs->m.min_bytes || any_error)
            fetch_respond(fs);
    }
}
