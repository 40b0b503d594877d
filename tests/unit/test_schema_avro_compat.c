/* Avro evolution cases checked at every compatibility level through the
 * registry (compat_table.h). Each case's two answers are written from the
 * Avro specification's "Schema Resolution" section (and Confluent's
 * "Schema Evolution and Compatibility" page where the spec leaves it
 * open), not from the implementation.
 * Schemas are written with ' for " to stay readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/util.h"
#include "schema/avro.h"
#include "schema/registry.h"
#include "compat_table.h"

#define REC(fields) "{'type':'record','name':'R','fields':[" fields "]}"
#define F(name, type) "{'name':'" name "','type':" type "}"
#define FD(name, type, def) "{'name':'" name "','type':" type ",'default':" def "}"

static const struct evolution cases[] = {
    /* Records: a reader field the writer lacks is filled from its default,
     * an error without one; writer fields the reader lacks are skipped. */
    {"add field with default", REC(F("a", "'int'")), REC(F("a", "'int'") "," FD("b", "'string'", "'x'")), true, true},
    {"add field without default", REC(F("a", "'int'")), REC(F("a", "'int'") "," F("b", "'string'")), false, true},
    {"remove field that had a default", REC(F("a", "'int'") "," FD("b", "'string'", "'x'")), REC(F("a", "'int'")), true,
     true},
    {"remove field without default", REC(F("a", "'int'") "," F("b", "'string'")), REC(F("a", "'int'")), true, false},
    {"add optional field (null union, default null)", REC(F("a", "'int'")),
     REC(F("a", "'int'") "," FD("b", "['null','string']", "null")), true, true},
    {"change only a default", REC(FD("a", "'int'", "1")), REC(FD("a", "'int'", "2")), true, true},
    {"rename field without alias: each side misses the other's field", REC(F("a", "'int'")), REC(F("b", "'int'")),
     false, false},
    {"rename field with the old name as alias: the new reader finds it", REC(F("a", "'int'")),
     REC("{'name':'b','type':'int','aliases':['a']}"), true, false},
    {"add a field with default and remove one without", REC(F("a", "'int'") "," F("b", "'int'")),
     REC(F("a", "'int'") "," FD("c", "'int'", "0")), true, false},
    {"identical record", REC(F("a", "'int'")), REC(F("a", "'int'")), true, true},
    {"same record written differently", REC(F("a", "'int'")),
     "{'fields':[{'type':{'type':'int'},'name':'a'}],'name':'R','type':'record'}", true, true},
    /* Named types must have the same (unqualified) name, or the reader an alias. */
    {"rename record", REC(F("a", "'int'")), "{'type':'record','name':'S','fields':[" F("a", "'int'") "]}", false, false},
    {"rename record with the old name as alias",
     REC(F("a", "'int'")), "{'type':'record','name':'S','aliases':['R'],'fields':[" F("a", "'int'") "]}", true, false},
    {"move record to another namespace: unqualified names match",
     "{'type':'record','name':'R','namespace':'a','fields':[" F("x", "'int'") "]}",
     "{'type':'record','name':'R','namespace':'b','fields':[" F("x", "'int'") "]}", true, true},
    /* Primitive promotions: int to long, float, double; long to float,
     * double; float to double; string and bytes both ways. */
    {"int to long", REC(F("a", "'int'")), REC(F("a", "'long'")), true, false},
    {"long to int", REC(F("a", "'long'")), REC(F("a", "'int'")), false, true},
    {"int to float", REC(F("a", "'int'")), REC(F("a", "'float'")), true, false},
    {"int to double", REC(F("a", "'int'")), REC(F("a", "'double'")), true, false},
    {"long to float", REC(F("a", "'long'")), REC(F("a", "'float'")), true, false},
    {"long to double", REC(F("a", "'long'")), REC(F("a", "'double'")), true, false},
    {"float to double", REC(F("a", "'float'")), REC(F("a", "'double'")), true, false},
    {"double to float", REC(F("a", "'double'")), REC(F("a", "'float'")), false, true},
    {"string to bytes", REC(F("a", "'string'")), REC(F("a", "'bytes'")), true, true},
    {"bytes to string", REC(F("a", "'bytes'")), REC(F("a", "'string'")), true, true},
    {"string to int: no promotion either way", REC(F("a", "'string'")), REC(F("a", "'int'")), false, false},
    {"boolean to int: no promotion either way", REC(F("a", "'boolean'")), REC(F("a", "'int'")), false, false},
    {"top-level int to long", "'int'", "'long'", true, false},
    {"top-level null to string", "'null'", "'string'", false, false},
    /* Enums: a writer symbol the reader lacks is an error unless the
     * reader has a default symbol (Avro 1.9+). */
    {"enum adds a symbol", "{'type':'enum','name':'E','symbols':['A','B']}",
     "{'type':'enum','name':'E','symbols':['A','B','C']}", true, false},
    {"enum removes a symbol", "{'type':'enum','name':'E','symbols':['A','B','C']}",
     "{'type':'enum','name':'E','symbols':['A','B']}", false, true},
    {"enum adds a symbol, both with a default", "{'type':'enum','name':'E','symbols':['A','B'],'default':'A'}",
     "{'type':'enum','name':'E','symbols':['A','B','C'],'default':'A'}", true, true},
    {"enum renamed", "{'type':'enum','name':'E','symbols':['A']}", "{'type':'enum','name':'G','symbols':['A']}", false,
     false},
    {"enum to string: no promotion", REC(F("a", "{'type':'enum','name':'E','symbols':['A']}")),
     REC(F("a", "'string'")), false, false},
    /* Unions: a writer union needs every branch readable; a reader union
     * reads a value with its first branch that matches it. */
    {"string to null union", REC(F("a", "'string'")), REC(F("a", "['null','string']")), true, false},
    {"null union to string", REC(F("a", "['null','string']")), REC(F("a", "'string'")), false, true},
    {"union adds a branch", REC(F("a", "['null','string']")), REC(F("a", "['null','string','int']")), true, false},
    {"union removes a branch", REC(F("a", "['null','string','int']")), REC(F("a", "['null','string']")), false, true},
    {"union reordered", REC(F("a", "['null','string']")), REC(F("a", "['string','null']")), true, true},
    {"union branch promoted int to long", REC(F("a", "['null','int']")), REC(F("a", "['null','long']")), true, false},
    {"int into a union holding long", REC(F("a", "'int'")), REC(F("a", "['null','long']")), true, false},
    {"record into a union holding it", REC(F("a", "'int'")), "['null'," REC(F("a", "'int'")) "]", true, false},
    /* Arrays, maps and fixed resolve through their items, values and size. */
    {"array items int to long", REC(F("a", "{'type':'array','items':'int'}")),
     REC(F("a", "{'type':'array','items':'long'}")), true, false},
    {"map values int to long", REC(F("a", "{'type':'map','values':'int'}")),
     REC(F("a", "{'type':'map','values':'long'}")), true, false},
    {"array to map", REC(F("a", "{'type':'array','items':'int'}")), REC(F("a", "{'type':'map','values':'int'}")),
     false, false},
    {"int to long in a map in an array", REC(F("a", "{'type':'array','items':{'type':'map','values':'int'}}")),
     REC(F("a", "{'type':'array','items':{'type':'map','values':'long'}}")), true, false},
    {"fixed changes size", REC(F("a", "{'type':'fixed','name':'H','size':16}")),
     REC(F("a", "{'type':'fixed','name':'H','size':32}")), false, false},
    {"fixed unchanged", REC(F("a", "{'type':'fixed','name':'H','size':16}")),
     REC(F("a", "{'type':'fixed','name':'H','size':16}")), true, true},
    /* Nested and recursive records resolve field by field. */
    {"nested record adds field with default",
     REC(F("n", "{'type':'record','name':'N','fields':[" F("x", "'int'") "]}")),
     REC(F("n", "{'type':'record','name':'N','fields':[" F("x", "'int'") "," FD("y", "'int'", "0") "]}")), true,
     true},
    {"nested record adds field without default",
     REC(F("n", "{'type':'record','name':'N','fields':[" F("x", "'int'") "]}")),
     REC(F("n", "{'type':'record','name':'N','fields':[" F("x", "'int'") "," F("y", "'int'") "]}")), false, true},
    {"recursive list adds field with default",
     "{'type':'record','name':'Node','fields':[" F("v", "'int'") "," F("next", "['null','Node']") "]}",
     "{'type':'record','name':'Node','fields':[" F("v", "'int'") "," F("next", "['null','Node']") "," FD(
         "w", "'long'", "0") "]}",
     true, true},
    {"recursive list changes its value type int to long",
     "{'type':'record','name':'Node','fields':[" F("v", "'int'") "," F("next", "['null','Node']") "]}",
     "{'type':'record','name':'Node','fields':[" F("v", "'long'") "," F("next", "['null','Node']") "]}", true, false},
    {"logical type added on the same underlying long", REC(F("t", "'long'")),
     REC(F("t", "{'type':'long','logicalType':'timestamp-millis'}")), true, true},
};

static char *quoted(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

static const struct sr_format *const formats[] = {&avro_format, NULL};

static bool accepted(const char *const *history, size_t n, const char *next, enum sr_compat level, char *err,
                     size_t errlen)
{
    return compat_accepted(formats, quoted, history, n, next, level, err, errlen);
}

static void test_evolution_table(void **state)
{
    assert_true(ARRAY_LEN(cases) >= 40);
    assert_int_equal(compat_table_failures(formats, quoted, cases, ARRAY_LEN(cases)), 0);
}

/* Three versions where the latest alone passes and the transitive levels,
 * which check every earlier version, refuse. */
static void test_transitive(void **state)
{
    char err[512];
    /* v3 drops b's default: it reads v2 (which writes b), not v1. */
    const char *backward[] = {REC(F("a", "'int'")), REC(F("a", "'int'") "," FD("b", "'int'", "0"))};
    const char *backward_next = REC(F("a", "'int'") "," F("b", "'int'"));
    assert_true(accepted(backward, 2, backward_next, SR_COMPAT_BACKWARD, err, sizeof(err)));
    assert_false(accepted(backward, 2, backward_next, SR_COMPAT_BACKWARD_TRANSITIVE, err, sizeof(err)));
    /* v3 removes b: v2 fills it from its default, v1 has none. The same
     * holds both ways, so FULL passes and FULL_TRANSITIVE does not. */
    const char *forward[] = {REC(F("a", "'int'") "," F("b", "'int'")), REC(F("a", "'int'") "," FD("b", "'int'", "0"))};
    const char *forward_next = REC(F("a", "'int'"));
    assert_true(accepted(forward, 2, forward_next, SR_COMPAT_FORWARD, err, sizeof(err)));
    assert_false(accepted(forward, 2, forward_next, SR_COMPAT_FORWARD_TRANSITIVE, err, sizeof(err)));
    assert_true(accepted(forward, 2, forward_next, SR_COMPAT_FULL, err, sizeof(err)));
    assert_false(accepted(forward, 2, forward_next, SR_COMPAT_FULL_TRANSITIVE, err, sizeof(err)));
    assert_non_null(strstr(err, "version 1"));
}

/* Evolution through a reference: a record whose field has a type another
 * subject defines, moved from one version of that subject to the next.
 * Each side is read with the type its own reference gives, so the answers
 * are those of the referenced type changing in place. */
#define ADDR(fields) "{'type':'record','name':'Address','namespace':'shop','fields':[" fields "]}"
static const struct evolution reference_cases[] = {
    {"referenced type only gains a doc", ADDR(F("city", "'string'")),
     "{'type':'record','name':'Address','namespace':'shop','doc':'where','fields':[" F("city", "'string'") "]}", true,
     true},
    {"referenced type adds a field with default", ADDR(F("city", "'string'")),
     ADDR(F("city", "'string'") "," FD("zip", "'string'", "''")), true, true},
    {"referenced type adds a field without default", ADDR(F("city", "'string'")),
     ADDR(F("city", "'string'") "," F("zip", "'string'")), false, true},
    {"referenced type removes a field without default", ADDR(F("city", "'string'") "," F("zip", "'string'")),
     ADDR(F("city", "'string'")), true, false},
    {"referenced type promotes int to long", ADDR(F("number", "'int'")), ADDR(F("number", "'long'")), true, false},
    {"referenced enum adds a symbol", "{'type':'enum','name':'Address','namespace':'shop','symbols':['A']}",
     "{'type':'enum','name':'Address','namespace':'shop','symbols':['A','B']}", true, false},
};

static void test_reference_evolution(void **state)
{
    const struct compat_reference via = {
        "shop.Address", "{'type':'record','name':'User','fields':[{'name':'home','type':'shop.Address'}]}"};
    assert_int_equal(compat_reference_failures(formats, quoted, &via, reference_cases, ARRAY_LEN(reference_cases)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evolution_table),
        cmocka_unit_test(test_reference_evolution),
        cmocka_unit_test(test_transitive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
