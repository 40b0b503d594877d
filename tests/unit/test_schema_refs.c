/* Schema references: a Person schema using an Address type that another
 * subject defines, registered, looked up, checked for compatibility,
 * deleted, stored as records and replayed, with the real Avro format. */
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
#include "schema/registry.h"

static const struct sr_format *const formats[] = {&avro_format, NULL};

#define ADDRESS "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"com.acme\"," \
                "\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}"
/* Adds a field without a default: cannot read ADDRESS's data. */
#define ADDRESS2 "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"com.acme\"," \
                 "\"fields\":[{\"name\":\"city\",\"type\":\"string\"},{\"name\":\"zip\",\"type\":\"string\"}]}"
/* Uses Address twice: the second use is by name only. */
#define PERSON "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"com.acme\",\"fields\":[" \
               "{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"home\",\"type\":\"Address\"}," \
               "{\"name\":\"work\",\"type\":[\"null\",\"com.acme.Address\"],\"default\":null}]}"

static struct sr_ref ref_to(const char *subject, int32_t version)
{
    return (struct sr_ref){"com.acme.Address", (char *)subject, version};
}

/* Plans and applies one registration; the error, with the reason in err. */
static enum sr_err reg(struct schema_registry *r, const char *subject, const char *text, const struct sr_refs *refs,
                       int32_t *id, char *err, size_t errlen)
{
    struct sr_register_req req = {.subject = subject, .text = text, .refs = refs};
    struct sr_register_plan plan;
    enum sr_err e = sr_register_plan(r, &req, &plan, err, errlen);
    if (e == SR_OK && !plan.existing)
        assert_true(sr_apply_schema(r, subject, plan.version, plan.id, "AVRO", plan.canonical, &plan.refs, false));
    if (e == SR_OK)
        *id = plan.id;
    sr_register_plan_free(&plan);
    return e;
}

static void test_register_and_lookup(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    char err[512];
    int32_t id;
    assert_int_equal(reg(&r, "address", ADDRESS, NULL, &id, err, sizeof(err)), SR_OK);
    /* Without its reference the type is unknown. */
    assert_int_equal(reg(&r, "person", PERSON, NULL, &id, err, sizeof(err)), SR_INVALID_SCHEMA);
    /* A reference to what does not exist is refused as Confluent does. */
    struct sr_ref missing = ref_to("nowhere", 1);
    struct sr_refs refs = {1, &missing};
    assert_int_equal(reg(&r, "person", PERSON, &refs, &id, err, sizeof(err)), SR_INVALID_SCHEMA);
    assert_string_equal(err, "No schema reference found for subject \"nowhere\" and version 1");

    /* Version -1 is the latest, pinned when registered. */
    struct sr_ref latest = ref_to("address", -1);
    refs.items = &latest;
    assert_int_equal(reg(&r, "person", PERSON, &refs, &id, err, sizeof(err)), SR_OK);
    assert_int_equal(id, 2);
    const struct sr_schema *sc = sr_schema_by_id(&r, 2);
    assert_int_equal(sc->refs.n, 1);
    assert_int_equal(sc->refs.items[0].version, 1);
    assert_string_equal(sc->refs.items[0].subject, "address");
    /* The same text and references: the existing id. */
    struct sr_ref v1 = ref_to("address", 1);
    refs.items = &v1;
    assert_int_equal(reg(&r, "person", PERSON, &refs, &id, err, sizeof(err)), SR_OK);
    assert_int_equal(id, 2);
    const struct sr_version *v;
    assert_int_equal(sr_lookup(&r, "person", NULL, PERSON, &refs, false, &v, err, sizeof(err)), SR_OK);
    assert_int_equal(v->schema->id, 2);

    /* The same text with other references is another schema. */
    assert_int_equal(reg(&r, "address", ADDRESS2, NULL, &id, err, sizeof(err)), SR_INCOMPATIBLE);
    struct sr_ref ref_v2 = ref_to("address", 2);
    struct sr_refs refs2 = {1, &ref_v2};
    sr_apply_compat(&r, "address", SR_COMPAT_NONE);
    assert_int_equal(reg(&r, "address", ADDRESS2, NULL, &id, err, sizeof(err)), SR_OK);
    assert_int_equal(sr_lookup(&r, "person", NULL, PERSON, &refs2, false, &v, err, sizeof(err)), SR_SCHEMA_NOT_FOUND);
    /* Each side is read with its own references: the new Person's
     * Address needs a zip that the old one's data lacks. */
    bool ok;
    assert_int_equal(sr_check(&r, "person", -1, NULL, PERSON, &refs2, &ok, err, sizeof(err)), SR_OK);
    assert_false(ok);
    assert_non_null(strstr(err, "zip"));
    assert_int_equal(reg(&r, "person", PERSON, &refs2, &id, err, sizeof(err)), SR_INCOMPATIBLE);
    sr_free(&r);
}

static void test_deletes_and_referenced_by(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    char err[512];
    int32_t id, resolved;
    struct sr_ref v1 = ref_to("address", 1);
    struct sr_refs refs = {1, &v1};
    assert_int_equal(reg(&r, "address", ADDRESS, NULL, &id, err, sizeof(err)), SR_OK);
    assert_int_equal(reg(&r, "person", PERSON, &refs, &id, err, sizeof(err)), SR_OK);
    size_t n;
    int32_t *ids = sr_referenced_by(&r, "address", 1, false, &n);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], id);
    free(ids);

    assert_int_equal(sr_delete_version_plan(&r, "address", 1, false, &resolved, err, sizeof(err)),
                     SR_REFERENCE_EXISTS);
    assert_string_equal(err, "{magic=1,keytype=SCHEMA,subject=address,version=1}");
    int32_t *versions;
    assert_int_equal(sr_delete_subject_plan(&r, "address", false, &versions, &n, err, sizeof(err)),
                     SR_REFERENCE_EXISTS);
    /* Once its referrer is soft-deleted, a soft delete goes, but a
     * permanent one still does not: the referrer can come back. */
    sr_apply_delete(&r, "person", 1, false);
    ids = sr_referenced_by(&r, "address", 1, false, &n);
    free(ids);
    assert_int_equal(n, 0);
    assert_int_equal(sr_delete_version_plan(&r, "address", 1, false, &resolved, err, sizeof(err)), SR_OK);
    sr_apply_delete(&r, "address", 1, false);
    assert_int_equal(sr_delete_version_plan(&r, "address", 1, true, &resolved, err, sizeof(err)),
                     SR_REFERENCE_EXISTS);
    sr_apply_delete(&r, "person", 1, true);
    assert_int_equal(sr_delete_version_plan(&r, "address", 1, true, &resolved, err, sizeof(err)), SR_OK);
    sr_free(&r);
}

static void test_checker_reads_referenced_types(void **state)
{
    struct sr_deps deps = {1, (const char *const[]){"com.acme.Address"}, (const char *const[]){ADDRESS}};
    char err[256];
    char *canonical = avro_canonicalize(PERSON, &deps, err, sizeof(err));
    assert_non_null(canonical);
    struct avro_checker *ck = avro_checker_new(canonical, &deps);
    assert_non_null(ck);
    /* name "al", home {city "x"}, work: branch 1 {city "y"} */
    static const uint8_t good[] = {0x04, 'a', 'l', 0x02, 'x', 0x02, 0x02, 'y'};
    char why[128];
    assert_true(avro_datum_valid(ck, good, sizeof(good), why, sizeof(why)));
    assert_false(avro_datum_valid(ck, good, sizeof(good) - 2, why, sizeof(why)));
    avro_checker_free(ck);
    free(canonical);
}

static bool apply(struct schema_registry *r, const struct sr_change *c)
{
    char *key, *value;
    sr_record_encode(c, &key, &value);
    bool ok = sr_record_apply(r, key, strlen(key), value, value ? strlen(value) : 0, value == NULL);
    free(key);
    free(value);
    return ok;
}

static void test_records_carry_references(void **state)
{
    struct sr_ref v1 = ref_to("address", 1);
    struct sr_change person = {.kind = SR_CHANGE_SCHEMA, .subject = "person", .version = 1, .id = 2,
                               .type = "AVRO", .canonical = PERSON, .refs = {1, &v1}};
    char *key, *value;
    sr_record_encode(&person, &key, &value);
    /* Where Confluent's SchemaValue puts them: before the schema. */
    assert_non_null(strstr(value, "\"id\":2,\"references\":[{\"name\":\"com.acme.Address\",\"subject\":\"address\","
                                  "\"version\":1}],\"schema\":"));
    free(key);
    free(value);

    /* Replayed out of order (the referrer first), both still load. */
    struct schema_registry r;
    sr_init(&r, formats);
    struct sr_change address = {.kind = SR_CHANGE_SCHEMA, .subject = "address", .version = 1, .id = 1,
                                .type = "AVRO", .canonical = ADDRESS};
    assert_true(apply(&r, &person));
    assert_true(apply(&r, &address));
    const struct sr_schema *sc = sr_schema_by_id(&r, 2);
    assert_non_null(sc);
    assert_int_equal(sc->refs.n, 1);
    assert_string_equal(sc->refs.items[0].name, "com.acme.Address");
    sr_free(&r);

    /* In order, the referrer is stored canonical and found by lookup. */
    sr_init(&r, formats);
    assert_true(apply(&r, &address));
    assert_true(apply(&r, &person));
    const struct sr_version *v;
    char err[256];
    struct sr_refs refs = {1, &v1};
    assert_int_equal(sr_lookup(&r, "person", NULL, PERSON, &refs, false, &v, err, sizeof(err)), SR_OK);
    assert_int_equal(v->schema->id, 2);
    sr_free(&r);
}

/* References in a crafted log can go round: resolving them ends, each
 * schema once. */
static void test_reference_cycle_ends(void **state)
{
    struct schema_registry r;
    sr_init(&r, formats);
    struct sr_ref to_b = {"b", "b", 1}, to_a = {"a", "a", 1};
    struct sr_change a = {.kind = SR_CHANGE_SCHEMA, .subject = "a", .version = 1, .id = 1, .type = "AVRO",
                          .canonical = "\"int\"", .refs = {1, &to_b}};
    struct sr_change b = {.kind = SR_CHANGE_SCHEMA, .subject = "b", .version = 1, .id = 2, .type = "AVRO",
                          .canonical = "\"long\"", .refs = {1, &to_a}};
    assert_true(apply(&r, &a));
    assert_true(apply(&r, &b));
    struct sr_refs refs = {1, &to_a};
    struct sr_resolved res;
    char err[128];
    assert_int_equal(sr_resolve(&r, &refs, true, &res, err, sizeof(err)), SR_OK);
    assert_int_equal(res.deps.n, 2);
    assert_string_equal(res.deps.names[0], "b");   /* a's reference first */
    assert_string_equal(res.deps.names[1], "a");
    sr_resolved_free(&res);
    sr_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_lookup),
        cmocka_unit_test(test_deletes_and_referenced_by),
        cmocka_unit_test(test_checker_reads_referenced_types),
        cmocka_unit_test(test_records_carry_references),
        cmocka_unit_test(test_reference_cycle_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
