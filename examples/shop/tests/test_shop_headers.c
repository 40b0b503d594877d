/* Header building (examples/shop/lib/shop_ce.c, shop_dlt.c): CloudEvents
 * binary-mode attributes and Spring Kafka's dead-letter and retry headers,
 * byte for byte as Java's ByteBuffer writes them. librdkafka's header
 * lists need no client or socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "shop_ce.h"
#include "shop_dlt.h"

static const uint8_t *raw(rd_kafka_headers_t *h, const char *name, size_t *len)
{
    const void *v = NULL;
    assert_int_equal(rd_kafka_header_get_last(h, name, &v, len), RD_KAFKA_RESP_ERR_NO_ERROR);
    return v;
}

static void test_ce_ids_are_uuid4(void **state)
{
    (void)state;
    char a[SHOP_CE_ID_LEN + 1], b[SHOP_CE_ID_LEN + 1];
    assert_int_equal(shop_ce_new_id(a), 0);
    assert_int_equal(shop_ce_new_id(b), 0);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    assert_int_equal(a[8], '-');
    assert_int_equal(a[14], '4');
    assert_true(strchr("89ab", a[19]) != NULL);
}

static void test_ce_time_is_rfc3339(void **state)
{
    (void)state;
    char t[SHOP_CE_TIME_LEN + 1];
    shop_ce_format_time(t, 1796534400123LL);   /* 2026-12-06T05:20:00.123Z */
    assert_string_equal(t, "2026-12-06T05:20:00.123Z");
    shop_ce_format_time(t, 0);
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
}

static void test_ce_headers_round_trip(void **state)
{
    (void)state;
    struct shop_ce ce, back;
    assert_int_equal(shop_ce_init(&ce, "/shop/orders", "shop.order.placed", SHOP_CE_CONTENT_AVRO), 0);
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    shop_ce_add_headers(h, &ce);
    size_t len;
    const uint8_t *v = raw(h, "ce_specversion", &len);
    assert_int_equal(len, 3);
    assert_memory_equal(v, "1.0", 3);
    v = raw(h, "content-type", &len);
    assert_memory_equal(v, "application/avro", len);
    assert_int_equal(shop_ce_read_headers(h, &back), 0);
    assert_string_equal(back.id, ce.id);
    assert_string_equal(back.source, "/shop/orders");
    assert_string_equal(back.type, "shop.order.placed");
    assert_string_equal(back.time, ce.time);
    rd_kafka_headers_destroy(h);
}

static void test_ce_read_refuses_non_events(void **state)
{
    (void)state;
    struct shop_ce back;
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    assert_int_equal(shop_ce_read_headers(h, &back), -1);      /* no headers */
    rd_kafka_header_add(h, "ce_specversion", -1, "0.3", 3);
    rd_kafka_header_add(h, "ce_id", -1, "x", 1);
    rd_kafka_header_add(h, "ce_source", -1, "s", 1);
    rd_kafka_header_add(h, "ce_type", -1, "t", 1);
    assert_int_equal(shop_ce_read_headers(h, &back), -1);      /* wrong version */
    rd_kafka_header_add(h, "ce_specversion", -1, "1.0", 3);    /* the last one counts */
    assert_int_equal(shop_ce_read_headers(h, &back), 0);
    rd_kafka_header_remove(h, "ce_type");
    assert_int_equal(shop_ce_read_headers(h, &back), -1);      /* missing type */
    rd_kafka_header_add(h, "ce_type", -1, NULL, 0);            /* a null value */
    assert_int_equal(shop_ce_read_headers(h, &back), -1);
    rd_kafka_headers_destroy(h);
}

static void test_dlt_origin_encoding(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    struct shop_dlt_origin o = {.topic = "payments", .partition = 258, .offset = 0x0102030405LL,
                                .timestamp_ms = 1796534400123LL};
    shop_dlt_add_origin(h, &o);
    size_t len;
    const uint8_t *v = raw(h, "kafka_dlt-original-partition", &len);
    assert_int_equal(len, 4);
    assert_memory_equal(v, "\x00\x00\x01\x02", 4);
    v = raw(h, "kafka_dlt-original-offset", &len);
    assert_int_equal(len, 8);
    assert_memory_equal(v, "\x00\x00\x00\x01\x02\x03\x04\x05", 8);
    v = raw(h, "kafka_dlt-original-topic", &len);
    assert_int_equal(len, 8);
    assert_memory_equal(v, "payments", 8);
    v = raw(h, "kafka_dlt-original-timestamp-type", &len);
    assert_memory_equal(v, "CreateTime", len);

    /* A second hop (retry topic to DLT) keeps the main topic's coordinates. */
    struct shop_dlt_origin later = {.topic = "payments-retry-1", .partition = 0, .offset = 9, .timestamp_ms = 1};
    shop_dlt_add_origin(h, &later);
    struct shop_dlt_origin back;
    assert_int_equal(shop_dlt_read_origin(h, &back), 0);
    assert_string_equal(back.topic, "payments");
    assert_int_equal(back.partition, 258);
    assert_int_equal(back.offset, 0x0102030405LL);
    assert_int_equal(back.timestamp_ms, 1796534400123LL);
    rd_kafka_headers_destroy(h);
}

static void test_dlt_read_refuses_malformed(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    struct shop_dlt_origin back;
    rd_kafka_header_add(h, "kafka_dlt-original-topic", -1, "t", 1);
    rd_kafka_header_add(h, "kafka_dlt-original-partition", -1, "\0\0\0", 3);   /* 3 bytes, not 4 */
    rd_kafka_header_add(h, "kafka_dlt-original-offset", -1, "\0\0\0\0\0\0\0\0", 8);
    rd_kafka_header_add(h, "kafka_dlt-original-timestamp", -1, "\0\0\0\0\0\0\0\0", 8);
    assert_int_equal(shop_dlt_read_origin(h, &back), -1);
    rd_kafka_headers_destroy(h);
}

static void test_exception_and_retry_headers_replace(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    assert_int_equal(shop_retry_attempt(h), 1);
    assert_int_equal(shop_retry_due_ms(h), 0);
    shop_dlt_set_exception(h, "shop.HandlerFailed", "gateway down");
    shop_dlt_set_exception(h, "shop.HandlerFailed", "gateway timed out");
    shop_retry_set_due(h, 2, 1000);
    shop_retry_set_due(h, 3, 0x0102030405060708LL);
    size_t len;
    const uint8_t *v = raw(h, "kafka_dlt-exception-message", &len);
    assert_int_equal(len, strlen("gateway timed out"));
    assert_memory_equal(v, "gateway timed out", len);
    v = raw(h, "retry_topic-attempts", &len);
    assert_memory_equal(v, "\x00\x00\x00\x03", 4);
    v = raw(h, "retry_topic-backoff-timestamp", &len);
    assert_memory_equal(v, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    assert_int_equal(shop_retry_attempt(h), 3);
    assert_int_equal(shop_retry_due_ms(h), 0x0102030405060708LL);
    /* Exactly one of each after the replacements. */
    int count = 0;
    const void *any;
    for (size_t i = 0; rd_kafka_header_get(h, i, "retry_topic-attempts", &any, &len) == 0; i++)
        count++;
    assert_int_equal(count, 1);
    rd_kafka_headers_destroy(h);
}

static void test_strip_leaves_the_event(void **state)
{
    (void)state;
    struct shop_ce ce, back;
    assert_int_equal(shop_ce_init(&ce, "/shop/test", "shop.t", NULL), 0);
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    shop_ce_add_headers(h, &ce);
    rd_kafka_header_add(h, "trace", -1, "x", 1);
    struct shop_dlt_origin o = {.topic = "payments", .partition = 1, .offset = 2, .timestamp_ms = 3};
    shop_dlt_add_origin(h, &o);
    shop_dlt_set_exception(h, "shop.HandlerFailed", "down");
    shop_retry_set_due(h, 4, 5);
    shop_dlt_strip(h);
    assert_int_equal(rd_kafka_header_cnt(h), 6);   /* five ce_* (no content type given) and trace */
    assert_int_equal(shop_ce_read_headers(h, &back), 0);
    assert_string_equal(back.id, ce.id);
    assert_int_equal(shop_retry_attempt(h), 1);
    rd_kafka_headers_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ce_ids_are_uuid4),
        cmocka_unit_test(test_ce_time_is_rfc3339),
        cmocka_unit_test(test_ce_headers_round_trip),
        cmocka_unit_test(test_ce_read_refuses_non_events),
        cmocka_unit_test(test_dlt_origin_encoding),
        cmocka_unit_test(test_dlt_read_refuses_malformed),
        cmocka_unit_test(test_exception_and_retry_headers_replace),
        cmocka_unit_test(test_strip_leaves_the_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
