/* JSON Schema as a registry format: which texts are schemas, their
 * canonical text, and the validator run over a corpus of (schema,
 * instance, verdict) whose verdicts test_schema_json.py checks against
 * python's jsonschema, so the two validators agree through it. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "schema/json_schema.h"

#define CORPUS "tests/unit/json_schema_corpus.json"

static void test_canonical_text(void **state)
{
    char err[256];
    char *a = json_schema_canonicalize("{ \"type\" : \"object\",\n \"properties\": {\"b\": {}, \"a\": {}} }", &sr_no_deps,
                                       err, sizeof(err));
    assert_string_equal(a, "{\"properties\":{\"a\":{},\"b\":{}},\"type\":\"object\"}");
    free(a);
    /* true and false are schemas too */
    a = json_schema_canonicalize("true", &sr_no_deps, err, sizeof(err));
    assert_string_equal(a, "true");
    free(a);
}

static void refused(const char *text, const char *reason)
{
    char err[256] = "";
    char *out = json_schema_canonicalize(text, &sr_no_deps, err, sizeof(err));
    if (out || !strstr(err, reason))
        fail_msg("%s: got %s (%s), wanted a refusal naming \"%s\"", text, out ? out : "refused", err, reason);
}

static void test_refusals(void **state)
{
    refused("{\"type\": ", "invalid JSON");
    refused("{\"a\": 1, \"a\": 2}", "invalid JSON");
    refused("{\"$schema\": \"http://example.com/my-meta\"}", "$schema");
    refused("{\"$ref\": \"#/definitions/missing\"}", "#/definitions/missing");
    refused("{\"pattern\": \"(\"}", "pattern");
    /* glibc would copy these trees exponentially, or match by backtracking */
    refused("{\"pattern\": \"x+++++++++++++++++++++++++++++++++++++++++++\"}", "pattern");
    refused("{\"pattern\": \"((a{999}){999}){999}\"}", "pattern");
    refused("{\"patternProperties\": {\"(a)\\\\1\": {}}}", "patternProperties");
    refused("{\"pattern\": \"((((a*)*)*)*)\"}", "pattern");
    refused("{\"pattern\": \"[1]+++k*++\"}", "pattern");
    refused("{\"properties\": {\"a\": {\"type\": \"strin\"}}}", "/properties/a");
}

static void test_drafts(void **state)
{
    static const char *const drafts[] = {"http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
                                         "http://json-schema.org/draft-07/schema#",
                                         "https://json-schema.org/draft/2019-09/schema",
                                         "https://json-schema.org/draft/2020-12/schema"};
    for (size_t i = 0; i < sizeof(drafts) / sizeof(*drafts); i++) {
        char text[200], err[256];
        snprintf(text, sizeof(text), "{\"$schema\": \"%s\", \"type\": \"string\"}", drafts[i]);
        char *out = json_schema_canonicalize(text, &sr_no_deps, err, sizeof(err));
        if (!out)
            fail_msg("%s refused: %s", drafts[i], err);
        free(out);
    }
}

static json_t *corpus(void)
{
    json_error_t je;
    json_t *c = json_load_file(CORPUS, 0, &je);
    if (!c)
        fail_msg("%s: %s", CORPUS, je.text);
    return c;
}

static void test_corpus_verdicts(void **state)
{
    json_t *c = corpus();
    size_t i, j;
    json_t *group, *t;
    int checked = 0, failures = 0;
    json_array_foreach(json_object_get(c, "validation"), i, group) {
        char err[256];
        char *text = json_dumps(json_object_get(group, "schema"), JSON_ENCODE_ANY);
        char *canonical = json_schema_canonicalize(text, &sr_no_deps, err, sizeof(err));
        if (!canonical)
            fail_msg("%s: refused: %s", json_string_value(json_object_get(group, "description")), err);
        struct json_checker *ck = json_checker_new(canonical, &sr_no_deps);
        assert_non_null(ck);
        json_array_foreach(json_object_get(group, "tests"), j, t) {
            char *data = json_dumps(json_object_get(t, "data"), JSON_ENCODE_ANY);
            char why[256] = "";
            bool got = json_checker_valid(ck, (const uint8_t *)data, strlen(data), why, sizeof(why));
            if (got != json_is_true(json_object_get(t, "valid"))) {
                print_error("%s / %s: %s gives %s (%s)\n", json_string_value(json_object_get(group, "description")),
                            json_string_value(json_object_get(t, "description")), data, got ? "valid" : "invalid",
                            why);
                failures++;
            }
            checked++;
            free(data);
        }
        json_checker_free(ck);
        free(canonical);
        free(text);
    }
    json_array_foreach(json_object_get(c, "invalid_schemas"), i, group) {
        char err[256];
        char *text = json_dumps(json_object_get(group, "schema"), JSON_ENCODE_ANY);
        char *canonical = json_schema_canonicalize(text, &sr_no_deps, err, sizeof(err));
        if (canonical) {
            print_error("accepted an invalid schema (%s): %s\n", json_string_value(json_object_get(group, "description")),
                        text);
            failures++;
        }
        free(canonical);
        free(text);
    }
    json_decref(c);
    assert_true(checked >= 100);
    assert_int_equal(failures, 0);
}

/* What follows the magic byte and id must be one JSON value, nothing more. */
static void test_payload_framing(void **state)
{
    struct json_checker *ck = json_checker_new("{\"type\":\"object\"}", &sr_no_deps);
    char why[256];
    static const char *const bad[] = {"", "{", "{} {}", "{\"a\":1}x", "\xff", "[1]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_false(json_checker_valid(ck, (const uint8_t *)bad[i], strlen(bad[i]), why, sizeof(why)));
    assert_true(json_checker_valid(ck, (const uint8_t *)" {\"a\":1}\n", 9, why, sizeof(why)));
    json_checker_free(ck);
    /* an integer past 64 bits is JSON, and an integer */
    ck = json_checker_new("{\"type\":\"integer\",\"minimum\":0}", &sr_no_deps);
    const char *big = "123456789012345678901234567890";
    assert_true(json_checker_valid(ck, (const uint8_t *)big, strlen(big), why, sizeof(why)));
    assert_false(json_checker_valid(ck, (const uint8_t *)"-1", 2, why, sizeof(why)));
    json_checker_free(ck);
}

/* A checker validates through its references long after the sr_deps it
 * was made from are gone (the registry frees its resolution at once). */
static void test_checker_outlives_its_references(void **state)
{
    char *name = strdup("address.json"), *text = strdup("{\"type\":\"object\",\"required\":[\"city\"]}");
    const char **names = malloc(sizeof(*names)), **texts = malloc(sizeof(*texts));
    names[0] = name;
    texts[0] = text;
    struct sr_deps deps = {1, names, texts};
    struct json_checker *ck =
        json_checker_new("{\"type\":\"object\",\"properties\":{\"ship_to\":{\"$ref\":\"address.json\"}}}", &deps);
    assert_non_null(ck);
    memset(name, 'x', strlen(name));
    memset(text, ' ', strlen(text));
    free(name);
    free(text);
    names[0] = texts[0] = NULL;
    free(names);
    free(texts);
    char why[256] = "";
    const char *good = "{\"ship_to\":{\"city\":\"Oslo\"}}", *bad = "{\"ship_to\":{}}";
    assert_true(json_checker_valid(ck, (const uint8_t *)good, strlen(good), why, sizeof(why)));
    assert_false(json_checker_valid(ck, (const uint8_t *)bad, strlen(bad), why, sizeof(why)));
    assert_non_null(strstr(why, "city"));
    json_checker_free(ck);
}

/* Schemas that branch into themselves end in bounded time: the
 * validator refuses, the diff calls them too large to compare. */
static void test_self_branching_schemas(void **state)
{
    const char *schema = "{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#\",\"title\":\"x\"}]}";
    char err[256];
    char *canonical = json_schema_canonicalize(schema, &sr_no_deps, err, sizeof(err));
    assert_non_null(canonical);
    struct json_checker *ck = json_checker_new(canonical, &sr_no_deps);
    assert_false(json_checker_valid(ck, (const uint8_t *)"1", 1, err, sizeof(err)));
    json_checker_free(ck);
    const char *nested = "{\"$defs\":{\"a\":{\"allOf\":[{\"$ref\":\"#/$defs/a\"},{\"$ref\":\"#/$defs/a\",\"title\":\"t\"}]}},"
                         "\"$ref\":\"#/$defs/a\"}";
    char *other = json_schema_canonicalize(nested, &sr_no_deps, err, sizeof(err));
    assert_non_null(other);
    json_schema_can_read(other, &sr_no_deps, canonical, &sr_no_deps, err, sizeof(err));
    json_schema_can_read(other, &sr_no_deps, other, &sr_no_deps, err, sizeof(err));
    free(other);
    free(canonical);
    /* 3000 branches compared with 3000: too large, said at once */
    char *wide = malloc(3000 * 40 + 64), *w = wide;
    w += sprintf(w, "{\"anyOf\":[");
    for (int i = 0; i < 3000; i++)
        w += sprintf(w, "%s{\"const\":%d}", i ? "," : "", i);
    sprintf(w, "]}");
    assert_false(json_schema_can_read(wide, &sr_no_deps, wide, &sr_no_deps, err, sizeof(err)));
    assert_non_null(strstr(err, "too large"));
    free(wide);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_text), cmocka_unit_test(test_refusals), cmocka_unit_test(test_drafts),
        cmocka_unit_test(test_corpus_verdicts), cmocka_unit_test(test_payload_framing), cmocka_unit_test(test_self_branching_schemas),
        cmocka_unit_test(test_checker_outlives_its_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
