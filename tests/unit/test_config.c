/* Properties: sources, precedence, validation and derived values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "broker/config.h"

static void test_defaults(void **state)
{
    struct config c;
    char err[256];
    config_init(&c);
    assert_true(config_finish(&c, err, sizeof(err)));
    assert_string_equal(config_str(&c, P_LISTENERS), "PLAINTEXT://127.0.0.1:9092");
    assert_string_equal(config_str(&c, P_LOG_DIRS), "./data");
    assert_int_equal(config_int(&c, P_NUM_PARTITIONS), 1);
    assert_true(config_bool(&c, P_AUTO_CREATE_TOPICS_ENABLE));
    /* 168 hours, derived the way Kafka derives it. */
    assert_int_equal(config_retention_ms(&c), 168LL * 3600 * 1000);
    config_free(&c);
}

static void test_unknown_and_invalid(void **state)
{
    struct config c;
    char err[256];
    config_init(&c);
    assert_false(config_set(&c, "no.such.thing", "1", SRC_STATIC, err, sizeof(err)));
    assert_non_null(strstr(err, "no.such.thing"));
    assert_false(config_set(&c, "num.partitions", "abc", SRC_STATIC, err, sizeof(err)));
    assert_non_null(strstr(err, "num.partitions"));
    assert_false(config_set(&c, "num.partitions", "0", SRC_STATIC, err, sizeof(err)));
    assert_false(config_set(&c, "auto.create.topics.enable", "yes", SRC_STATIC, err, sizeof(err)));
    assert_false(config_set(&c, "listeners", "SSL://x:1", SRC_STATIC, err, sizeof(err)));
    assert_non_null(strstr(err, "listeners"));
    assert_false(config_set(&c, "listeners", "PLAINTEXT://x:99999", SRC_STATIC, err, sizeof(err)));
    assert_false(config_set(&c, "log.cleanup.policy", "compact", SRC_STATIC, err, sizeof(err)));
    assert_false(config_set(&c, "log.message.timestamp.type", "Now", SRC_STATIC, err, sizeof(err)));
    assert_true(config_set(&c, "log.message.timestamp.type", "LogAppendTime", SRC_STATIC, err, sizeof(err)));
    config_free(&c);
}

static void test_precedence(void **state)
{
    char path[] = "/tmp/sluice-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# comment\nnum.partitions = 3\nlog.retention.hours: 2\nlog.dirs=/tmp/a\n";
    assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    struct config c;
    char err[256];
    config_init(&c);
    assert_true(config_load_file(&c, path, err, sizeof(err)));
    char *env[] = {"SLUICE_NUM_PARTITIONS=5", "PATH=/bin", "SLUICE_BOOTSTRAP=x:1", NULL};
    assert_true(config_load_env(&c, env, err, sizeof(err)));
    assert_true(config_set(&c, "log.dirs", "/tmp/b", SRC_STATIC, err, sizeof(err)));
    assert_true(config_finish(&c, err, sizeof(err)));
    assert_int_equal(config_int(&c, P_NUM_PARTITIONS), 5);
    assert_string_equal(config_str(&c, P_LOG_DIRS), "/tmp/b");
    assert_int_equal(config_retention_ms(&c), 2LL * 3600 * 1000);
    config_free(&c);
    unlink(path);
}

static void test_bad_file_line(void **state)
{
    char path[] = "/tmp/sluice-test-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "num.partitions=2\nthis line has no separator\n";
    assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    struct config c;
    char err[256];
    config_init(&c);
    assert_false(config_load_file(&c, path, err, sizeof(err)));
    assert_non_null(strstr(err, ":2:"));
    config_free(&c);
    unlink(path);
}

static void test_topic_configs(void **state)
{
    struct config c;
    char err[256];
    config_init(&c);
    assert_true(config_set(&c, "log.retention.ms", "1000", SRC_STATIC, err, sizeof(err)));
    assert_true(config_finish(&c, err, sizeof(err)));
    struct topic_config tc = {0};
    assert_int_equal(topic_config_int(&tc, &c, T_RETENTION_MS), 1000);
    tc.value[T_RETENTION_MS] = strdup("5");
    assert_int_equal(topic_config_int(&tc, &c, T_RETENTION_MS), 5);
    assert_false(topic_config_check("cleanup.policy", "compact", err, sizeof(err)));
    assert_true(topic_config_check("cleanup.policy", "delete", err, sizeof(err)));
    assert_false(topic_config_check("retention.ms", "-2", err, sizeof(err)));
    assert_false(topic_config_check("nope", "1", err, sizeof(err)));
    config_set_dynamic(&c, DYN_CLUSTER_DEFAULT, P_LOG_RETENTION_MS, "7");
    assert_int_equal(config_source(&c, P_LOG_RETENTION_MS), SRC_DYNAMIC_DEFAULT_BROKER);
    assert_int_equal(topic_config_int(NULL, &c, T_RETENTION_MS), 7);
    topic_config_free(&tc);
    config_free(&c);
}

static void test_endpoints(void **state)
{
    struct endpoint_spec e[4];
    char err[256];
    assert_int_equal(parse_endpoints("PLAINTEXT://127.0.0.1:9092, plaintext://[::1]:0", e, 4, err, sizeof(err)), 2);
    assert_string_equal(e[0].host, "127.0.0.1");
    assert_int_equal(e[0].port, 9092);
    assert_string_equal(e[1].name, "PLAINTEXT");
    assert_string_equal(e[1].host, "::1");
    assert_int_equal(e[1].port, 0);
    assert_int_equal(parse_endpoints("127.0.0.1:9092", e, 4, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults), cmocka_unit_test(test_unknown_and_invalid),
        cmocka_unit_test(test_precedence), cmocka_unit_test(test_bad_file_line),
        cmocka_unit_test(test_topic_configs), cmocka_unit_test(test_endpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
