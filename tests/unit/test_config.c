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
#include "broker/config_store.h"

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

/* Every embedded default passes its own property's rules. */
static void test_defaults_are_valid(void **state)
{
    char err[256];
    for (int i = 0; i < P__COUNT; i++) {
        const struct prop_def *d = &broker_prop_defs[i];
        if (d->def[0] && !prop_validate(d, d->def, err, sizeof(err)))
            fail_msg("%s", err);
    }
}

static void test_unknown_and_invalid(void **state)
{
    struct config c;
    char err[256];
    config_init(&c);
    assert_false(config_set(&c, "no.such.thing", "1", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "no.such.thing"));
    assert_false(config_set(&c, "num.partitions", "abc", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "num.partitions"));
    assert_false(config_set(&c, "num.partitions", "0", ORIGIN_FLAG, err, sizeof(err)));
    assert_false(config_set(&c, "auto.create.topics.enable", "yes", ORIGIN_FLAG, err, sizeof(err)));
    assert_false(config_set(&c, "listeners", "PLAINTEXT://x:1,PLAINTEXT://x:2", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "listeners"));
    assert_false(config_set(&c, "listeners", "A://x:1,B://y:1", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "port 1"));
    assert_false(config_set(&c, "listener.security.protocol.map", "A:TLS", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "listener.security.protocol.map"));
    assert_false(config_set(&c, "listeners", "PLAINTEXT://x:99999", ORIGIN_FLAG, err, sizeof(err)));
    assert_false(config_set(&c, "log.cleanup.policy", "compact", ORIGIN_FLAG, err, sizeof(err)));
    assert_false(config_set(&c, "log.message.timestamp.type", "Now", ORIGIN_FLAG, err, sizeof(err)));
    assert_true(config_set(&c, "log.message.timestamp.type", "LogAppendTime", ORIGIN_FLAG, err, sizeof(err)));
    config_free(&c);
}

/* Rules across listeners, advertised.listeners and the protocol map. */
static void expect_finish_error(const char *listeners, const char *advertised, const char *map, const char *needle)
{
    struct config c;
    char err[256] = "";
    config_init(&c);
    assert_true(config_set(&c, "listeners", listeners, ORIGIN_FLAG, err, sizeof(err)));
    if (advertised)
        assert_true(config_set(&c, "advertised.listeners", advertised, ORIGIN_FLAG, err, sizeof(err)));
    if (map)
        assert_true(config_set(&c, "listener.security.protocol.map", map, ORIGIN_FLAG, err, sizeof(err)));
    bool ok = config_finish(&c, err, sizeof(err));
    if (needle) {
        assert_false(ok);
        if (!strstr(err, needle))
            fail_msg("expected '%s' in: %s", needle, err);
    } else if (!ok) {
        fail_msg("%s", err);
    }
    config_free(&c);
}

static void test_listener_rules(void **state)
{
    expect_finish_error("PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093", "PLAINTEXT://h:19092",
                        "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT", NULL);
    expect_finish_error("PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093", NULL, NULL, "listener.security.protocol.map");
    expect_finish_error("SSL://x:1", NULL, NULL, "not built yet");
    expect_finish_error("CLIENT://x:1", NULL, "client:sasl_ssl", "SASL_SSL");
    expect_finish_error("PLAINTEXT://x:1", "OTHER://h:2", NULL, "advertised.listeners");
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
    assert_true(config_set(&c, "log.dirs", "/tmp/b", ORIGIN_FLAG, err, sizeof(err)));
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
    assert_true(config_set(&c, "log.retention.ms", "1000", ORIGIN_FLAG, err, sizeof(err)));
    assert_true(config_finish(&c, err, sizeof(err)));
    struct topic_config tc = {0};
    assert_int_equal(topic_config_int(&tc, &c, T_RETENTION_MS), 1000);
    assert_true(topic_config_set(&tc, "retention.ms", " 5 ", err, sizeof(err)));
    assert_int_equal(topic_config_int(&tc, &c, T_RETENTION_MS), 5);
    assert_false(topic_config_check("cleanup.policy", "compact", err, sizeof(err)));
    assert_true(topic_config_check("cleanup.policy", "delete", err, sizeof(err)));
    assert_false(topic_config_check("retention.ms", "-2", err, sizeof(err)));
    assert_false(topic_config_check("nope", "1", err, sizeof(err)));
    assert_true(config_set_dynamic(&c, DYN_CLUSTER_DEFAULT, P_LOG_RETENTION_MS, "7", err, sizeof(err)));
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

/* Kafka's ConfigDef forms: trimmed values, booleans in any case, exact
 * enumerated values, comma-separated lists of allowed items. */
static void test_kafka_forms(void **state)
{
    struct config c;
    char err[256];
    config_init(&c);
    assert_true(config_set(&c, "sluice.validate.compressed.batches", "FALSE", ORIGIN_FLAG, err, sizeof(err)));
    assert_false(config_bool(&c, P_VALIDATE_COMPRESSED));
    assert_true(config_set(&c, "sluice.validate.compressed.batches", "TRUE", ORIGIN_FLAG, err, sizeof(err)));
    assert_true(config_bool(&c, P_VALIDATE_COMPRESSED));
    assert_true(config_set(&c, "auto.create.topics.enable", " False ", ORIGIN_FILE, err, sizeof(err)));
    assert_false(config_bool(&c, P_AUTO_CREATE_TOPICS_ENABLE));
    assert_string_equal(config_str(&c, P_AUTO_CREATE_TOPICS_ENABLE), "False");
    assert_false(config_set(&c, "auto.create.topics.enable", "1", ORIGIN_FLAG, err, sizeof(err)));
    assert_true(config_set(&c, "num.partitions", " 12\t", ORIGIN_FLAG, err, sizeof(err)));
    assert_int_equal(config_int(&c, P_NUM_PARTITIONS), 12);
    /* INT range: beyond int32 is refused even where max allows it. */
    assert_false(config_set(&c, "log.segment.bytes", "4294967296", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "between"));
    assert_true(config_set(&c, "log.retention.bytes", "4294967296", ORIGIN_FLAG, err, sizeof(err)));
    assert_int_equal(config_int(&c, P_LOG_RETENTION_BYTES), 4294967296LL);
    /* Enumerations are exact, as Kafka's ValidString. */
    assert_false(config_set(&c, "log.message.timestamp.type", "logappendtime", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "CreateTime or LogAppendTime"));
    assert_true(config_set(&c, "log.message.timestamp.type", "LogAppendTime ", ORIGIN_FLAG, err, sizeof(err)));
    assert_int_equal(config_int(&c, P_LOG_MESSAGE_TIMESTAMP_TYPE), TIMESTAMP_LOG_APPEND_TIME);
    assert_true(config_set(&c, "log.format", "json", ORIGIN_FLAG, err, sizeof(err)));
    assert_int_equal(config_int(&c, P_LOG_FORMAT), LOG_FORMAT_JSON);
    assert_false(config_set(&c, "log.level", "info,warn", ORIGIN_FLAG, err, sizeof(err)));
    /* compression.type: Kafka's names are known, only producer is served. */
    assert_false(config_set(&c, "compression.type", "gzip", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "only 'producer'"));
    assert_false(config_set(&c, "compression.type", "brotli", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "expected uncompressed"));
    /* Lists: items trimmed, each allowed, none empty. */
    assert_true(config_set(&c, "log.cleanup.policy", " delete , delete", ORIGIN_FLAG, err, sizeof(err)));
    assert_int_equal(config_int(&c, P_LOG_CLEANUP_POLICY), CLEANUP_DELETE);
    assert_false(config_set(&c, "log.cleanup.policy", "delete,", ORIGIN_FLAG, err, sizeof(err)));
    assert_false(config_set(&c, "log.cleanup.policy", "delete,remove", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "'remove'"));
    assert_false(config_set(&c, "log.cleanup.policy", "delete,compact", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "not supported"));
    /* A refused value leaves the previous one in place. */
    assert_int_equal(config_int(&c, P_LOG_CLEANUP_POLICY), CLEANUP_DELETE);
    assert_int_equal(config_int(&c, P_NUM_PARTITIONS), 12);
    config_free(&c);
}

/* A topic override is parsed the same way and wins over the broker value. */
static void test_topic_typed(void **state)
{
    struct config c;
    char err[256];
    config_init(&c);
    struct topic_config tc = {0};
    assert_true(topic_config_bool(&tc, &c, T_VALIDATE_COMPRESSED));
    assert_true(topic_config_set(&tc, "sluice.validate.compressed.batches", "False", err, sizeof(err)));
    assert_false(topic_config_bool(&tc, &c, T_VALIDATE_COMPRESSED));
    assert_true(topic_config_set(&tc, "message.timestamp.type", "LogAppendTime", err, sizeof(err)));
    assert_int_equal(topic_config_int(&tc, &c, T_MESSAGE_TIMESTAMP_TYPE), TIMESTAMP_LOG_APPEND_TIME);
    assert_string_equal(topic_config_origin_name(&tc, T_MAX_MESSAGE_BYTES), "message.max.bytes");
    assert_true(topic_config_set(&tc, "max.message.bytes", "2048", err, sizeof(err)));
    assert_string_equal(topic_config_origin_name(&tc, T_MAX_MESSAGE_BYTES), "max.message.bytes");
    assert_false(topic_config_set(&tc, "max.message.bytes", "big", err, sizeof(err)));
    assert_int_equal(topic_config_int(&tc, &c, T_MAX_MESSAGE_BYTES), 2048);
    struct topic_config copy;
    topic_config_copy(&copy, &tc);
    assert_true(topic_config_set(&tc, "max.message.bytes", NULL, err, sizeof(err)));
    assert_int_equal(topic_config_int(&tc, &c, T_MAX_MESSAGE_BYTES), 1048588);
    assert_int_equal(topic_config_int(&copy, &c, T_MAX_MESSAGE_BYTES), 2048);
    topic_config_free(&copy);
    topic_config_free(&tc);
    config_free(&c);
}

static void test_unknown_suggests(void **state)
{
    struct config c;
    char err[256];
    config_init(&c);
    assert_false(config_set(&c, "num.partition", "3", ORIGIN_FLAG, err, sizeof(err)));
    assert_non_null(strstr(err, "did you mean num.partitions?"));
    assert_false(config_set(&c, "retention.ms", "3", ORIGIN_FILE, err, sizeof(err)));
    assert_non_null(strstr(err, "did you mean log.retention.ms?"));
    assert_false(config_set(&c, "no.such.thing", "1", ORIGIN_FLAG, err, sizeof(err)));
    assert_null(strstr(err, "did you mean"));
    config_free(&c);
}

/* Kubernetes' service variables are not properties: ignored, noted. */
static void test_env_unknown_ignored(void **state)
{
    struct config c;
    char err[256];
    config_init(&c);
    char *env[] = {"SLUICE_PORT=tcp://10.96.0.10:9092", "SLUICE_SERVICE_HOST=10.96.0.10",
                   "SLUICE_PORT_9092_TCP_ADDR=10.96.0.10", "SLUICE_NUM_PARTITIONS=4", NULL};
    assert_true(config_load_env(&c, env, err, sizeof(err)));
    assert_int_equal(config_int(&c, P_NUM_PARTITIONS), 4);
    assert_int_equal(c.origin[P_NUM_PARTITIONS], ORIGIN_ENV);
    assert_string_equal(c.ignored_env, "SLUICE_PORT SLUICE_SERVICE_HOST SLUICE_PORT_9092_TCP_ADDR");
    char *bad[] = {"SLUICE_NUM_PARTITIONS=many", NULL};
    assert_false(config_load_env(&c, bad, err, sizeof(err)));
    assert_non_null(strstr(err, "SLUICE_NUM_PARTITIONS"));
    config_free(&c);
}

static void test_secrets(void **state)
{
    struct prop_def d = {.name = "sasl.jaas.config", .type = PT_STRING};
    assert_true(prop_is_secret(&d));
    d.name = "ssl.keystore.password";
    assert_true(prop_is_secret(&d));
    d.name = "some.secret.key";
    assert_true(prop_is_secret(&d));
    d = (struct prop_def){.name = "anything", .type = PT_PASSWORD};
    assert_true(prop_is_secret(&d));
    for (int i = 0; i < P__COUNT; i++)
        assert_false(prop_is_secret(&broker_prop_defs[i]));
}

/* Dynamic configs survive a restart; an entry no longer valid is skipped. */
static void test_store_round_trip(void **state)
{
    char dir[] = "/tmp/sluice-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct config c;
    char err[256];
    config_init(&c);
    assert_true(config_set_dynamic(&c, DYN_BROKER, P_NUM_PARTITIONS, "6", err, sizeof(err)));
    assert_true(config_set_dynamic(&c, DYN_CLUSTER_DEFAULT, P_VALIDATE_COMPRESSED, "FALSE", err, sizeof(err)));
    assert_false(config_set_dynamic(&c, DYN_BROKER, P_NUM_PARTITIONS, "0", err, sizeof(err)));
    assert_int_equal(config_store_save(&c, dir), 0);
    config_free(&c);
    config_init(&c);
    assert_int_equal(config_store_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(config_int(&c, P_NUM_PARTITIONS), 6);
    assert_int_equal(config_source(&c, P_NUM_PARTITIONS), SRC_DYNAMIC_BROKER);
    assert_false(config_bool(&c, P_VALIDATE_COMPRESSED));
    config_free(&c);
    char path[300];
    snprintf(path, sizeof(path), "%s/broker-config.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"version\": 2, \"broker\": {\"num.partitions\": \"0\", \"log.dirs\": \"/x\", \"nope\": \"1\"}}", f);
    fclose(f);
    config_init(&c);
    assert_int_equal(config_store_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(config_int(&c, P_NUM_PARTITIONS), 1);
    assert_string_equal(config_str(&c, P_LOG_DIRS), "./data");
    config_free(&c);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults), cmocka_unit_test(test_defaults_are_valid),
        cmocka_unit_test(test_unknown_and_invalid),
        cmocka_unit_test(test_listener_rules),
        cmocka_unit_test(test_precedence), cmocka_unit_test(test_bad_file_line),
        cmocka_unit_test(test_topic_configs), cmocka_unit_test(test_endpoints),
        cmocka_unit_test(test_kafka_forms), cmocka_unit_test(test_topic_typed),
        cmocka_unit_test(test_unknown_suggests), cmocka_unit_test(test_env_unknown_ignored),
        cmocka_unit_test(test_secrets), cmocka_unit_test(test_store_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
