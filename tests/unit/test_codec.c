/* Tests of the generated message codecs (src/protocol/gen).
 *
 * Round trips (encode, decode, encode again: identical bytes) for the
 * messages the broker depends on most, byte sequences written out by hand
 * from the protocol description, and hostile input: every truncation of
 * every round-tripped encoding, absurd array counts, nulls where the
 * version forbids them, and random bytes for every generated decoder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/util.h"
#include "protocol/gen/api_keys.h"
#include "protocol/gen/errors.h"
#include "protocol/gen/messages_test.h"
#include "protocol/request_header.h"
#include "protocol/wire.h"

/* ---- helpers ---- */

static int encode_msg(bool request, int16_t key, struct wbuf *w, int16_t version, const void *m)
{
    return request ? kafka_request_encode(key, w, version, m) : kafka_response_encode(key, w, version, m);
}

static int decode_msg(bool request, int16_t key, struct rbuf *r, int16_t version, void **out, struct arena *a)
{
    return request ? kafka_request_decode(key, r, version, out, a)
                   : kafka_response_decode(key, r, version, out, a);
}

/* Every strict prefix of a valid encoding must fail cleanly. Each prefix is
 * copied to a buffer of exactly its size so sanitizers see any overread. */
static void check_truncations(bool request, int16_t key, int16_t version, const uint8_t *p, size_t len)
{
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        if (n)
            memcpy(copy, p, n);
        struct arena a;
        arena_init(&a);
        struct rbuf r;
        rbuf_init(&r, copy, n);
        void *out = NULL;
        assert_int_equal(decode_msg(request, key, &r, version, &out, &a), -1);
        arena_free(&a);
        free(copy);
    }
}

/* Encodes m into *first, decodes it (into arena a), re-encodes the decoded
 * struct and checks both encodings are identical and the decoder consumed
 * every byte. Also checks all truncations. Returns the decoded struct. */
static void *roundtrip(bool request, int16_t key, int16_t version, const void *m, struct arena *a,
                       struct wbuf *first)
{
    wbuf_init(first);
    assert_int_equal(encode_msg(request, key, first, version, m), 0);

    struct rbuf r;
    rbuf_init(&r, first->data, first->len);
    void *out = NULL;
    assert_int_equal(decode_msg(request, key, &r, version, &out, a), 0);
    assert_non_null(out);
    assert_int_equal(rbuf_left(&r), 0);

    struct wbuf second;
    wbuf_init(&second);
    assert_int_equal(encode_msg(request, key, &second, version, out), 0);
    assert_int_equal(second.len, first->len);
    if (first->len)         /* some bodies are empty, e.g. ApiVersionsRequest v0 */
        assert_memory_equal(second.data, first->data, first->len);
    wbuf_free(&second);

    check_truncations(request, key, version, first->data, first->len);
    return out;
}

static void assert_kstr(struct kstr s, const char *want)
{
    if (!want) {
        assert_int_equal(s.len, -1);
        return;
    }
    assert_int_equal(s.len, (int32_t)strlen(want));
    assert_memory_equal(s.p, want, (size_t)s.len);
}

static void assert_encodes_to(const struct wbuf *w, const uint8_t *want, size_t n)
{
    assert_int_equal(w->len, n);
    assert_memory_equal(w->data, want, n);
}

static struct kuuid uuid_of(uint8_t seed)
{
    struct kuuid u;
    for (int i = 0; i < 16; i++)
        u.b[i] = (uint8_t)(seed + i);
    return u;
}

/* ---- Produce ---- */

static uint8_t records_a[100];

static void test_produce_roundtrip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(records_a); i++)
        records_a[i] = (uint8_t)(i * 7 + 3);

    struct ProduceRequest_PartitionProduceData parts[3];
    for (int i = 0; i < 3; i++) {
        ProduceRequest_PartitionProduceData_init(&parts[i]);
        parts[i].index = i;
    }
    parts[0].records = (struct krecords){records_a, (int32_t)sizeof(records_a), NULL, 0};
    parts[1].records = (struct krecords){records_a, 0, NULL, 0};
    /* parts[2].records stays null (the default) */

    struct ProduceRequest_TopicProduceData topics[2];
    ProduceRequest_TopicProduceData_init(&topics[0]);
    ProduceRequest_TopicProduceData_init(&topics[1]);
    topics[0].name = kstr_c("orders");
    topics[0].partition_data_count = 3;
    topics[0].partition_data = parts;
    topics[1].name = kstr_c("t2");
    topics[1].partition_data_count = 1;
    topics[1].partition_data = parts;

    struct ProduceRequest req;
    ProduceRequest_init(&req);
    req.transactional_id = kstr_c("txn-1");
    req.acks = -1;
    req.timeout_ms = 30000;
    req.topic_data_count = 2;
    req.topic_data = topics;

    const int16_t versions[] = {0, 3, 8, 9, 11};
    for (size_t vi = 0; vi < ARRAY_LEN(versions); vi++) {
        int16_t v = versions[vi];
        struct arena a;
        arena_init(&a);
        struct wbuf w;
        const struct ProduceRequest *d = roundtrip(true, API_Produce, v, &req, &a, &w);
        assert_kstr(d->transactional_id, v >= 3 ? "txn-1" : NULL);
        assert_int_equal(d->acks, -1);
        assert_int_equal(d->timeout_ms, 30000);
        assert_int_equal(d->topic_data_count, 2);
        assert_kstr(d->topic_data[0].name, "orders");
        assert_kstr(d->topic_data[1].name, "t2");
        assert_int_equal(d->topic_data[0].partition_data_count, 3);
        const struct ProduceRequest_PartitionProduceData *p = d->topic_data[0].partition_data;
        assert_int_equal(p[0].index, 0);
        assert_int_equal(p[0].records.len, sizeof(records_a));
        assert_memory_equal(p[0].records.p, records_a, sizeof(records_a));
        assert_int_equal(p[1].records.len, 0);
        assert_int_equal(p[2].index, 2);
        assert_int_equal(p[2].records.len, -1);
        wbuf_free(&w);
        arena_free(&a);
    }
}

/* One topic "foo", partition 2, records DE AD, no transactional id. */
static const uint8_t produce_v3_bytes[] = {
    0xff, 0xff,                         /* transactional_id: null string */
    0x00, 0x01,                         /* acks 1 */
    0x00, 0x00, 0x03, 0xe8,             /* timeout_ms 1000 */
    0x00, 0x00, 0x00, 0x01,             /* topic_data: 1 */
    0x00, 0x03, 'f', 'o', 'o',          /*   name */
    0x00, 0x00, 0x00, 0x01,             /*   partition_data: 1 */
    0x00, 0x00, 0x00, 0x02,             /*     index 2 */
    0x00, 0x00, 0x00, 0x02, 0xde, 0xad, /*     records: int32 length */
};
static const uint8_t produce_v9_bytes[] = {
    0x00,                               /* transactional_id: compact null */
    0x00, 0x01,                         /* acks 1 */
    0x00, 0x00, 0x03, 0xe8,             /* timeout_ms 1000 */
    0x02,                               /* topic_data: 1 (N+1) */
    0x04, 'f', 'o', 'o',                /*   name: compact (N+1) */
    0x02,                               /*   partition_data: 1 */
    0x00, 0x00, 0x00, 0x02,             /*     index 2 */
    0x03, 0xde, 0xad,                   /*     records: uvarint N+1 */
    0x00,                               /*     partition tags */
    0x00,                               /*   topic tags */
    0x00,                               /* request tags */
};

static void check_produce_bytes(int16_t version, const uint8_t *bytes, size_t n)
{
    static const uint8_t rec[] = {0xde, 0xad};
    struct ProduceRequest_PartitionProduceData part;
    ProduceRequest_PartitionProduceData_init(&part);
    part.index = 2;
    part.records = (struct krecords){rec, 2, NULL, 0};
    struct ProduceRequest_TopicProduceData topic;
    ProduceRequest_TopicProduceData_init(&topic);
    topic.name = kstr_c("foo");
    topic.partition_data_count = 1;
    topic.partition_data = &part;
    struct ProduceRequest req;
    ProduceRequest_init(&req);
    req.acks = 1;
    req.timeout_ms = 1000;
    req.topic_data_count = 1;
    req.topic_data = &topic;

    struct wbuf w;
    wbuf_init(&w);
    ProduceRequest_encode(&w, version, &req);
    assert_encodes_to(&w, bytes, n);
    wbuf_free(&w);

    struct arena a;
    arena_init(&a);
    struct rbuf r;
    rbuf_init(&r, bytes, n);
    struct ProduceRequest d;
    assert_int_equal(ProduceRequest_decode(&r, version, &d, &a), 0);
    assert_int_equal(rbuf_left(&r), 0);
    assert_kstr(d.transactional_id, NULL);
    assert_int_equal(d.acks, 1);
    assert_int_equal(d.timeout_ms, 1000);
    assert_int_equal(d.topic_data_count, 1);
    assert_kstr(d.topic_data[0].name, "foo");
    assert_int_equal(d.topic_data[0].partition_data[0].index, 2);
    assert_int_equal(d.topic_data[0].partition_data[0].records.len, 2);
    assert_memory_equal(d.topic_data[0].partition_data[0].records.p, rec, 2);
    arena_free(&a);
}

static void test_produce_bytes(void **state)
{
    (void)state;
    check_produce_bytes(3, produce_v3_bytes, sizeof(produce_v3_bytes));
    check_produce_bytes(9, produce_v9_bytes, sizeof(produce_v9_bytes));
}

/* ---- Metadata ---- */

static void test_metadata_response_roundtrip(void **state)
{
    (void)state;
    struct MetadataResponse_MetadataResponseBroker brokers[2];
    for (int i = 0; i < 2; i++)
        MetadataResponse_MetadataResponseBroker_init(&brokers[i]);
    brokers[0].node_id = 1;
    brokers[0].host = kstr_c("host-a");
    brokers[0].port = 9092;
    brokers[0].rack = kstr_c("r1");
    brokers[1].node_id = 2;
    brokers[1].host = kstr_c("host-b");
    brokers[1].port = 9093;

    int32_t replicas0[] = {1, 2}, isr0[] = {1, 2};
    int32_t replicas1[] = {2, 1}, isr1[] = {2}, offline1[] = {1};
    struct MetadataResponse_MetadataResponsePartition parts[2];
    for (int i = 0; i < 2; i++) {
        MetadataResponse_MetadataResponsePartition_init(&parts[i]);
        parts[i].partition_index = i;
        parts[i].leader_id = i + 1;
        parts[i].leader_epoch = 5 + i;
    }
    parts[0].replica_nodes_count = 2;
    parts[0].replica_nodes = replicas0;
    parts[0].isr_nodes_count = 2;
    parts[0].isr_nodes = isr0;
    parts[1].replica_nodes_count = 2;
    parts[1].replica_nodes = replicas1;
    parts[1].isr_nodes_count = 1;
    parts[1].isr_nodes = isr1;
    parts[1].offline_replicas_count = 1;
    parts[1].offline_replicas = offline1;

    struct MetadataResponse_MetadataResponseTopic topics[2];
    for (int i = 0; i < 2; i++)
        MetadataResponse_MetadataResponseTopic_init(&topics[i]);
    topics[0].name = kstr_c("orders");
    topics[0].topic_id = uuid_of(1);
    topics[0].partitions_count = 2;
    topics[0].partitions = parts;
    topics[0].topic_authorized_operations = 0x5f8;
    topics[1].error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
    topics[1].name = KSTR_NULL;          /* queried by id: null name (v12+) */
    topics[1].topic_id = uuid_of(100);

    struct MetadataResponse resp;
    MetadataResponse_init(&resp);
    resp.throttle_time_ms = 7;
    resp.brokers_count = 2;
    resp.brokers = brokers;
    resp.cluster_id = kstr_c("cluster-xyz");
    resp.controller_id = 1;
    resp.topics_count = 2;
    resp.topics = topics;
    resp.cluster_authorized_operations = 0x10;

    for (int16_t v = 0; v <= 12; v++) {
        struct arena a;
        arena_init(&a);
        struct wbuf w;
        const struct MetadataResponse *d = roundtrip(false, API_Metadata, v, &resp, &a, &w);
        assert_int_equal(d->throttle_time_ms, v >= 3 ? 7 : 0);
        assert_int_equal(d->brokers_count, 2);
        assert_kstr(d->brokers[0].host, "host-a");
        assert_int_equal(d->brokers[1].port, 9093);
        assert_kstr(d->brokers[0].rack, v >= 1 ? "r1" : NULL);
        assert_kstr(d->brokers[1].rack, NULL);
        assert_kstr(d->cluster_id, v >= 2 ? "cluster-xyz" : NULL);
        assert_int_equal(d->controller_id, v >= 1 ? 1 : -1);
        assert_int_equal(d->cluster_authorized_operations, v >= 8 && v <= 10 ? 0x10 : INT32_MIN);
        assert_int_equal(d->topics_count, 2);
        assert_kstr(d->topics[0].name, "orders");
        /* Null is only allowed from v12; before that it goes out as "". */
        assert_kstr(d->topics[1].name, v >= 12 ? NULL : "");
        assert_int_equal(d->topics[1].error_code, 3);
        struct kuuid want = v >= 10 ? uuid_of(1) : (struct kuuid){{0}};
        assert_memory_equal(d->topics[0].topic_id.b, want.b, 16);
        const struct MetadataResponse_MetadataResponsePartition *p = d->topics[0].partitions;
        assert_int_equal(d->topics[0].partitions_count, 2);
        assert_int_equal(p[1].leader_epoch, v >= 7 ? 6 : -1);
        assert_int_equal(p[1].isr_nodes_count, 1);
        assert_int_equal(p[1].isr_nodes[0], 2);
        assert_int_equal(p[1].offline_replicas_count, v >= 5 ? 1 : 0);
        assert_int_equal(d->topics[0].topic_authorized_operations, v >= 8 ? 0x5f8 : INT32_MIN);
        wbuf_free(&w);
        arena_free(&a);
    }
}

static void decode_metadata_request(int16_t version, const uint8_t *p, size_t n, int want_rc,
                                    struct MetadataRequest *m, struct arena *a)
{
    struct rbuf r;
    rbuf_init(&r, p, n);
    assert_int_equal(MetadataRequest_decode(&r, version, m, a), want_rc);
    if (want_rc == 0)
        assert_int_equal(rbuf_left(&r), 0);
}

static void test_metadata_request_v0_bytes(void **state)
{
    (void)state;
    static const uint8_t bytes[] = {
        0x00, 0x00, 0x00, 0x02,         /* topics: 2 */
        0x00, 0x03, 'f', 'o', 'o',      /*   name */
        0x00, 0x03, 'b', 'a', 'r',
    };
    struct arena a;
    arena_init(&a);
    struct MetadataRequest m;
    decode_metadata_request(0, bytes, sizeof(bytes), 0, &m, &a);
    assert_int_equal(m.topics_count, 2);
    assert_kstr(m.topics[0].name, "foo");
    assert_kstr(m.topics[1].name, "bar");
    assert_true(m.allow_auto_topic_creation);      /* absent in v0: default */

    struct wbuf w;
    wbuf_init(&w);
    MetadataRequest_encode(&w, 0, &m);
    assert_encodes_to(&w, bytes, sizeof(bytes));
    wbuf_free(&w);
    arena_free(&a);
}

static void test_metadata_request_v9_unknown_tags(void **state)
{
    (void)state;
    static const uint8_t bytes[] = {
        0x03,                           /* topics: 2 (compact N+1) */
        0x04, 'f', 'o', 'o', 0x00,      /*   name, no tags */
        0x04, 'b', 'a', 'r',            /*   name */
        0x01, 0x05, 0x02, 0xaa, 0xbb,   /*   1 tag: tag 5, size 2 (unknown) */
        0x00,                           /* allow_auto_topic_creation false */
        0x01,                           /* include_cluster_authorized_operations */
        0x00,                           /* include_topic_authorized_operations */
        0x02,                           /* 2 tags, both unknown: */
        0x00, 0x03, 0x01, 0x02, 0x03,   /*   tag 0, size 3 */
        0x07, 0x00,                     /*   tag 7, size 0 */
    };
    static const uint8_t reencoded[] = {
        0x03, 0x04, 'f', 'o', 'o', 0x00, 0x04, 'b', 'a', 'r', 0x00,
        0x00, 0x01, 0x00, 0x00,
    };
    struct arena a;
    arena_init(&a);
    struct MetadataRequest m;
    decode_metadata_request(9, bytes, sizeof(bytes), 0, &m, &a);
    assert_int_equal(m.topics_count, 2);
    assert_kstr(m.topics[0].name, "foo");
    assert_kstr(m.topics[1].name, "bar");
    assert_false(m.allow_auto_topic_creation);
    assert_true(m.include_cluster_authorized_operations);
    assert_false(m.include_topic_authorized_operations);

    struct wbuf w;
    wbuf_init(&w);
    MetadataRequest_encode(&w, 9, &m);
    assert_encodes_to(&w, reencoded, sizeof(reencoded));
    wbuf_free(&w);
    check_truncations(true, API_Metadata, 9, bytes, sizeof(bytes));
    arena_free(&a);
}

static void test_metadata_request_nulls(void **state)
{
    (void)state;
    static const uint8_t null_topics[] = {0xff, 0xff, 0xff, 0xff};
    static const uint8_t null_name[] = {0x00, 0x00, 0x00, 0x01, 0xff, 0xff};
    struct arena a;
    arena_init(&a);
    struct MetadataRequest m;
    /* A null topic list means "all topics" from v1; v0 has no null. */
    decode_metadata_request(0, null_topics, sizeof(null_topics), -1, &m, &a);
    decode_metadata_request(1, null_topics, sizeof(null_topics), 0, &m, &a);
    assert_int_equal(m.topics_count, -1);
    assert_null(m.topics);
    struct wbuf w;
    wbuf_init(&w);
    MetadataRequest_encode(&w, 1, &m);
    assert_encodes_to(&w, null_topics, sizeof(null_topics));
    /* In v0 a null array cannot be sent: it goes out as empty. */
    wbuf_reset(&w);
    MetadataRequest_encode(&w, 0, &m);
    assert_encodes_to(&w, (const uint8_t[]){0, 0, 0, 0}, 4);
    wbuf_free(&w);
    /* Topic names are not nullable before v10. */
    decode_metadata_request(0, null_name, sizeof(null_name), -1, &m, &a);
    decode_metadata_request(9, (const uint8_t[]){0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}, 7, -1, &m, &a);
    /* From v10 a null name is allowed (topics asked for by id). */
    uint8_t v10[] = {0x02, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                     0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
    decode_metadata_request(10, v10, sizeof(v10), 0, &m, &a);
    assert_int_equal(m.topics_count, 1);
    assert_kstr(m.topics[0].name, NULL);
    assert_int_equal(m.topics[0].topic_id.b[15], 16);
    /* Versions outside the valid range are refused. */
    decode_metadata_request(13, null_topics, sizeof(null_topics), -1, &m, &a);
    decode_metadata_request(-1, null_topics, sizeof(null_topics), -1, &m, &a);
    arena_free(&a);
}

/* ---- Fetch ---- */

static void test_fetch_response_roundtrip(void **state)
{
    (void)state;
    static const uint8_t recs[] = {0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3, 4, 5};
    struct FetchResponse_AbortedTransaction aborted = {.producer_id = 7, .first_offset = 100};

    struct FetchResponse_PartitionData parts[2];
    for (int i = 0; i < 2; i++) {
        FetchResponse_PartitionData_init(&parts[i]);
        parts[i].partition_index = i;
        parts[i].high_watermark = 1000 + i;
    }
    parts[0].last_stable_offset = 990;
    parts[0].log_start_offset = 10;
    parts[0].aborted_transactions_count = 1;
    parts[0].aborted_transactions = &aborted;
    parts[0].preferred_read_replica = 3;
    parts[0].records = (struct krecords){recs, (int32_t)sizeof(recs), NULL, 0};
    parts[0].diverging_epoch_present = true;
    parts[0].diverging_epoch.epoch = 3;
    parts[0].diverging_epoch.end_offset = 99;
    parts[0].current_leader_present = true;
    parts[0].current_leader.leader_id = 1;
    parts[0].current_leader.leader_epoch = 5;
    parts[0].snapshot_id_present = true;
    parts[0].snapshot_id.end_offset = 50;
    parts[0].snapshot_id.epoch = 2;
    parts[1].error_code = KERR_OFFSET_OUT_OF_RANGE;
    parts[1].aborted_transactions_count = -1;     /* null: no transactions */

    struct FetchResponse_FetchableTopicResponse topic;
    FetchResponse_FetchableTopicResponse_init(&topic);
    topic.topic = kstr_c("orders");
    topic.topic_id = uuid_of(42);
    topic.partitions_count = 2;
    topic.partitions = parts;

    struct FetchResponse_NodeEndpoint node;
    FetchResponse_NodeEndpoint_init(&node);
    node.node_id = 1;
    node.host = kstr_c("localhost");
    node.port = 9092;

    struct FetchResponse resp;
    FetchResponse_init(&resp);
    resp.throttle_time_ms = 1;
    resp.session_id = 77;
    resp.responses_count = 1;
    resp.responses = &topic;
    resp.node_endpoints_count = 1;
    resp.node_endpoints = &node;

    const int16_t versions[] = {4, 7, 11, 12, 13, 15, 16, 17};
    for (size_t vi = 0; vi < ARRAY_LEN(versions); vi++) {
        int16_t v = versions[vi];
        struct arena a;
        arena_init(&a);
        struct wbuf w;
        const struct FetchResponse *d = roundtrip(false, API_Fetch, v, &resp, &a, &w);
        assert_int_equal(d->session_id, v >= 7 ? 77 : 0);
        assert_int_equal(d->responses_count, 1);
        if (v <= 12)
            assert_kstr(d->responses[0].topic, "orders");
        else
            assert_memory_equal(d->responses[0].topic_id.b, topic.topic_id.b, 16);
        const struct FetchResponse_PartitionData *p = d->responses[0].partitions;
        assert_int_equal(d->responses[0].partitions_count, 2);
        assert_int_equal(p[0].last_stable_offset, 990);
        assert_int_equal(p[0].log_start_offset, v >= 5 ? 10 : -1);
        assert_int_equal(p[0].aborted_transactions_count, 1);
        assert_int_equal(p[0].aborted_transactions[0].producer_id, 7);
        assert_int_equal(p[0].aborted_transactions[0].first_offset, 100);
        assert_int_equal(p[0].preferred_read_replica, v >= 11 ? 3 : -1);
        assert_int_equal(p[0].records.len, sizeof(recs));
        assert_memory_equal(p[0].records.p, recs, sizeof(recs));
        assert_int_equal(p[1].aborted_transactions_count, -1);
        assert_int_equal(p[1].records.len, -1);
        assert_int_equal(p[1].error_code, 1);
        bool tagged = v >= 12;
        assert_int_equal(p[0].diverging_epoch_present, tagged);
        assert_int_equal(p[0].current_leader_present, tagged);
        assert_int_equal(p[0].snapshot_id_present, tagged);
        assert_false(p[1].diverging_epoch_present);
        assert_false(p[1].current_leader_present);
        if (tagged) {
            assert_int_equal(p[0].diverging_epoch.epoch, 3);
            assert_int_equal(p[0].diverging_epoch.end_offset, 99);
            assert_int_equal(p[0].current_leader.leader_id, 1);
            assert_int_equal(p[0].current_leader.leader_epoch, 5);
            assert_int_equal(p[0].snapshot_id.end_offset, 50);
            assert_int_equal(p[0].snapshot_id.epoch, 2);
        } else {
            assert_int_equal(p[0].diverging_epoch.epoch, -1);       /* defaults */
            assert_int_equal(p[0].current_leader.leader_id, -1);
        }
        assert_int_equal(d->node_endpoints_count, v >= 16 ? 1 : 0);
        if (v >= 16) {
            assert_kstr(d->node_endpoints[0].host, "localhost");
            assert_int_equal(d->node_endpoints[0].port, 9092);
            assert_kstr(d->node_endpoints[0].rack, NULL);
        }
        wbuf_free(&w);
        arena_free(&a);
    }
}

/* The partition-level tagged section of FetchResponse v12, written out. */
static void test_fetch_response_tag_bytes(void **state)
{
    (void)state;
    struct FetchResponse_PartitionData part;
    FetchResponse_PartitionData_init(&part);
    part.partition_index = 0;
    part.aborted_transactions_count = -1;
    part.current_leader_present = true;
    part.current_leader.leader_id = 2;
    part.current_leader.leader_epoch = 9;
    struct FetchResponse_FetchableTopicResponse topic;
    FetchResponse_FetchableTopicResponse_init(&topic);
    topic.topic = kstr_c("t");
    topic.partitions_count = 1;
    topic.partitions = &part;
    struct FetchResponse resp;
    FetchResponse_init(&resp);
    resp.responses_count = 1;
    resp.responses = &topic;

    static const uint8_t want[] = {
        0, 0, 0, 0,                     /* throttle_time_ms */
        0, 0,                           /* error_code */
        0, 0, 0, 0,                     /* session_id */
        0x02,                           /* responses: 1 */
        0x02, 't',                      /*   topic */
        0x02,                           /*   partitions: 1 */
        0, 0, 0, 0,                     /*     partition_index */
        0, 0,                           /*     error_code */
        0, 0, 0, 0, 0, 0, 0, 0,         /*     high_watermark */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* last_stable_offset -1 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* log_start_offset -1 */
        0x00,                           /*     aborted_transactions: null */
        0xff, 0xff, 0xff, 0xff,         /*     preferred_read_replica -1 */
        0x00,                           /*     records: null */
        0x01,                           /*     1 tag: */
        0x01, 0x09,                     /*       tag 1 (CurrentLeader), size 9 */
        0, 0, 0, 2, 0, 0, 0, 9, 0x00,   /*       leader 2, epoch 9, no tags */
        0x00,                           /*   topic tags */
        0x00,                           /* response tags */
    };
    struct wbuf w;
    wbuf_init(&w);
    FetchResponse_encode(&w, 12, &resp);
    assert_encodes_to(&w, want, sizeof(want));
    wbuf_free(&w);
}

/* ---- ApiVersions ---- */

static void test_api_versions_v3_bytes(void **state)
{
    (void)state;
    struct ApiVersionsResponse_ApiVersion key = {.api_key = API_ApiVersions, .min_version = 0, .max_version = 4};
    struct ApiVersionsResponse resp;
    ApiVersionsResponse_init(&resp);
    resp.api_keys_count = 1;
    resp.api_keys = &key;
    resp.finalized_features_epoch = 5;
    resp.zk_migration_ready = true;

    static const uint8_t want[] = {
        0x00, 0x00,                     /* error_code */
        0x02,                           /* api_keys: 1 */
        0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00, /* 18, 0-4, no tags */
        0x00, 0x00, 0x00, 0x00,         /* throttle_time_ms */
        0x02,                           /* 2 tags, ascending: */
        0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 5, /* tag 1 FinalizedFeaturesEpoch */
        0x03, 0x01, 0x01,               /* tag 3 ZkMigrationReady */
    };
    struct wbuf w;
    wbuf_init(&w);
    ApiVersionsResponse_encode(&w, 3, &resp);
    assert_encodes_to(&w, want, sizeof(want));
    wbuf_free(&w);

    /* The same with an unknown tag 9 in between must decode the same. */
    static const uint8_t with_unknown[] = {
        0x00, 0x00, 0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x03,
        0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 5,
        0x09, 0x03, 0xaa, 0xbb, 0xcc,
        0x03, 0x01, 0x01,
    };
    struct arena a;
    arena_init(&a);
    struct rbuf r;
    rbuf_init(&r, with_unknown, sizeof(with_unknown));
    struct ApiVersionsResponse d;
    assert_int_equal(ApiVersionsResponse_decode(&r, 3, &d, &a), 0);
    assert_int_equal(rbuf_left(&r), 0);
    assert_int_equal(d.api_keys_count, 1);
    assert_int_equal(d.api_keys[0].api_key, 18);
    assert_int_equal(d.api_keys[0].max_version, 4);
    assert_int_equal(d.finalized_features_epoch, 5);
    assert_true(d.zk_migration_ready);
    assert_int_equal(d.supported_features_count, 0);
    arena_free(&a);
    check_truncations(false, API_ApiVersions, 3, with_unknown, sizeof(with_unknown));

    /* A known tag whose value is shorter than its declared type fails. */
    static const uint8_t short_tag[] = {
        0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x01, 0x04, 0, 0, 0, 5,   /* tag 1 (int64) with size 4 */
    };
    arena_init(&a);
    rbuf_init(&r, short_tag, sizeof(short_tag));
    assert_int_equal(ApiVersionsResponse_decode(&r, 3, &d, &a), -1);
    arena_free(&a);
}

static void test_api_versions_v3_roundtrip(void **state)
{
    (void)state;
    struct ApiVersionsResponse_ApiVersion keys[3] = {
        {API_Produce, 0, 11}, {API_Fetch, 0, 17}, {API_ApiVersions, 0, 4}};
    /* 30 features of 10 bytes each: the tag's size (301) needs a 2-byte
     * uvarint whose first byte has the continuation bit added. */
    struct ApiVersionsResponse_SupportedFeatureKey sup[30];
    for (int i = 0; i < 30; i++) {
        ApiVersionsResponse_SupportedFeatureKey_init(&sup[i]);
        sup[i].name = kstr_c("feat");
        sup[i].min_version = 0;
        sup[i].max_version = (int16_t)i;
    }
    struct ApiVersionsResponse_FinalizedFeatureKey fin;
    ApiVersionsResponse_FinalizedFeatureKey_init(&fin);
    fin.name = kstr_c("metadata.version");
    fin.max_version_level = 20;
    fin.min_version_level = 20;

    struct ApiVersionsResponse resp;
    ApiVersionsResponse_init(&resp);
    resp.api_keys_count = 3;
    resp.api_keys = keys;
    resp.throttle_time_ms = 0;
    resp.supported_features_count = 30;
    resp.supported_features = sup;
    resp.finalized_features_epoch = 12;
    resp.finalized_features_count = 1;
    resp.finalized_features = &fin;
    resp.zk_migration_ready = true;

    struct arena a;
    arena_init(&a);
    struct wbuf w;
    const struct ApiVersionsResponse *d = roundtrip(false, API_ApiVersions, 3, &resp, &a, &w);
    /* error 2 + keys 1+3*7 + throttle 4, then tag count 4, tag 0, size 301 */
    size_t at = 2 + 1 + 3 * 7 + 4;
    assert_int_equal(w.data[at], 4);
    assert_int_equal(w.data[at + 1], 0);
    assert_int_equal(w.data[at + 2], 0xad);
    assert_int_equal(w.data[at + 3], 0x02);
    assert_int_equal(d->supported_features_count, 30);
    assert_kstr(d->supported_features[19].name, "feat");
    assert_int_equal(d->supported_features[19].max_version, 19);
    assert_int_equal(d->finalized_features_epoch, 12);
    assert_int_equal(d->finalized_features_count, 1);
    assert_kstr(d->finalized_features[0].name, "metadata.version");
    assert_int_equal(d->finalized_features[0].min_version_level, 20);
    assert_true(d->zk_migration_ready);
    wbuf_free(&w);
    arena_free(&a);

    /* v0-2 have no tagged fields: they are simply not sent. */
    for (int16_t v = 0; v <= 4; v++) {
        arena_init(&a);
        d = roundtrip(false, API_ApiVersions, v, &resp, &a, &w);
        assert_int_equal(d->api_keys_count, 3);
        assert_int_equal(d->supported_features_count, v >= 3 ? 30 : 0);
        assert_int_equal(d->finalized_features_epoch, v >= 3 ? 12 : -1);
        wbuf_free(&w);
        arena_free(&a);
    }
}

/* ---- nullable structs ---- */

/* A nullable struct field is preceded by an int8: -1 null, 1 present. */
static void test_nullable_struct_bytes(void **state)
{
    (void)state;
    static const uint8_t with_cursor[] = {
        0x02, 0x02, 't', 0x00,          /* topics: 1, name "t", no tags */
        0x00, 0x00, 0x07, 0xd0,         /* response_partition_limit 2000 */
        0x01,                           /* cursor: present */
        0x02, 't', 0x00, 0x00, 0x00, 0x05, 0x00, /* "t", partition 5, no tags */
        0x00,                           /* request tags */
    };
    static const uint8_t null_cursor[] = {
        0x02, 0x02, 't', 0x00, 0x00, 0x00, 0x07, 0xd0,
        0xff,                           /* cursor: null */
        0x00,
    };
    struct DescribeTopicPartitionsRequest_TopicRequest topic;
    DescribeTopicPartitionsRequest_TopicRequest_init(&topic);
    topic.name = kstr_c("t");
    struct DescribeTopicPartitionsRequest req;
    DescribeTopicPartitionsRequest_init(&req);
    assert_false(req.cursor_present);           /* default null */
    assert_int_equal(req.response_partition_limit, 2000);
    req.topics_count = 1;
    req.topics = &topic;

    struct wbuf w;
    wbuf_init(&w);
    DescribeTopicPartitionsRequest_encode(&w, 0, &req);
    assert_encodes_to(&w, null_cursor, sizeof(null_cursor));
    req.cursor_present = true;
    req.cursor.topic_name = kstr_c("t");
    req.cursor.partition_index = 5;
    wbuf_reset(&w);
    DescribeTopicPartitionsRequest_encode(&w, 0, &req);
    assert_encodes_to(&w, with_cursor, sizeof(with_cursor));
    wbuf_free(&w);

    struct arena a;
    arena_init(&a);
    struct wbuf w2;
    const struct DescribeTopicPartitionsRequest *d =
        roundtrip(true, API_DescribeTopicPartitions, 0, &req, &a, &w2);
    assert_true(d->cursor_present);
    assert_kstr(d->cursor.topic_name, "t");
    assert_int_equal(d->cursor.partition_index, 5);
    wbuf_free(&w2);
    struct rbuf r;
    rbuf_init(&r, null_cursor, sizeof(null_cursor));
    struct DescribeTopicPartitionsRequest n;
    assert_int_equal(DescribeTopicPartitionsRequest_decode(&r, 0, &n, &a), 0);
    assert_false(n.cursor_present);
    arena_free(&a);
}

/* ---- hostile input ---- */

static void test_huge_array_count(void **state)
{
    (void)state;
    /* 2^30 topics claimed in a 10-byte frame. */
    static const uint8_t classic[10] = {0x40, 0x00, 0x00, 0x00, 0x00, 0x01, 'x', 0, 0, 0};
    /* The same count as a compact array: uvarint 2^30 + 1. */
    static const uint8_t compact[10] = {0x81, 0x80, 0x80, 0x80, 0x04, 0x02, 'x', 0, 0, 0};
    struct arena a;
    arena_init(&a);
    struct MetadataRequest m;
    decode_metadata_request(0, classic, sizeof(classic), -1, &m, &a);
    decode_metadata_request(9, compact, sizeof(compact), -1, &m, &a);
    /* Nested: one topic whose partition list claims 2^30 entries. */
    static const uint8_t nested[] = {
        0xff, 0xff, 0x00, 0x01, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x01, 't', 0x40, 0x00, 0x00, 0x00, 0, 0, 0, 0,
    };
    struct rbuf r;
    rbuf_init(&r, nested, sizeof(nested));
    struct ProduceRequest p;
    assert_int_equal(ProduceRequest_decode(&r, 3, &p, &a), -1);
    /* Nothing close to 2^30 elements was allocated. */
    assert_true(a.used_total < 4096);
    arena_free(&a);
}

/* Every generated message at every version: encoding the defaults, then
 * decoding and encoding again, gives the same bytes; truncations fail. */
static void test_all_messages_defaults(void **state)
{
    (void)state;
    int checked = 0;
    for (int16_t key = 0; key <= API_KEY_MAX; key++) {
        const struct api_spec *spec = api_spec_get(key);
        if (!spec || !spec->broker)
            continue;
        for (int req = 0; req < 2; req++) {
            size_t size = req ? kafka_request_struct_size(key) : kafka_response_struct_size(key);
            assert_true(size > 0);
            void *m = calloc(1, size);
            assert_non_null(m);
            assert_int_equal(req ? kafka_request_init(key, m) : kafka_response_init(key, m), 0);
            for (int16_t v = spec->min_version; v <= spec->max_version; v++) {
                struct arena a;
                arena_init(&a);
                struct wbuf w;
                roundtrip(req, key, v, m, &a, &w);
                wbuf_free(&w);
                arena_free(&a);
                checked++;
            }
            free(m);
        }
    }
    assert_true(checked > 300);
}

/* Random and mutated bytes through every decoder: no crash, no overread
 * (run under -fsanitize=address,undefined), and anything accepted must
 * re-encode. */
static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void fuzz_one(bool req, int16_t key, int16_t v, const uint8_t *p, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    if (n)
        memcpy(copy, p, n);
    struct arena a;
    arena_init(&a);
    struct rbuf r;
    rbuf_init(&r, copy, n);
    void *out = NULL;
    if (decode_msg(req, key, &r, v, &out, &a) == 0) {
        struct wbuf w;
        wbuf_init(&w);
        assert_int_equal(encode_msg(req, key, &w, v, out), 0);
        wbuf_free(&w);
    }
    arena_free(&a);
    free(copy);
}

static void test_fuzz_decoders(void **state)
{
    (void)state;
    uint8_t buf[96];
    for (int16_t key = 0; key <= API_KEY_MAX; key++) {
        const struct api_spec *spec = api_spec_get(key);
        if (!spec || !spec->broker)
            continue;
        for (int req = 0; req < 2; req++) {
            for (int16_t v = spec->min_version; v <= spec->max_version; v++) {
                for (int i = 0; i < 40; i++) {
                    size_t n = rng() % sizeof(buf);
                    for (size_t j = 0; j < n; j++)
                        /* Small bytes keep lengths and counts plausible. */
                        buf[j] = (uint8_t)(rng() % 4 ? rng() % 4 : rng());
                    fuzz_one(req, key, v, buf, n);
                }
            }
        }
    }
}

static void test_fuzz_mutations(void **state)
{
    (void)state;
    /* Start from a rich valid FetchResponse v16 and flip bytes. */
    static const uint8_t recs[] = {1, 2, 3, 4};
    struct FetchResponse_PartitionData part;
    FetchResponse_PartitionData_init(&part);
    part.records = (struct krecords){recs, 4, NULL, 0};
    part.current_leader_present = true;
    part.diverging_epoch_present = true;
    struct FetchResponse_FetchableTopicResponse topic;
    FetchResponse_FetchableTopicResponse_init(&topic);
    topic.partitions_count = 1;
    topic.partitions = &part;
    struct FetchResponse_NodeEndpoint node;
    FetchResponse_NodeEndpoint_init(&node);
    node.host = kstr_c("h");
    struct FetchResponse resp;
    FetchResponse_init(&resp);
    resp.responses_count = 1;
    resp.responses = &topic;
    resp.node_endpoints_count = 1;
    resp.node_endpoints = &node;
    struct wbuf w;
    wbuf_init(&w);
    FetchResponse_encode(&w, 16, &resp);
    uint8_t *buf = malloc(w.len);
    assert_non_null(buf);
    for (int i = 0; i < 5000; i++) {
        memcpy(buf, w.data, w.len);
        int flips = 1 + (int)(rng() % 3);
        for (int k = 0; k < flips; k++)
            buf[rng() % w.len] = (uint8_t)rng();
        fuzz_one(false, API_Fetch, 16, buf, w.len);
    }
    free(buf);
    wbuf_free(&w);
}

/* ---- tables ---- */

/* The first error is the first non-zero code in field order, depth
 * first, at any level: what the broker counts for every response. */
static void test_first_error(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct ProduceResponse pr;
    ProduceResponse_init(&pr);
    assert_int_equal(ProduceResponse_first_error(&pr), 0);
    pr.responses_count = 2;
    pr.responses = ProduceResponse_TopicProduceResponse_alloc(&a, 2);
    for (int i = 0; i < 2; i++) {
        pr.responses[i].partition_responses_count = 3;
        pr.responses[i].partition_responses = ProduceResponse_PartitionProduceResponse_alloc(&a, 3);
    }
    assert_int_equal(ProduceResponse_first_error(&pr), 0);
    pr.responses[1].partition_responses[2].error_code = 87;
    assert_int_equal(ProduceResponse_first_error(&pr), 87);
    pr.responses[1].partition_responses[0].error_code = 3;
    assert_int_equal(ProduceResponse_first_error(&pr), 3);

    /* A top-level code comes before the partitions'. */
    struct FetchResponse fr;
    FetchResponse_init(&fr);
    fr.responses_count = 1;
    fr.responses = FetchResponse_FetchableTopicResponse_alloc(&a, 1);
    fr.responses[0].partitions_count = 1;
    fr.responses[0].partitions = FetchResponse_PartitionData_alloc(&a, 1);
    fr.responses[0].partitions[0].error_code = 1;
    assert_int_equal(FetchResponse_first_error(&fr), 1);
    fr.error_code = 27;
    assert_int_equal(FetchResponse_first_error(&fr), 27);

    /* Codes named other than ErrorCode count too. */
    struct CreateTopicsResponse ct;
    CreateTopicsResponse_init(&ct);
    ct.topics_count = 1;
    ct.topics = CreateTopicsResponse_CreatableTopicResult_alloc(&a, 1);
    ct.topics[0].topic_config_error_code = 29;
    assert_int_equal(CreateTopicsResponse_first_error(&ct), 29);

    /* A null array (count -1) has nothing to count. */
    struct LeaveGroupResponse lg;
    LeaveGroupResponse_init(&lg);
    lg.members_count = -1;
    assert_int_equal(LeaveGroupResponse_first_error(&lg), 0);
    arena_free(&a);
}

/* <T>_alloc gives each element its defaults, and a usable pointer for 0. */
static void test_alloc_arrays(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct ProduceResponse_PartitionProduceResponse *p = ProduceResponse_PartitionProduceResponse_alloc(&a, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(p[i].log_append_time_ms, -1);
        assert_int_equal(p[i].log_start_offset, -1);
        assert_int_equal(p[i].error_message.len, -1);   /* default null */
        assert_int_equal(p[i].error_code, 0);
    }
    assert_non_null(ProduceResponse_PartitionProduceResponse_alloc(&a, 0));
    arena_free(&a);
}

/* The request header as the dispatcher reads it: v1's fields, and v2's
 * tagged fields only for flexible versions. */
static void test_request_header(void **state)
{
    (void)state;
    /* Metadata v9 (flexible), correlation id 7, client id "ab", one tag. */
    static const uint8_t v2[] = {0, 3, 0, 9, 0, 0, 0, 7, 0, 2, 'a', 'b', 1, 5, 1, 0xee, 0x42};
    struct rbuf r;
    rbuf_init(&r, v2, sizeof(v2));
    struct request_header h;
    assert_int_equal(request_header_read(&r, &h), 0);
    assert_int_equal(h.api_key, API_Metadata);
    assert_int_equal(h.api_version, 9);
    assert_int_equal(h.correlation_id, 7);
    assert_int_equal(h.client_id.len, 2);
    assert_memory_equal(h.client_id.p, "ab", 2);
    assert_true(request_header_flexible(h.api_key, h.api_version));
    assert_false(request_header_flexible(API_Metadata, 8));
    assert_false(request_header_flexible(-1, 0));
    assert_int_equal(request_header_read_tags(&r), 0);
    assert_int_equal(rbuf_left(&r), 1);        /* the body starts after the tags */
    assert_int_equal(*r.p, 0x42);

    /* A null client id is allowed; a client id longer than the frame is not. */
    static const uint8_t null_id[] = {0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff};
    rbuf_init(&r, null_id, sizeof(null_id));
    assert_int_equal(request_header_read(&r, &h), 0);
    assert_int_equal(h.client_id.len, -1);
    static const uint8_t long_id[] = {0, 18, 0, 0, 0, 0, 0, 1, 0, 9, 'x'};
    rbuf_init(&r, long_id, sizeof(long_id));
    assert_int_equal(request_header_read(&r, &h), -1);
    rbuf_init(&r, long_id, 5);
    assert_int_equal(request_header_read(&r, &h), -1);
    /* Tags claiming more bytes than remain. */
    static const uint8_t bad_tags[] = {1, 0, 9, 1};
    rbuf_init(&r, bad_tags, sizeof(bad_tags));
    assert_int_equal(request_header_read_tags(&r), -1);
}

static void test_tables(void **state)
{
    (void)state;
    const struct api_spec *p = api_spec_get(API_Produce);
    assert_non_null(p);
    assert_string_equal(p->name, "Produce");
    assert_int_equal(p->min_version, 0);
    assert_int_equal(p->max_version, 11);
    assert_int_equal(p->flexible_min, 9);
    assert_true(p->broker);
    assert_int_equal(api_specs[API_SaslHandshake].flexible_min, -1);
    assert_false(api_specs[API_LeaderAndIsr].broker);
    assert_true(api_specs[API_ShareFetch].latest_unstable);
    assert_false(api_specs[API_Metadata].latest_unstable);
    assert_null(api_spec_get(-1));
    assert_null(api_spec_get(API_KEY_MAX + 1));

    /* APIs without generated codecs are refused by the dispatchers. */
    struct arena a;
    arena_init(&a);
    struct rbuf r;
    rbuf_init(&r, "", 0);
    void *out = (void *)1;
    assert_int_equal(kafka_request_decode(API_LeaderAndIsr, &r, 0, &out, &a), -1);
    assert_null(out);
    assert_int_equal(kafka_request_struct_size(API_LeaderAndIsr), 0);
    assert_int_equal(kafka_response_struct_size(API_Produce), sizeof(struct ProduceResponse));
    arena_free(&a);

    assert_int_equal(KERR_UNKNOWN_SERVER_ERROR, -1);
    assert_int_equal(KERR_NONE, 0);
    assert_int_equal(KERR_UNSUPPORTED_VERSION, 35);
    assert_string_equal(kafka_error_name(35), "UNSUPPORTED_VERSION");
    assert_string_equal(kafka_error_name(-1), "UNKNOWN_SERVER_ERROR");
    assert_string_equal(kafka_error_name(0), "NONE");
    assert_string_equal(kafka_error_name(30000), "UNKNOWN_ERROR_CODE");
}

/* A request that gave its frame back reads from no buffer at all
 * (request_release_frame; fuzz_broker's session-produce-fetch seed found
 * NULL + 0 there): reads fail cleanly. */
static void test_reader_without_buffer(void **state)
{
    (void)state;
    struct rbuf r;
    rbuf_init(&r, NULL, 0);
    assert_int_equal(rbuf_left(&r), 0);
    assert_int_equal(r_i32(&r), 0);
    assert_int_not_equal(r.err, 0);
    struct kstr s = r_string(&r, true);
    assert_true(s.len <= 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_produce_roundtrip),
        cmocka_unit_test(test_produce_bytes),
        cmocka_unit_test(test_metadata_response_roundtrip),
        cmocka_unit_test(test_metadata_request_v0_bytes),
        cmocka_unit_test(test_metadata_request_v9_unknown_tags),
        cmocka_unit_test(test_metadata_request_nulls),
        cmocka_unit_test(test_fetch_response_roundtrip),
        cmocka_unit_test(test_fetch_response_tag_bytes),
        cmocka_unit_test(test_api_versions_v3_bytes),
        cmocka_unit_test(test_api_versions_v3_roundtrip),
        cmocka_unit_test(test_nullable_struct_bytes),
        cmocka_unit_test(test_huge_array_count),
        cmocka_unit_test(test_all_messages_defaults),
        cmocka_unit_test(test_fuzz_decoders),
        cmocka_unit_test(test_fuzz_mutations),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_first_error),
        cmocka_unit_test(test_alloc_arrays),
        cmocka_unit_test(test_request_header),
        cmocka_unit_test(test_reader_without_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
