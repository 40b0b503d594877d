/* Produce: validate each partition's batches, append them as received
 * (base offset patched), and answer by acks:
 *   acks=0   no response (an error closes the connection, as Kafka does)
 *   acks=1   once written
 *   acks=all once the flusher has fsynced them (group commit)
 *
 * The append itself is partition_append (broker/partition.h), which
 * checks idempotent batches (producer id >= 0) against the partition's
 * producer state: a retry of one of the producer's last five appends is
 * answered with its original offset and nothing is written.
 * The records of one partition are one append: when they hold several
 * batches, all must be from the same producer and epoch, in sequence.
 * Produce v0-2 carry message sets of formats v0/v1, converted to one v2
 * batch first (log/legacy.h), as Kafka 3.x did. */
#include "api/handler.h"
#include "log/batch.h"
#include "log/legacy.h"
#include "log/producer_state.h"
#include "schema/validate.h"

struct produce_wait {
    struct request *req;
    struct ProduceResponse resp;
    int pending;
    struct ack_waiter *waiters;
    struct ProduceResponse_PartitionProduceResponse **slots;
    int nwaiters;
    int appended;        /* partitions appended to */
};

static void produce_finish(struct produce_wait *pw) { RESPOND(pw->req, ProduceResponse, &pw->resp); }

static void on_durable(struct ack_waiter *w, int16_t error)
{
    struct produce_wait *pw = w->owner;
    size_t i = (size_t)(w - pw->waiters);
    w->partition = NULL;
    if (error) {
        pw->slots[i]->error_code = error;
        pw->slots[i]->base_offset = -1;
    }
    if (--pw->pending == 0)
        produce_finish(pw);
}

static void produce_cancel(struct request *req)
{
    struct produce_wait *pw = req->async;
    for (int i = 0; i < pw->nwaiters; i++)
        if (pw->waiters[i].partition)
            partition_remove_ack_waiter(pw->waiters[i].partition, &pw->waiters[i]);
}

/* Checks every batch in the records blob. Returns 0 and the batch count,
 * or a Kafka error code with a message. */
static int validate_records(struct request *req, struct topic *t, const struct krecords *rec, int32_t *count,
                            struct append_producer *idem, struct kstr *msg)
{
    *idem = (struct append_producer){.id = -1};
    struct broker *b = req->broker;
    if (rec->len <= 0) {
        *msg = kstr_c("no record batch in the request");
        return KERR_CORRUPT_MESSAGE;
    }
    int64_t max_bytes = topic_config_int(&t->config, &b->cfg, T_MAX_MESSAGE_BYTES);
    bool deep = topic_config_bool(&t->config, &b->cfg, T_VALIDATE_COMPRESSED);
    const uint8_t *p = rec->p;
    size_t left = (size_t)rec->len;
    int32_t n = 0;
    while (left > 0) {
        struct batch_info bi;
        /* As Kafka: magic 0/1 is INVALID_RECORD ("only magic 2"), an
         * unknown magic is corrupt, and so is a first batch cut short
         * (Kafka finds no batch at all in it: INVALID_RECORD). */
        int magic = left > BATCH_OFF_MAGIC ? p[BATCH_OFF_MAGIC] : 2;
        if (batch_parse_header(p, left, &bi) != 0) {
            bool short_v2 = left < BATCH_HEADER_SIZE && magic == 2;
            *msg = kstr_c(short_v2 ? "truncated record batch" : "record batch is not magic v2 or has a bad length");
            return magic < 2 || (short_v2 && n == 0) ? KERR_INVALID_RECORD : KERR_CORRUPT_MESSAGE;
        }
        size_t size = batch_total_size(&bi);
        if ((int64_t)size > max_bytes) {
            const char *prop = topic_config_origin_name(&t->config, T_MAX_MESSAGE_BYTES);
            *msg = req_strf(req, "record batch of %zu bytes is over the limit of %lld bytes set by %s", size,
                            (long long)max_bytes, prop);
            log_warn("produce", "record batch too large, refused", "topic=%s size=%zu limit=%lld property=%s",
                     t->name, size, (long long)max_bytes, prop);
            return KERR_MESSAGE_TOO_LARGE;
        }
        if (size > left) {
            *msg = kstr_c("truncated record batch");
            return n == 0 ? KERR_INVALID_RECORD : KERR_CORRUPT_MESSAGE;
        }
        if (bi.attributes & (BATCH_ATTR_TRANSACTIONAL | BATCH_ATTR_CONTROL)) {
            *msg = kstr_c("transactions are not supported yet");
            return KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        }
        char why[200] = "";
        int rc = batch_validate(b->validator, p, size, deep, &bi, why, sizeof(why));
        if (rc) {
            b->stats.corrupt_batches++;
            *msg = req_strf(req, "%s", why[0] ? why : kafka_error_name(rc));
            return rc;
        }
        /* As Kafka: the stored header carries the records' max timestamp
         * (rewritten in the request's frame, which is ours). */
        if (bi.records_max_timestamp != bi.max_timestamp)
            batch_set_max_timestamp((uint8_t *)p, bi.records_max_timestamp);
        int32_t last_seq = pstate_last_seq(bi.base_sequence, bi.last_offset_delta);
        if (n == 0) {
            idem->id = bi.producer_id < 0 ? -1 : bi.producer_id;
            idem->epoch = bi.producer_epoch;
            idem->first_seq = bi.base_sequence;
            idem->last_seq = last_seq;
        } else if ((bi.producer_id < 0 ? -1 : bi.producer_id) != idem->id ||
                   (idem->id >= 0 && bi.producer_epoch != idem->epoch)) {
            *msg = kstr_c("record batches of one partition are from different producers or epochs");
            return KERR_INVALID_RECORD;
        } else if (idem->id >= 0) {
            if (bi.base_sequence != pstate_last_seq(idem->last_seq, 1)) {
                *msg = kstr_c("record batches of one partition are not in sequence");
                return KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
            }
            idem->last_seq = last_seq;
        }
        p += size;
        left -= size;
        n++;
    }
    *count = n;
    return 0;
}

/* Converts a legacy message set into a v2 batch in out and points
 * records at it. Returns 0 or a Kafka error code with a message. */
static int convert_legacy(struct request *req, struct krecords *records, struct bytebuf *out, struct kstr *msg)
{
    const char *why = NULL;
    int rc = records->len > 0 ? legacy_to_batch(req->broker->validator, records->p, (size_t)records->len, out, &why)
                              : KERR_CORRUPT_MESSAGE;
    if (rc) {
        req->broker->stats.corrupt_batches++;
        *msg = req_strf(req, "%s", why ? why : "no message set in the request");
        return rc;
    }
    *records = (struct krecords){out->p, (int32_t)out->len, NULL, 0};
    return 0;
}

static void produce_partition(struct request *req, struct produce_wait *pw, struct topic *t,
                              struct ProduceRequest_PartitionProduceData *in,
                              struct ProduceResponse_PartitionProduceResponse *out, int16_t acks)
{
    out->index = in->index;
    out->base_offset = -1;
    if (!t || in->index < 0 || in->index >= t->partition_count) {
        out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    struct partition *p = t->partitions[in->index];
    int32_t count = 0;
    struct append_producer idem;
    /* Produce v0-2 carry message formats v0/v1: appended as one v2 batch. */
    struct bytebuf converted = {0};
    struct krecords records = in->records;
    int rc = req->api_version < 3 ? convert_legacy(req, &records, &converted, &out->error_message) : 0;
    if (!rc)
        rc = validate_records(req, t, &records, &count, &idem, &out->error_message);
    if (!rc) {
        char why[600];
        rc = schema_validate_produce(req->broker, t, (const uint8_t *)records.p, (size_t)records.len, why,
                                     sizeof(why));
        if (rc && why[0])
            out->error_message = req_strf(req, "%s", why);
    }
    /* acks=all: the answer waits for the high watermark (on_durable). */
    struct ack_waiter *w = acks == -1 ? &pw->waiters[pw->nwaiters] : NULL;
    if (w) {
        w->done = on_durable;
        w->owner = pw;
    }
    struct partition_appended a;
    a.error[0] = '\0';
    if (!rc) {
        rc = partition_append(req->broker, p, (uint8_t *)records.p, (size_t)records.len, count,
                              idem.id >= 0 ? &idem : NULL, w, &a);
        /* As Kafka: given once the records are valid (a producer's
         * sequence or epoch error included), -1 before. */
        out->log_start_offset = plog_log_start(p->log);
    }
    bytebuf_free(&converted);
    if (rc) {
        out->error_code = (int16_t)rc;
        if (out->error_message.len < 0)
            out->error_message = a.error[0] ? req_strf(req, "%s", a.error) : kstr_c(kafka_error_name(rc));
        return;
    }
    out->base_offset = a.base_offset;
    out->log_append_time_ms = a.log_append_time;
    if (!a.duplicate)
        pw->appended++;
    if (a.waiting) {
        pw->slots[pw->nwaiters++] = out;
        pw->pending++;
    }
}

void handle_produce(struct request *req)
{
    struct ProduceRequest m;
    if (!DECODE(req, ProduceRequest, &m))
        return;
    struct broker *b = req->broker;
    struct produce_wait *pw = REQ_ALLOC(req, struct produce_wait, 1);
    pw->req = req;
    ProduceResponse_init(&pw->resp);
    int total = 0;
    for (int32_t i = 0; i < m.topic_data_count; i++)
        total += MAX(m.topic_data[i].partition_data_count, 0);
    pw->waiters = REQ_ALLOC(req, struct ack_waiter, total);
    pw->slots = REQ_ALLOC(req, struct ProduceResponse_PartitionProduceResponse *, total);

    int16_t whole_error = 0;
    if (m.acks != 0 && m.acks != 1 && m.acks != -1)
        whole_error = KERR_INVALID_REQUIRED_ACKS;
    else if (m.transactional_id.len >= 0)
        whole_error = KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

    bool any_error = false;
    pw->resp.responses_count = m.topic_data_count;
    pw->resp.responses = REQ_ARRAY(req, ProduceResponse_TopicProduceResponse, m.topic_data_count);
    for (int32_t i = 0; i < m.topic_data_count; i++) {
        struct ProduceRequest_TopicProduceData *td = &m.topic_data[i];
        struct ProduceResponse_TopicProduceResponse *tr = &pw->resp.responses[i];
        tr->name = td->name;
        tr->partition_responses_count = td->partition_data_count;
        tr->partition_responses =
            REQ_ARRAY(req, ProduceResponse_PartitionProduceResponse, td->partition_data_count);
        struct topic *t = topic_find(b, td->name);
        for (int32_t k = 0; k < td->partition_data_count; k++) {
            struct ProduceResponse_PartitionProduceResponse *out = &tr->partition_responses[k];
            if (whole_error) {
                out->index = td->partition_data[k].index;
                out->error_code = whole_error;
                out->base_offset = -1;
                if (whole_error == KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
                    out->error_message = kstr_c("transactions are not supported yet");
            } else {
                produce_partition(req, pw, t, &td->partition_data[k], out, m.acks);
            }
            any_error |= out->error_code != 0;
        }
    }
    /* Test hook: the append happened, the answer is lost. */
    int64_t drop_every = config_int(&b->cfg, P_TEST_DROP_AFTER_APPEND);
    if (drop_every > 0 && pw->appended > 0 && ++b->test_appends % (uint64_t)drop_every == 0) {
        log_debug("producer", "test: dropping connection after append", "conn=%llu",
                  (unsigned long long)req->conn->id);
        req->async = pw;
        req->cancel = produce_cancel;   /* conn_close lets go of the ack waiters */
        conn_close(req->conn, "sluice.test.drop.after.append");
        return;
    }
    if (m.acks == 0) {
        if (any_error) {
            request_fail(req, "acks=0 produce failed");
        } else {
            request_complete_silently(req);
            request_release_frame(req);
        }
        return;
    }
    if (pw->pending == 0) {
        /* The encoded answer holds copies: the frame can be read into
         * again before this answer is sent. */
        produce_finish(pw);
        request_release_frame(req);
        return;
    }
    /* Waiting for the fsync can take a while: the answer keeps copies of
     * the topic names and the frame goes back to the connection now. */
    for (int32_t i = 0; i < pw->resp.responses_count; i++) {
        struct kstr *name = &pw->resp.responses[i].name;
        if (name->len > 0)
            name->p = arena_memdup(&req->arena, name->p, (size_t)name->len);
    }
    request_release_frame(req);
    req->async = pw;
    req->cancel = produce_cancel;
}
