/* JSON Schema evolution cases checked at every compatibility level
 * through the registry. Each case gives an old and a new schema and two
 * answers written from Confluent's rules for JSON Schema (its "Schema
 * Evolution and Compatibility" page, section JSON Schema, and the change
 * types its registry classifies as compatible: SchemaDiff's
 * COMPATIBLE_CHANGES_STRICT, the default), not from the implementation:
 *   backward: the new schema accepts data valid under the old one
 *             (Confluent diffs old -> new; every change must be compatible);
 *   forward:  the old schema accepts data valid under the new one
 *             (the diff new -> old).
 * The comment on each case names the change each diff finds, as
 * backward / forward. A level expects: NONE true; BACKWARD(_TRANSITIVE)
 * backward; FORWARD(_TRANSITIVE) forward; FULL(_TRANSITIVE) both.
 * Schemas are written with ' for " to stay readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "compat_table.h"
#include "core/util.h"
#include "schema/json_schema.h"
#include "schema/registry.h"

/* An object with an open content model (additionalProperties absent),
 * a closed one, and one partially open (other properties must be strings). */
#define OPEN(props) "{'type':'object','properties':{" props "}}"
#define OPEN_REQ(props, req) "{'type':'object','properties':{" props "},'required':[" req "]}"
#define CLOSED(props) "{'type':'object','properties':{" props "},'additionalProperties':false}"
#define CLOSED_REQ(props, req) "{'type':'object','properties':{" props "},'required':[" req "],'additionalProperties':false}"
#define PARTIAL(props) "{'type':'object','properties':{" props "},'additionalProperties':{'type':'string'}}"
#define P(name, schema) "'" name "':" schema
#define STR "{'type':'string'}"
#define INT "{'type':'integer'}"
#define NUM "{'type':'number'}"

static const struct evolution cases[] = {
    /* Content models. Confluent: "for an open content model, adding a
     * property is incompatible (it may already be there with another
     * type), removing one is compatible; for a closed content model the
     * reverse". */
    /* OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL (not in STRICT) / PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL */
    {"open: add optional property", OPEN(P("a", STR)), OPEN(P("a", STR) "," P("b", STR)), false, true},
    /* OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL / PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL */
    {"closed: add optional property", CLOSED(P("a", STR)), CLOSED(P("a", STR) "," P("b", STR)), true, false},
    /* REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL / PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL */
    {"closed: add required property", CLOSED(P("a", STR)), CLOSED_REQ(P("a", STR) "," P("b", STR), "'b'"), false,
     false},
    /* REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL / PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL */
    {"closed: add required property with default", CLOSED(P("a", STR)),
     CLOSED_REQ(P("a", STR) "," P("b", "{'type':'string','default':'x'}"), "'b'"), true, false},
    /* REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL / PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL */
    {"open: add required property", OPEN(P("a", STR)), OPEN_REQ(P("a", STR) "," P("b", STR), "'b'"), false, true},
    /* PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL / PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL */
    {"open: add property with empty schema", OPEN(P("a", STR)), OPEN(P("a", STR) "," P("b", "{}")), true, true},
    /* PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL / OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL */
    {"open: remove property", OPEN(P("a", STR) "," P("b", STR)), OPEN(P("a", STR)), true, false},
    /* PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL / OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL */
    {"closed: remove property", CLOSED(P("a", STR) "," P("b", STR)), CLOSED(P("a", STR)), false, true},
    /* PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL / OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL */
    {"closed: remove a property that was false", CLOSED(P("a", STR) "," P("b", "false")), CLOSED(P("a", STR)), true,
     true},
    /* PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL + OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL /
     * PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL */
    {"partially open: add property its additionalProperties covers", PARTIAL(P("a", INT)),
     PARTIAL(P("a", INT) "," P("b", STR)), true, true},
    /* PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL / PROPERTY_REMOVED_NOT_COVERED_... */
    {"partially open: add property its additionalProperties does not cover", PARTIAL(P("a", INT)),
     PARTIAL(P("a", INT) "," P("b", INT)), false, false},
    /* ADDITIONAL_PROPERTIES_ADDED / ADDITIONAL_PROPERTIES_REMOVED */
    {"closed to open", CLOSED(P("a", STR)), OPEN(P("a", STR)), true, false},
    {"open to closed", OPEN(P("a", STR)), CLOSED(P("a", STR)), false, true},
    /* ADDITIONAL_PROPERTIES_NARROWED / ADDITIONAL_PROPERTIES_EXTENDED */
    {"open to partially open", OPEN(P("a", INT)), PARTIAL(P("a", INT)), false, true},
    /* TYPE_CHANGED inside additionalProperties, both ways */
    {"additionalProperties string to integer", PARTIAL(P("a", INT)),
     "{'type':'object','properties':{'a':" INT "},'additionalProperties':" INT "}", false, false},
    /* Required. REQUIRED_ATTRIBUTE_ADDED / REQUIRED_ATTRIBUTE_REMOVED */
    {"make a property required", OPEN(P("a", STR)), OPEN_REQ(P("a", STR), "'a'"), false, true},
    /* REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED / REQUIRED_ATTRIBUTE_REMOVED */
    {"make a property with a default required", OPEN(P("a", "{'type':'string','default':'x'}")),
     OPEN_REQ(P("a", "{'type':'string','default':'x'}"), "'a'"), true, true},
    {"make a required property optional", OPEN_REQ(P("a", STR), "'a'"), OPEN(P("a", STR)), true, false},
    /* Types. Confluent: integer widens to number (TYPE_EXTENDED / TYPE_NARROWED). */
    {"integer to number", OPEN(P("a", INT)), OPEN(P("a", NUM)), true, false},
    {"number to integer", OPEN(P("a", NUM)), OPEN(P("a", INT)), false, true},
    /* TYPE_CHANGED both ways */
    {"string to integer", OPEN(P("a", STR)), OPEN(P("a", INT)), false, false},
    {"boolean to string", "{'type':'boolean'}", STR, false, false},
    /* a new anyOf whose branch reads the old: SUM_TYPE_EXTENDED / TYPE_CHANGED */
    {"string to string-or-null", OPEN(P("a", STR)), OPEN(P("a", "{'type':['string','null']}")), true, false},
    {"oneOf string-or-null to string", OPEN(P("a", "{'oneOf':[{'type':'null'},{'type':'string'}]}")),
     OPEN(P("a", STR)), false, true},
    /* the empty schema accepts all: TYPE_CHANGED / (update is the empty schema) compatible */
    {"empty schema to string", "{}", STR, false, true},
    /* Combined schemas. SUM_TYPE_EXTENDED / SUM_TYPE_NARROWED */
    {"oneOf gains a branch", "{'oneOf':[" STR ",{'type':'null'}]}", "{'oneOf':[" STR ",{'type':'null'}," INT "]}",
     true, false},
    /* COMBINED_TYPE_EXTENDED (any is wider) / COMBINED_TYPE_CHANGED */
    {"oneOf to anyOf", "{'oneOf':[" STR "," INT "]}", "{'anyOf':[" STR "," INT "]}", true, false},
    /* PRODUCT_TYPE_EXTENDED / PRODUCT_TYPE_NARROWED */
    {"allOf gains a subschema", "{'allOf':[" OPEN(P("a", STR)) "]}",
     "{'allOf':[" OPEN(P("a", STR)) ",{'required':['a']}]}", false, true},
    /* COMBINED_TYPE_SUBSCHEMAS_CHANGED: no branch matches integer or boolean */
    {"anyOf replaces a branch", "{'anyOf':[" STR "," INT "]}", "{'anyOf':[" STR ",{'type':'boolean'}]}", false, false},
    /* not: the reverse diff of its subschemas (NOT_TYPE_EXTENDED / NOT_TYPE_NARROWED) */
    {"not excludes more", "{'not':" STR "}", "{'not':{'anyOf':[" STR "," INT "]}}", false, true},
    /* Enums. ENUM_ARRAY_EXTENDED / ENUM_ARRAY_NARROWED; ENUM_ARRAY_CHANGED both ways */
    {"enum adds a value", "{'enum':['A','B']}", "{'enum':['A','B','C']}", true, false},
    {"enum removes a value", "{'enum':['A','B','C']}", "{'enum':['A','B']}", false, true},
    {"enum replaces a value", "{'enum':['A','B']}", "{'enum':['A','C']}", false, false},
    {"const changes", "{'const':'A'}", "{'const':'B'}", false, false},
    /* Strings. MAX_LENGTH_INCREASED / MAX_LENGTH_DECREASED */
    {"maxLength increased", "{'type':'string','maxLength':10}", "{'type':'string','maxLength':20}", true, false},
    /* MAX_LENGTH_ADDED / MAX_LENGTH_REMOVED */
    {"maxLength added", STR, "{'type':'string','maxLength':10}", false, true},
    /* MIN_LENGTH_INCREASED / MIN_LENGTH_DECREASED */
    {"minLength increased", "{'type':'string','minLength':1}", "{'type':'string','minLength':5}", false, true},
    /* PATTERN_ADDED / PATTERN_REMOVED; PATTERN_CHANGED both ways */
    {"pattern added", STR, "{'type':'string','pattern':'^[a-z]+$'}", false, true},
    {"pattern changed", "{'type':'string','pattern':'^a'}", "{'type':'string','pattern':'^b'}", false, false},
    /* Numbers. MINIMUM_DECREASED / MINIMUM_INCREASED */
    {"minimum decreased", "{'type':'integer','minimum':10}", "{'type':'integer','minimum':0}", true, false},
    /* MAXIMUM_DECREASED / MAXIMUM_INCREASED */
    {"maximum decreased", "{'type':'number','maximum':100}", "{'type':'number','maximum':50}", false, true},
    /* MAXIMUM_REMOVED / MAXIMUM_ADDED */
    {"maximum removed", "{'type':'number','maximum':100}", NUM, true, false},
    /* EXCLUSIVE_MINIMUM_ADDED / EXCLUSIVE_MINIMUM_REMOVED */
    {"exclusiveMinimum added", NUM, "{'type':'number','exclusiveMinimum':0}", false, true},
    /* MULTIPLE_OF_REDUCED (4 is a multiple of 2) / MULTIPLE_OF_EXPANDED */
    {"multipleOf 4 to 2", "{'type':'integer','multipleOf':4}", "{'type':'integer','multipleOf':2}", true, false},
    /* Arrays. items: TYPE_EXTENDED / TYPE_NARROWED; TYPE_CHANGED both ways */
    {"items integer to number", "{'type':'array','items':" INT "}", "{'type':'array','items':" NUM "}", true, false},
    {"items string to integer", "{'type':'array','items':" STR "}", "{'type':'array','items':" INT "}", false, false},
    /* MAX_ITEMS_INCREASED / MAX_ITEMS_DECREASED */
    {"maxItems increased", "{'type':'array','maxItems':2}", "{'type':'array','maxItems':5}", true, false},
    /* MIN_ITEMS_INCREASED / MIN_ITEMS_DECREASED */
    {"minItems increased", "{'type':'array','minItems':1}", "{'type':'array','minItems':2}", false, true},
    /* UNIQUE_ITEMS_ADDED / UNIQUE_ITEMS_REMOVED */
    {"uniqueItems added", "{'type':'array'}", "{'type':'array','uniqueItems':true}", false, true},
    /* ITEM_ADDED_TO_CLOSED_CONTENT_MODEL / ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL */
    {"closed tuple gains an item", "{'type':'array','items':[" STR "],'additionalItems':false}",
     "{'type':'array','items':[" STR "," INT "],'additionalItems':false}", true, false},
    /* ITEM_ADDED_TO_OPEN_CONTENT_MODEL / ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL */
    {"open tuple gains an item", "{'type':'array','items':[" STR "]}", "{'type':'array','items':[" STR "," INT "]}",
     false, true},
    /* Nesting and $ref: the diff follows properties and references.
     * TYPE_EXTENDED / TYPE_NARROWED one level down */
    {"nested property integer to number", OPEN(P("o", OPEN(P("a", INT)))), OPEN(P("o", OPEN(P("a", NUM)))), true,
     false},
    {"definition behind $ref integer to number",
     "{'definitions':{'A':" INT "},'type':'object','properties':{'a':{'$ref':'#/definitions/A'}}}",
     "{'definitions':{'A':" NUM "},'type':'object','properties':{'a':{'$ref':'#/definitions/A'}}}", true, false},
    {"inline schema moved behind $ref", OPEN(P("a", INT)),
     "{'definitions':{'A':" INT "},'type':'object','properties':{'a':{'$ref':'#/definitions/A'}}}", true, true},
    {"2020-12 $defs enum gains a value",
     "{'$schema':'https://json-schema.org/draft/2020-12/schema','$defs':{'E':{'enum':[1,2]}},'$ref':'#/$defs/E'}",
     "{'$schema':'https://json-schema.org/draft/2020-12/schema','$defs':{'E':{'enum':[1,2,3]}},'$ref':'#/$defs/E'}",
     true, false},
    /* dependencies: DEPENDENCY_ARRAY_ADDED / DEPENDENCY_ARRAY_REMOVED */
    {"dependency added", OPEN(P("a", STR) "," P("b", STR)),
     "{'type':'object','properties':{'a':" STR ",'b':" STR "},'dependencies':{'a':['b']}}", false, true},
    /* MIN_PROPERTIES_INCREASED / MIN_PROPERTIES_DECREASED */
    {"minProperties increased", "{'type':'object','minProperties':1}", "{'type':'object','minProperties':2}", false,
     true},
    /* Annotations only: TITLE_CHANGED, DESCRIPTION_CHANGED both ways */
    {"title and description changed", "{'type':'string','title':'a','description':'x'}",
     "{'type':'string','title':'b','description':'y'}", true, true},
    {"same schema written differently", OPEN(P("a", STR) "," P("b", INT)),
     "{ 'properties' : { 'b':{'type':'integer'}, 'a':{'type':'string'} }, 'type':'object' }", true, true},
};

static char *quoted(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

static const struct sr_format *const formats[] = {&json_schema_format, NULL};

static bool accepted(const char *const *history, size_t n, const char *next, enum sr_compat level, char *err,
                     size_t errlen)
{
    return compat_accepted(formats, quoted, history, n, next, level, err, errlen);
}

static void test_evolution_table(void **state)
{
    assert_true(ARRAY_LEN(cases) >= 40);
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct evolution *c = &cases[i];
        for (enum sr_compat level = SR_COMPAT_NONE; level <= SR_COMPAT_FULL_TRANSITIVE; level++) {
            char err[512] = "";
            bool got = accepted(&c->old, 1, c->new, level, err, sizeof(err));
            if (got != compat_expected_at(level, c->backward, c->forward)) {
                print_error("case \"%s\" at %s: got %s (%s)\n", c->name, sr_compat_name(level),
                            got ? "compatible" : "incompatible", err);
                failures++;
            }
        }
    }
    assert_int_equal(failures, 0);
}

/* Three versions where the latest alone passes and the transitive levels,
 * which check every earlier version, refuse. */
static void test_transitive(void **state)
{
    char err[512];
    /* v2 closed and empty reads nothing new; v3 adds a to it (compatible
     * with v2) but as an integer where v1, open, had a string. */
    const char *backward[] = {OPEN(P("a", STR)), CLOSED("")};
    const char *backward_next = CLOSED(P("a", INT));
    assert_true(accepted(backward, 2, backward_next, SR_COMPAT_BACKWARD, err, sizeof(err)));
    assert_false(accepted(backward, 2, backward_next, SR_COMPAT_BACKWARD_TRANSITIVE, err, sizeof(err)));
    assert_non_null(strstr(err, "version 1"));
    /* v2 (open, empty) accepts what v3 writes; v1 wants a as a string. */
    const char *forward[] = {OPEN(P("a", STR)), OPEN("")};
    const char *forward_next = OPEN(P("a", INT));
    assert_true(accepted(forward, 2, forward_next, SR_COMPAT_FORWARD, err, sizeof(err)));
    assert_false(accepted(forward, 2, forward_next, SR_COMPAT_FORWARD_TRANSITIVE, err, sizeof(err)));
}

/* A $ref to a reference resolves through the schema's references (their
 * names are the $ref URLs); each side brings its own. */
static void test_references(void **state)
{
    const char *names[] = {"amount.json"};
    const char *integer_text[] = {"{\"type\":\"integer\"}"}, *number_text[] = {"{\"type\":\"number\"}"};
    struct sr_deps as_integer = {1, names, integer_text}, as_number = {1, names, number_text};
    const char *schema = "{\"type\":\"object\",\"properties\":{\"amount\":{\"$ref\":\"amount.json\"}}}";
    char err[256] = "";
    char *canonical = json_schema_canonicalize(schema, &as_integer, err, sizeof(err));
    assert_non_null(canonical);
    assert_true(json_schema_can_read(canonical, &as_number, canonical, &as_integer, err, sizeof(err)));
    assert_false(json_schema_can_read(canonical, &as_integer, canonical, &as_number, err, sizeof(err)));
    assert_non_null(strstr(err, "TYPE_NARROWED"));
    free(canonical);
    /* Without the reference, the $ref points nowhere: not a schema. */
    assert_null(json_schema_canonicalize(schema, &sr_no_deps, err, sizeof(err)));
    assert_non_null(strstr(err, "amount.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evolution_table),
        cmocka_unit_test(test_transitive),
        cmocka_unit_test(test_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
