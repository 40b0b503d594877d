/* The retry plan (examples/shop/lib/shop_retry.c): delays, Spring Kafka's
 * topic names, and where a failed event goes next from each stage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "shop_retry.h"

static void test_delays_grow_and_cap(void **state)
{
    (void)state;
    struct shop_retry_plan p = {.attempts = 6, .delay_ms = 1000, .multiplier = 2.0, .max_delay_ms = 5000};
    assert_int_equal(shop_retry_delay_ms(&p, 0), 1000);
    assert_int_equal(shop_retry_delay_ms(&p, 1), 2000);
    assert_int_equal(shop_retry_delay_ms(&p, 2), 4000);
    assert_int_equal(shop_retry_delay_ms(&p, 3), 5000);
    assert_int_equal(shop_retry_delay_ms(&p, 40), 5000);
    struct shop_retry_plan fixed = {.attempts = 3, .delay_ms = 250, .multiplier = 1.0, .max_delay_ms = 1000};
    assert_int_equal(shop_retry_delay_ms(&fixed, 2), 250);
}

static void test_topic_names(void **state)
{
    (void)state;
    char out[SHOP_TOPIC_MAX + 1];
    assert_int_equal(shop_retry_topic(out, sizeof out, "payments", 0), 0);
    assert_string_equal(out, "payments-retry-0");
    assert_int_equal(shop_retry_topic(out, sizeof out, "payments", 12), 0);
    assert_string_equal(out, "payments-retry-12");
    assert_int_equal(shop_dlt_topic(out, sizeof out, "payments"), 0);
    assert_string_equal(out, "payments-dlt");
    char small[10];
    assert_int_equal(shop_retry_topic(small, sizeof small, "payments", 0), -1);
}

static void test_stage_of_topic(void **state)
{
    (void)state;
    int i;
    assert_int_equal(shop_retry_stage("orders", "orders", &i), SHOP_STAGE_MAIN);
    assert_int_equal(i, -1);
    assert_int_equal(shop_retry_stage("orders", "orders-retry-2", &i), SHOP_STAGE_RETRY);
    assert_int_equal(i, 2);
    assert_int_equal(shop_retry_stage("orders", "orders-dlt", &i), SHOP_STAGE_DLT);
    /* Look-alikes are not stages of the family. */
    assert_int_equal(shop_retry_stage("orders", "orders-retry-", &i), SHOP_STAGE_MAIN);
    assert_int_equal(shop_retry_stage("orders", "orders-retry-1x", &i), SHOP_STAGE_MAIN);
    assert_int_equal(shop_retry_stage("orders", "orders-retry--1", &i), SHOP_STAGE_MAIN);
    assert_int_equal(shop_retry_stage("orders", "payments-retry-0", &i), SHOP_STAGE_MAIN);
}

static void test_next_walks_retries_then_dlt(void **state)
{
    (void)state;
    struct shop_retry_plan p = {.attempts = 3, .delay_ms = 100, .multiplier = 2.0, .max_delay_ms = 1000};
    char out[SHOP_TOPIC_MAX + 1];
    int next;
    assert_int_equal(shop_retry_topic_count(&p), 2);
    assert_int_equal(shop_retry_next(&p, "pay", "pay", out, sizeof out, &next), SHOP_STAGE_RETRY);
    assert_string_equal(out, "pay-retry-0");
    assert_int_equal(next, 0);
    assert_int_equal(shop_retry_next(&p, "pay", "pay-retry-0", out, sizeof out, &next), SHOP_STAGE_RETRY);
    assert_string_equal(out, "pay-retry-1");
    assert_int_equal(next, 1);
    assert_int_equal(shop_retry_next(&p, "pay", "pay-retry-1", out, sizeof out, &next), SHOP_STAGE_DLT);
    assert_string_equal(out, "pay-dlt");
    assert_int_equal(next, -1);
    /* One attempt: no retry topics at all. */
    struct shop_retry_plan once = {.attempts = 1, .delay_ms = 100, .multiplier = 2.0, .max_delay_ms = 1000};
    assert_int_equal(shop_retry_topic_count(&once), 0);
    assert_int_equal(shop_retry_next(&once, "pay", "pay", out, sizeof out, &next), SHOP_STAGE_DLT);
    assert_string_equal(out, "pay-dlt");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delays_grow_and_cap),
        cmocka_unit_test(test_topic_names),
        cmocka_unit_test(test_stage_of_topic),
        cmocka_unit_test(test_next_walks_retries_then_dlt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
