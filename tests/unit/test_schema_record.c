/* `_schemas` records: Confluent's key and value JSON, written from
 * changes and read back into a registry, including records that a
 * Confluent registry wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "schema/avro.h"
#include "schema/record.h"

static const struct sr_format *const formats[] = {&avro_format, NULL};

static bool apply_text(struct schema_registry *r, const char *key, const char *value)
{
    return sr_record_apply(r, key, strlen(key), value, value ? strlen(value) : 0, value == NULL);
}

static void roundtrip(struct schema_registry *to, struct sr_change *c, const char *want_key, const char *want_value)
{
    char *key, *value;
    sr_record_encode(c, &key, &value);
    assert_string_equal(key, want_key);
    if (want_value)
        assert_string_equal(value, want_value);
    else
        assert_null(value);
    assert_true(apply_text(to, key, value));
    free(key);
    free(value);
}

static void test_encode_and_replay(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    struct sr_change c = {.kind = SR_CHANGE_SCHEMA, .subject = "s", .version = 1, .id = 7, .type = "AVRO",
                          .canonical = "\"string\""};
    roundtrip(&r, &c, "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1}",
              "{\"subject\":\"s\",\"version\":1,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":false}");
    assert_int_equal(sr_schema_by_id(&r, 7)->id, 7);
    c.deleted = true;
    roundtrip(&r, &c, "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1}",
              "{\"subject\":\"s\",\"version\":1,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":true}");
    assert_false(sr_subject_live(sr_subject(&r, "s")));
    struct sr_change del = {.kind = SR_CHANGE_DELETE, .subject = "s", .version = 1};
    roundtrip(&r, &del, "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1}", NULL);
    assert_null(sr_subject(&r, "s"));
    assert_int_equal(r.max_id, 7);

    struct sr_change cfg = {.kind = SR_CHANGE_COMPAT, .compat = SR_COMPAT_FULL};
    roundtrip(&r, &cfg, "{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}", "{\"compatibilityLevel\":\"FULL\"}");
    assert_int_equal(r.compat, SR_COMPAT_FULL);
    struct sr_change sub = {.kind = SR_CHANGE_COMPAT, .subject = "t", .compat = SR_COMPAT_NONE};
    roundtrip(&r, &sub, "{\"keytype\":\"CONFIG\",\"subject\":\"t\",\"magic\":0}", "{\"compatibilityLevel\":\"NONE\"}");
    assert_int_equal(sr_compat_for(&r, "t"), SR_COMPAT_NONE);
    sub.compat = SR_COMPAT_UNSET;
    roundtrip(&r, &sub, "{\"keytype\":\"CONFIG\",\"subject\":\"t\",\"magic\":0}", NULL);
    assert_int_equal(sr_compat_for(&r, "t"), SR_COMPAT_FULL);
    struct sr_change mode = {.kind = SR_CHANGE_MODE, .subject = "t", .mode = SR_MODE_READONLY};
    roundtrip(&r, &mode, "{\"keytype\":\"MODE\",\"subject\":\"t\",\"magic\":0}", "{\"mode\":\"READONLY\"}");
    assert_int_equal(sr_mode_for(&r, "t"), SR_MODE_READONLY);
    sr_free(&r);
}

static void test_confluents_records(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    /* Confluent's text of a schema, not ours: stored canonical, so the
     * same schema registered here finds it. */
    assert_true(apply_text(&r, "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1}",
                           "{\"subject\":\"s\",\"version\":1,\"id\":1,\"schema\":\"{\\\"type\\\":\\\"string\\\"}\","
                           "\"deleted\":false}"));
    assert_true(apply_text(&r, "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":2,\"magic\":1}",
                           "{\"subject\":\"s\",\"version\":2,\"id\":2,\"schema\":\"\\\"bytes\\\"\",\"deleted\":false}"));
    const struct sr_version *v;
    char err[128];
    assert_int_equal(sr_lookup(&r, "s", NULL, "\"string\"", NULL, false, &v, err, sizeof(err)), SR_OK);
    assert_int_equal(v->schema->id, 1);
    /* Confluent's soft delete of a whole subject. */
    assert_true(apply_text(&r, "{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"s\",\"magic\":0}",
                           "{\"subject\":\"s\",\"version\":2}"));
    assert_false(sr_subject_live(sr_subject(&r, "s")));
    /* Keys it uses to sync, and garbage, are skipped. */
    assert_false(apply_text(&r, "{\"keytype\":\"NOOP\",\"magic\":0}", "{}"));
    assert_false(apply_text(&r, "\x01\x02", "x"));
    assert_false(apply_text(&r, "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":3,\"magic\":1}",
                            "{\"schema\":\"{not avro\",\"id\":3}"));
    assert_false(apply_text(&r, "{\"keytype\":\"CONFIG\",\"subject\":null}", "{\"compatibilityLevel\":\"SIDEWAYS\"}"));
    /* A subject that is not a string is not the global setting either. */
    assert_false(apply_text(&r, "{\"keytype\":\"CONFIG\",\"subject\":7}", "{\"compatibilityLevel\":\"NONE\"}"));
    assert_int_equal(r.compat, SR_COMPAT_BACKWARD);
    sr_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_and_replay),
        cmocka_unit_test(test_confluents_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
