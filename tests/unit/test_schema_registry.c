/* The schema registry's state: ids, versions, deletes, config and mode,
 * with the real Avro format behind it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "schema/avro.h"
#include "schema/registry.h"

static const struct sr_format *const formats[] = {&avro_format, NULL};

#define V1 "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}"
/* V1 again with other whitespace and attribute order: the same schema. */
#define V1_SPACED "{ \"name\": \"User\", \"type\": \"record\",\n \"fields\": [ {\"type\": {\"type\": \"long\"}, \"name\": \"id\"} ] }"
/* Adds a field with a default: backward compatible with V1. */
#define V2 "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}," \
           "{\"name\":\"email\",\"type\":\"string\",\"default\":\"\"}]}"
/* Adds a field without a default: V3 cannot read V1's data. */
#define V3 "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}," \
           "{\"name\":\"age\",\"type\":\"int\"}]}"

/* Plans and applies one registration, as the service layer will. */
static enum sr_err reg(struct schema_registry *r, const char *subject, const char *text, int32_t *id, int32_t *version)
{
    struct sr_register_req req = {.subject = subject, .text = text};
    struct sr_register_plan plan;
    char err[512];
    enum sr_err e = sr_register_plan(r, &req, &plan, err, sizeof(err));
    if (e == SR_OK && !plan.existing)
        assert_true(sr_apply_schema(r, subject, plan.version, plan.id, plan.format->type, plan.canonical, &plan.refs, false));
    if (e == SR_OK) {
        *id = plan.id;
        *version = plan.version;
    }
    sr_register_plan_free(&plan);
    return e;
}

static void test_ids_and_versions(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    int32_t id, version;
    assert_int_equal(reg(&r, "users-value", V1, &id, &version), SR_OK);
    assert_int_equal(id, 1);
    assert_int_equal(version, 1);
    /* The same schema, however written, is the existing version. */
    assert_int_equal(reg(&r, "users-value", V1_SPACED, &id, &version), SR_OK);
    assert_int_equal(id, 1);
    assert_int_equal(version, 1);
    assert_int_equal(reg(&r, "users-value", V2, &id, &version), SR_OK);
    assert_int_equal(id, 2);
    assert_int_equal(version, 2);
    /* Another subject registering V1 shares its global id. */
    assert_int_equal(reg(&r, "other-value", V1, &id, &version), SR_OK);
    assert_int_equal(id, 1);
    assert_int_equal(version, 1);

    const struct sr_version *v;
    assert_int_equal(sr_version_get(&r, "users-value", -1, false, &v), SR_OK);
    assert_int_equal(v->version, 2);
    assert_int_equal(v->schema->id, 2);
    assert_int_equal(sr_version_get(&r, "users-value", 3, false, &v), SR_VERSION_NOT_FOUND);
    assert_int_equal(sr_version_get(&r, "nobody", 1, false, &v), SR_SUBJECT_NOT_FOUND);

    char err[256];
    assert_int_equal(sr_lookup(&r, "users-value", NULL, V1_SPACED, NULL, false, &v, err, sizeof(err)), SR_OK);
    assert_int_equal(v->version, 1);
    assert_int_equal(sr_lookup(&r, "users-value", NULL, V3, NULL, false, &v, err, sizeof(err)), SR_SCHEMA_NOT_FOUND);
    assert_int_equal(sr_lookup(&r, "nobody", NULL, V1, NULL, false, &v, err, sizeof(err)), SR_SUBJECT_NOT_FOUND);
    assert_int_equal(sr_lookup(&r, "users-value", "PROTOBUF", V1, NULL, false, &v, err, sizeof(err)), SR_INVALID_SCHEMA);

    size_t n;
    const char **names = sr_subjects(&r, false, &n);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "other-value");
    assert_string_equal(names[1], "users-value");
    free((void *)names);
    assert_non_null(sr_schema_by_id(&r, 2));
    assert_null(sr_schema_by_id(&r, 3));
    sr_free(&r);
}

static void test_invalid_and_incompatible(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    int32_t id, version;
    assert_int_equal(reg(&r, "s", "{\"type\":\"record\"", &id, &version), SR_INVALID_SCHEMA);
    assert_int_equal(reg(&r, "s", "{\"type\":\"nosuchtype\"}", &id, &version), SR_INVALID_SCHEMA);
    /* Defaults must fit their field's type; a union's, its first branch. */
#define WITH_DEFAULT(type, def) "{\"type\":\"record\",\"name\":\"D\",\"fields\":[{\"name\":\"f\",\"type\":" type ",\"default\":" def "}]}"
    static const struct {
        const char *schema;
        bool valid;
    } defaults[] = {
        {WITH_DEFAULT("\"int\"", "\"x\""), false},
        {WITH_DEFAULT("\"int\"", "3"), true},
        {WITH_DEFAULT("\"string\"", "null"), false},
        {WITH_DEFAULT("[\"null\",\"string\"]", "\"a\""), false},
        {WITH_DEFAULT("[\"null\",\"string\"]", "null"), true},
        {WITH_DEFAULT("[\"string\",\"null\"]", "\"a\""), true},
        {WITH_DEFAULT("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}", "\"B\""), false},
        {WITH_DEFAULT("{\"type\":\"array\",\"items\":\"long\"}", "[1,2]"), true},
        {WITH_DEFAULT("{\"type\":\"map\",\"values\":\"boolean\"}", "{\"a\":1}"), false},
        {WITH_DEFAULT("\"double\"", "1.5"), true},
    };
    for (size_t i = 0; i < sizeof(defaults) / sizeof(*defaults); i++) {
        struct sr_register_req dreq = {.subject = "d", .text = defaults[i].schema};
        struct sr_register_plan dplan;
        char derr[256];
        enum sr_err want = defaults[i].valid ? SR_OK : SR_INVALID_SCHEMA;
        if (sr_register_plan(&r, &dreq, &dplan, derr, sizeof(derr)) != want)
            fail_msg("default case %zu: %s", i, defaults[i].schema);
        sr_register_plan_free(&dplan);
    }
    assert_int_equal(reg(&r, "s", V1, &id, &version), SR_OK);
    /* BACKWARD by default: V3 adds a field without a default. */
    struct sr_register_req req = {.subject = "s", .text = V3};
    struct sr_register_plan plan;
    char err[512];
    assert_int_equal(sr_register_plan(&r, &req, &plan, err, sizeof(err)), SR_INCOMPATIBLE);
    assert_non_null(strstr(err, "age"));
    sr_register_plan_free(&plan);
    bool ok;
    assert_int_equal(sr_check(&r, "s", -1, NULL, V3, NULL, &ok, err, sizeof(err)), SR_OK);
    assert_false(ok);
    assert_int_equal(sr_check(&r, "s", 1, NULL, V2, NULL, &ok, err, sizeof(err)), SR_OK);
    assert_true(ok);
    assert_int_equal(sr_check(&r, "s", 7, NULL, V2, NULL, &ok, err, sizeof(err)), SR_VERSION_NOT_FOUND);
    /* With the subject at NONE, anything valid goes. */
    sr_apply_compat(&r, "s", SR_COMPAT_NONE);
    assert_int_equal(reg(&r, "s", V3, &id, &version), SR_OK);
    assert_int_equal(id, 2);
    assert_int_equal(r.compat, SR_COMPAT_BACKWARD);
    sr_free(&r);
}

static void test_deletes(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    int32_t id, version, resolved;
    char err[256];
    assert_int_equal(reg(&r, "s", V1, &id, &version), SR_OK);
    assert_int_equal(reg(&r, "s", V2, &id, &version), SR_OK);

    /* A permanent delete needs a soft one first. */
    assert_int_equal(sr_delete_version_plan(&r, "s", 2, true, &resolved, err, sizeof(err)),
                     SR_VERSION_NOT_SOFT_DELETED);
    assert_int_equal(sr_delete_version_plan(&r, "s", -1, false, &resolved, err, sizeof(err)), SR_OK);
    assert_int_equal(resolved, 2);
    sr_apply_delete(&r, "s", 2, false);
    assert_int_equal(sr_delete_version_plan(&r, "s", 2, false, &resolved, err, sizeof(err)),
                     SR_VERSION_SOFT_DELETED);
    const struct sr_version *v;
    assert_int_equal(sr_version_get(&r, "s", -1, false, &v), SR_OK);
    assert_int_equal(v->version, 1);
    assert_int_equal(sr_version_get(&r, "s", 2, true, &v), SR_OK);
    assert_true(v->deleted);

    /* Numbers go on after a soft-deleted version; V2 keeps its id. */
    assert_int_equal(reg(&r, "s", V2, &id, &version), SR_OK);
    assert_int_equal(version, 3);
    assert_int_equal(id, 2);

    int32_t *versions;
    size_t n;
    assert_int_equal(sr_delete_subject_plan(&r, "s", true, &versions, &n, err, sizeof(err)),
                     SR_SUBJECT_NOT_SOFT_DELETED);
    assert_int_equal(sr_delete_subject_plan(&r, "s", false, &versions, &n, err, sizeof(err)), SR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(versions[0], 1);
    assert_int_equal(versions[1], 3);
    for (size_t i = 0; i < n; i++)
        sr_apply_delete(&r, "s", versions[i], false);
    free(versions);
    assert_int_equal(sr_delete_subject_plan(&r, "s", false, &versions, &n, err, sizeof(err)), SR_SUBJECT_SOFT_DELETED);
    size_t count;
    free((void *)sr_subjects(&r, false, &count));
    assert_int_equal(count, 0);
    const char **all = sr_subjects(&r, true, &count);
    assert_int_equal(count, 1);
    free((void *)all);

    assert_int_equal(sr_delete_subject_plan(&r, "s", true, &versions, &n, err, sizeof(err)), SR_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        sr_apply_delete(&r, "s", versions[i], true);
    free(versions);
    assert_null(sr_subject(&r, "s"));
    assert_int_equal(sr_delete_subject_plan(&r, "s", false, &versions, &n, err, sizeof(err)), SR_SUBJECT_NOT_FOUND);

    /* Ids are never reused: the old schema gets its old id back, and a
     * new one gets a fresh id. */
    assert_int_equal(reg(&r, "s", V2, &id, &version), SR_OK);
    assert_int_equal(id, 2);
    assert_int_equal(version, 1);
    assert_int_equal(reg(&r, "t", V3, &id, &version), SR_OK);
    assert_int_equal(id, 3);
    sr_free(&r);
}

static void test_config_and_mode(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    assert_int_equal(sr_compat_for(&r, "s"), SR_COMPAT_BACKWARD);
    sr_apply_compat(&r, NULL, SR_COMPAT_FULL);
    sr_apply_compat(&r, "s", SR_COMPAT_FORWARD_TRANSITIVE);
    assert_int_equal(sr_compat_for(&r, "s"), SR_COMPAT_FORWARD_TRANSITIVE);
    assert_int_equal(sr_compat_for(&r, "t"), SR_COMPAT_FULL);
    sr_apply_compat(&r, "s", SR_COMPAT_UNSET);
    assert_int_equal(sr_compat_for(&r, "s"), SR_COMPAT_FULL);
    assert_null(sr_subject(&r, "s"));
    assert_string_equal(sr_compat_name(SR_COMPAT_BACKWARD_TRANSITIVE), "BACKWARD_TRANSITIVE");
    assert_int_equal(sr_compat_parse("FULL_TRANSITIVE"), SR_COMPAT_FULL_TRANSITIVE);
    assert_int_equal(sr_compat_parse("SIDEWAYS"), SR_COMPAT_UNSET);
    assert_int_equal(sr_mode_parse("IMPORT"), SR_MODE_IMPORT);
    assert_int_equal(sr_mode_parse("readwrite"), SR_MODE_UNSET);

    int32_t id, version;
    sr_apply_mode(&r, "s", SR_MODE_READONLY);
    assert_int_equal(reg(&r, "s", V1, &id, &version), SR_NOT_PERMITTED);
    assert_int_equal(reg(&r, "t", V1, &id, &version), SR_OK);
    assert_int_equal(sr_mode_for(&r, "s"), SR_MODE_READONLY);
    assert_int_equal(sr_mode_for(&r, "t"), SR_MODE_READWRITE);

    /* IMPORT keeps the given id and version, and needs force where ids
     * were already given. */
    assert_int_equal(sr_mode_plan(&r, NULL, SR_MODE_IMPORT, false), SR_NOT_PERMITTED);
    assert_int_equal(sr_mode_plan(&r, "u", SR_MODE_IMPORT, false), SR_OK);
    sr_apply_mode(&r, "u", SR_MODE_IMPORT);
    struct sr_register_req req = {.subject = "u", .text = V3, .id = 42, .version = 7};
    struct sr_register_plan plan;
    char err[256];
    assert_int_equal(sr_register_plan(&r, &req, &plan, err, sizeof(err)), SR_OK);
    assert_int_equal(plan.id, 42);
    assert_int_equal(plan.version, 7);
    assert_true(sr_apply_schema(&r, "u", plan.version, plan.id, "AVRO", plan.canonical, &plan.refs, false));
    sr_register_plan_free(&plan);
    /* An id already holding another schema is refused. */
    req.id = 1;
    req.version = 8;
    assert_int_equal(sr_register_plan(&r, &req, &plan, err, sizeof(err)), SR_NOT_PERMITTED);
    sr_register_plan_free(&plan);
    /* Outside IMPORT, an id may not be given. */
    struct sr_register_req given = {.subject = "t", .text = V2, .id = 99};
    assert_int_equal(sr_register_plan(&r, &given, &plan, err, sizeof(err)), SR_NOT_PERMITTED);
    sr_register_plan_free(&plan);
    /* New ids continue past imported ones. */
    sr_apply_mode(&r, "u", SR_MODE_UNSET);
    assert_int_equal(reg(&r, "t", V2, &id, &version), SR_OK);
    assert_int_equal(id, 43);
    sr_free(&r);
}

static void test_replay_order(void **state)
{
    /* A log replays versions as they were stored; an apply may also
     * overwrite (a later record for the same version wins). */
    struct schema_registry r;
    sr_init(&r, formats);
    char err[128];
    char *c1 = avro_canonicalize(V1, &sr_no_deps, err, sizeof(err));
    char *c2 = avro_canonicalize(V2, &sr_no_deps, err, sizeof(err));
    assert_true(sr_apply_schema(&r, "s", 2, 5, "AVRO", c2, NULL, false));
    assert_true(sr_apply_schema(&r, "s", 1, 4, "AVRO", c1, NULL, false));
    assert_false(sr_apply_schema(&r, "s", 3, 4, "AVRO", c2, NULL, false));   /* id 4 is V1 */
    assert_false(sr_apply_schema(&r, "s", 3, 6, "PROTOBUF", c2, NULL, false));
    assert_true(sr_apply_schema(&r, "s", 2, 5, "AVRO", c2, NULL, true));
    const struct sr_subject *s = sr_subject(&r, "s");
    assert_int_equal(s->nversions, 2);
    assert_int_equal(s->versions[0].version, 1);
    assert_true(s->versions[1].deleted);
    assert_int_equal(r.max_id, 5);
    free(c1);
    free(c2);
    sr_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_and_versions), cmocka_unit_test(test_invalid_and_incompatible),
        cmocka_unit_test(test_deletes),          cmocka_unit_test(test_config_and_mode),
        cmocka_unit_test(test_replay_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
