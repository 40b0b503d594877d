/* Protobuf evolution cases checked at every compatibility level through
 * the registry (compat_table.h). Each case's two answers come from
 * Confluent's published rules: the "Schema Evolution and Compatibility"
 * page's Protobuf section and its registry's diff
 * (io/confluent/kafka/schemaregistry/protobuf/diff/: the change kinds of
 * Difference.java, the COMPATIBLE_CHANGES set of SchemaDiff.java), not
 * from this implementation. Confluent compares an original (the
 * writer's) schema with an update (the reader's): backward is
 * diff(old, new) having no incompatible kind, forward diff(new, old).
 * The comment on each case names the kinds the rule gives; a kind in
 * COMPATIBLE_CHANGES is written (ok). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/util.h"
#include "schema/protobuf.h"
#include "schema/registry.h"
#include "compat_table.h"

#define P3(body) "syntax = \"proto3\";\n" body
#define P2(body) "syntax = \"proto2\";\n" body
#define M(fields) "message M {\n" fields "}\n"

static const struct evolution cases[] = {
    /* Nothing changes. */
    {"identical", P3(M("int32 a = 1;")), P3(M("int32 a = 1;")), true, true},
    {"same file written differently", P3(M("int32 a = 1;")),
     "// a comment\nsyntax=\"proto3\";   message M{int32 a=1 ;}", true, true},
    /* FIELD_ADDED (ok) one way, FIELD_REMOVED (ok) the other. */
    {"proto3 field added", P3(M("int32 a = 1;")), P3(M("int32 a = 1; string b = 2;")), true, true},
    {"proto3 field removed", P3(M("int32 a = 1; string b = 2;")), P3(M("int32 a = 1;")), true, true},
    {"proto2 optional field added", P2(M("optional int32 a = 1;")),
     P2(M("optional int32 a = 1; optional string b = 2;")), true, true},
    /* FIELD_NAME_CHANGED (ok): fields are matched by number. */
    {"field renamed, same number", P3(M("int32 a = 1;")), P3(M("int32 b = 1;")), true, true},
    /* A number reused with another kind: FIELD_KIND_CHANGED both ways. */
    {"number reused: scalar to message", P3(M("int32 a = 1;") "message N { int32 x = 1; }\n"),
     P3(M("N a = 1;") "message N { int32 x = 1; }\n"), false, false},
    {"number reused: message to map", P3(M("N a = 1;") "message N { int32 x = 1; }\n"),
     P3(M("map<string, int32> a = 1;") "message N { int32 x = 1; }\n"), false, false},
    /* A number reused with another scalar group: FIELD_SCALAR_KIND_CHANGED. */
    {"number reused: string to int32", P3(M("string a = 1;")), P3(M("int32 a = 1;")), false, false},
    /* Scalars of one group (int32/int64/uint32/uint64/bool and enums;
     * sint32/sint64; string/bytes; fixed32/sfixed32; fixed64/sfixed64)
     * change freely; across groups FIELD_SCALAR_KIND_CHANGED. */
    {"int32 to int64", P3(M("int32 a = 1;")), P3(M("int64 a = 1;")), true, true},
    {"int32 to uint64", P3(M("int32 a = 1;")), P3(M("uint64 a = 1;")), true, true},
    {"uint32 to bool", P3(M("uint32 a = 1;")), P3(M("bool a = 1;")), true, true},
    {"sint32 to sint64", P3(M("sint32 a = 1;")), P3(M("sint64 a = 1;")), true, true},
    {"string to bytes", P3(M("string a = 1;")), P3(M("bytes a = 1;")), true, true},
    {"fixed32 to sfixed32", P3(M("fixed32 a = 1;")), P3(M("sfixed32 a = 1;")), true, true},
    {"fixed64 to sfixed64", P3(M("fixed64 a = 1;")), P3(M("sfixed64 a = 1;")), true, true},
    {"int32 to sint32 (zigzag differs)", P3(M("int32 a = 1;")), P3(M("sint32 a = 1;")), false, false},
    {"fixed32 to fixed64", P3(M("fixed32 a = 1;")), P3(M("fixed64 a = 1;")), false, false},
    {"float to double", P3(M("float a = 1;")), P3(M("double a = 1;")), false, false},
    {"int32 to fixed32", P3(M("int32 a = 1;")), P3(M("fixed32 a = 1;")), false, false},
    {"enum to int32 (both general numbers)", P3(M("E a = 1;") "enum E { Z = 0; }\n"),
     P3(M("int32 a = 1;") "enum E { Z = 0; }\n"), true, true},
    {"enum to string", P3(M("E a = 1;") "enum E { Z = 0; }\n"), P3(M("string a = 1;") "enum E { Z = 0; }\n"), false,
     false},
    /* Labels: only explicit ones compare (a proto3 plain field has none).
     * Numeric: FIELD_NUMERIC_LABEL_CHANGED; string/bytes:
     * FIELD_STRING_OR_BYTES_LABEL_CHANGED (ok). */
    {"proto3 plain int32 to repeated (no label before)", P3(M("int32 a = 1;")), P3(M("repeated int32 a = 1;")), true,
     true},
    {"proto2 optional int32 to repeated", P2(M("optional int32 a = 1;")), P2(M("repeated int32 a = 1;")), false,
     false},
    {"proto3 optional int32 to repeated", P3(M("optional int32 a = 1;")), P3(M("repeated int32 a = 1;")), false,
     false},
    {"proto2 optional string to repeated", P2(M("optional string a = 1;")), P2(M("repeated string a = 1;")), true,
     true},
    {"proto2 required int32 to optional", P2(M("required int32 a = 1;")), P2(M("optional int32 a = 1;")), false,
     false},
    {"proto3 plain int32 to optional", P3(M("int32 a = 1;")), P3(M("optional int32 a = 1;")), true, true},
    /* Required fields: REQUIRED_FIELD_ADDED one way, REQUIRED_FIELD_REMOVED
     * the other, both incompatible. */
    {"proto2 required field added", P2(M("optional int32 a = 1;")),
     P2(M("optional int32 a = 1; required int32 b = 2;")), false, false},
    {"proto2 required field removed", P2(M("optional int32 a = 1; required int32 b = 2;")),
     P2(M("optional int32 a = 1;")), false, false},
    /* Messages: MESSAGE_REMOVED is incompatible, MESSAGE_ADDED and
     * MESSAGE_MOVED (ok). */
    {"message removed", P3(M("int32 a = 1;") "message N { int32 x = 1; }\n"), P3(M("int32 a = 1;")), false, true},
    {"message added", P3(M("int32 a = 1;")), P3(M("int32 a = 1;") "message N { int32 x = 1; }\n"), true, false},
    {"messages reordered", P3(M("int32 a = 1;") "message N { int32 x = 1; }\n"),
     P3("message N { int32 x = 1; }\n" M("int32 a = 1;")), true, true},
    {"nested message removed", P3("message M { int32 a = 1; message N { int32 x = 1; } }\n"),
     P3(M("int32 a = 1;")), false, true},
    /* Message-typed fields: another type's name is FIELD_NAMED_TYPE_CHANGED;
     * the same name compares the message itself. */
    {"message field to another message type",
     P3(M("N a = 1;") "message N { int32 x = 1; }\nmessage O { int32 x = 1; }\n"),
     P3(M("O a = 1;") "message N { int32 x = 1; }\nmessage O { int32 x = 1; }\n"), false, false},
    {"field's message type gains a field", P3(M("N a = 1;") "message N { int32 x = 1; }\n"),
     P3(M("N a = 1;") "message N { int32 x = 1; int32 y = 2; }\n"), true, true},
    {"field's message type changes a scalar group", P3(M("N a = 1;") "message N { int32 x = 1; }\n"),
     P3(M("N a = 1;") "message N { string x = 1; }\n"), false, false},
    {"well-known type Timestamp to Duration",
     P3("import \"google/protobuf/timestamp.proto\";\nimport \"google/protobuf/duration.proto\";\n"
        M("google.protobuf.Timestamp t = 1;")),
     P3("import \"google/protobuf/timestamp.proto\";\nimport \"google/protobuf/duration.proto\";\n"
        M("google.protobuf.Duration t = 1;")),
     false, false},
    /* Maps compare their key and value types as fields. */
    {"map value int32 to int64", P3(M("map<string, int32> m = 1;")), P3(M("map<string, int64> m = 1;")), true, true},
    {"map value int32 to string", P3(M("map<string, int32> m = 1;")), P3(M("map<string, string> m = 1;")), false,
     false},
    /* PACKAGE_CHANGED is incompatible; the syntax line is not compared
     * (Difference.java has no kind for it). */
    {"package changed", P3("package a;\n" M("int32 x = 1;")), P3("package b;\n" M("int32 x = 1;")), false, false},
    {"proto2 to proto3, same fields", P2(M("optional int32 a = 1;")), P3(M("int32 a = 1;")), true, true},
    /* Enums: ENUM_ADDED, ENUM_REMOVED, ENUM_CONST_ADDED, ENUM_CONST_CHANGED
     * and ENUM_CONST_REMOVED are all (ok). */
    {"enum value added", P3(M("E e = 1;") "enum E { Z = 0; A = 1; }\n"),
     P3(M("E e = 1;") "enum E { Z = 0; A = 1; B = 2; }\n"), true, true},
    {"enum value removed", P3(M("E e = 1;") "enum E { Z = 0; A = 1; }\n"), P3(M("E e = 1;") "enum E { Z = 0; }\n"),
     true, true},
    {"enum value renamed", P3(M("E e = 1;") "enum E { Z = 0; A = 1; }\n"),
     P3(M("E e = 1;") "enum E { Z = 0; B = 1; }\n"), true, true},
    {"unused enum removed", P3(M("int32 a = 1;") "enum E { Z = 0; }\n"), P3(M("int32 a = 1;")), true, true},
    /* Oneofs. ONEOF_ADDED, ONEOF_REMOVED, ONEOF_FIELD_ADDED and
     * ONEOF_FIELD_MOVED_TO_TOP_LEVEL are (ok); ONEOF_FIELD_REMOVED (unless
     * the whole oneof goes), MULTIPLE_FIELDS_MOVED_TO_ONEOF and
     * FIELD_MOVED_TO_EXISTING_ONEOF are not. */
    {"one field moved into a new oneof", P3(M("int32 a = 1; int32 b = 2;")),
     P3(M("oneof o { int32 a = 1; } int32 b = 2;")), true, true},
    {"two fields moved into a new oneof", P3(M("int32 a = 1; int32 b = 2;")),
     P3(M("oneof o { int32 a = 1; int32 b = 2; }")), false, true},
    {"field moved into an existing oneof", P3(M("oneof o { int32 a = 1; } int32 b = 2;")),
     P3(M("oneof o { int32 a = 1; int32 b = 2; }")), false, true},
    {"new field added to a oneof", P3(M("oneof o { int32 a = 1; }")), P3(M("oneof o { int32 a = 1; int32 c = 3; }")),
     true, false},
    {"field removed from a oneof", P3(M("oneof o { int32 a = 1; int32 c = 3; }")), P3(M("oneof o { int32 a = 1; }")),
     false, true},
    {"whole oneof removed with its fields", P3(M("oneof o { int32 a = 1; int32 b = 2; } int32 c = 3;")),
     P3(M("int32 c = 3;")), true, true},
    {"oneof renamed", P3(M("oneof x { int32 a = 1; int32 b = 2; }")), P3(M("oneof y { int32 a = 1; int32 b = 2; }")),
     true, true},
    {"oneof member string to bytes, and a member added", P3(M("oneof o { int32 a = 1; string b = 2; }")),
     P3(M("oneof o { int32 a = 1; bytes b = 2; float c = 3; }")), true, false},
};

static const struct sr_format *const formats[] = {&protobuf_format, NULL};

static void test_evolution_table(void **state)
{
    assert_true(ARRAY_LEN(cases) >= 40);
    assert_int_equal(compat_table_failures(formats, NULL, cases, ARRAY_LEN(cases)), 0);
}

/* Three versions where the latest alone passes and the transitive levels,
 * which check every earlier version, refuse. */
static void test_transitive(void **state)
{
    char err[1024];
    const struct sr_format *const *f = formats;
    /* v1 had N; v2 dropped it (registered under NONE); v3 = v2 reads v2's
     * data but not v1's: MESSAGE_REMOVED against v1. */
    const char *backward[] = {P3(M("int32 a = 1;") "message N { int32 x = 1; }\n"), P3(M("int32 a = 1;"))};
    const char *backward_next = P3(M("int32 a = 1;"));
    assert_true(compat_accepted(f, NULL, backward, 2, backward_next, SR_COMPAT_BACKWARD, err, sizeof(err)));
    assert_false(compat_accepted(f, NULL, backward, 2, backward_next, SR_COMPAT_BACKWARD_TRANSITIVE, err, sizeof(err)));
    assert_non_null(strstr(err, "MESSAGE_REMOVED"));
    /* v1 lacked N, v2 and v3 have it: v1 cannot read v3's N. */
    const char *forward[] = {P3(M("int32 a = 1;")), P3(M("int32 a = 1;") "message N { int32 x = 1; }\n")};
    const char *forward_next = P3(M("int32 a = 1;") "message N { int32 x = 1; }\n");
    assert_true(compat_accepted(f, NULL, forward, 2, forward_next, SR_COMPAT_FORWARD, err, sizeof(err)));
    assert_false(compat_accepted(f, NULL, forward, 2, forward_next, SR_COMPAT_FORWARD_TRANSITIVE, err, sizeof(err)));
    assert_true(compat_accepted(f, NULL, forward, 2, forward_next, SR_COMPAT_FULL, err, sizeof(err)));
    assert_false(compat_accepted(f, NULL, forward, 2, forward_next, SR_COMPAT_FULL_TRANSITIVE, err, sizeof(err)));
    assert_non_null(strstr(err, "version 1"));
}

/* Evolution through a reference: User (its own file) imports
 * shop/address.proto, a subject of its own, and moves from version 1 of it
 * to version 2 with the same text. Confluent's rule
 * (FieldSchemaDiff.compareMessageTypes): a message-typed field whose type
 * comes from a reference at another subject or version has the two
 * versions of that type compared as messages, and any incompatible kind
 * found there is the field's too (FIELD_NAMED_TYPE_CHANGED); types the
 * schema does not use are not compared. The kinds are those of the table
 * above, now inside Address. */
#define ADDRESS(body) P3("package shop;\n" body)
#define ADDRESS2(body) P2("package shop;\n" body)
static const struct evolution reference_cases[] = {
    /* FIELD_ADDED (ok) one way, FIELD_REMOVED (ok) the other. */
    {"referenced message gains a field", ADDRESS("message Address { string city = 1; }"),
     ADDRESS("message Address { string city = 1; int32 zip = 2; }"), true, true},
    /* FIELD_NAME_CHANGED (ok). */
    {"referenced message's field renamed", ADDRESS("message Address { string city = 1; }"),
     ADDRESS("message Address { string town = 1; }"), true, true},
    /* One scalar group (general numbers): no difference. */
    {"referenced message's field int32 to int64", ADDRESS("message Address { int32 zip = 1; }"),
     ADDRESS("message Address { int64 zip = 1; }"), true, true},
    /* FIELD_SCALAR_KIND_CHANGED, so FIELD_NAMED_TYPE_CHANGED on User.home. */
    {"referenced message's field string to int32", ADDRESS("message Address { string city = 1; }"),
     ADDRESS("message Address { int32 city = 1; }"), false, false},
    /* FIELD_KIND_CHANGED. */
    {"referenced message's field scalar to message",
     ADDRESS("message Address { string city = 1; }\nmessage City { string name = 1; }"),
     ADDRESS("message Address { City city = 1; }\nmessage City { string name = 1; }"), false, false},
    /* FIELD_NUMERIC_LABEL_CHANGED (proto2's explicit labels). */
    {"referenced proto2 message's optional int32 to repeated", ADDRESS2("message Address { optional int32 zip = 1; }"),
     ADDRESS2("message Address { repeated int32 zip = 1; }"), false, false},
    /* REQUIRED_FIELD_ADDED one way, REQUIRED_FIELD_REMOVED the other. */
    {"referenced proto2 message gains a required field", ADDRESS2("message Address { optional string city = 1; }"),
     ADDRESS2("message Address { optional string city = 1; required int32 zip = 2; }"), false, false},
    /* ONEOF_FIELD_REMOVED one way, ONEOF_FIELD_ADDED (ok) the other. */
    {"referenced message's oneof loses a member",
     ADDRESS("message Address { oneof where { string city = 1; string zip = 2; } }"),
     ADDRESS("message Address { oneof where { string city = 1; } }"), false, true},
    /* A nested message of Address: MESSAGE_REMOVED one way, MESSAGE_ADDED
     * (ok) the other (MessageSchemaDiff compares nested types). */
    {"referenced message's nested message removed",
     ADDRESS("message Address { string city = 1; message Geo { double lat = 1; } }"),
     ADDRESS("message Address { string city = 1; }"), false, true},
    /* Enum fields are scalars (general numbers): the enum is not compared;
     * ENUM_CONST_ADDED would be ok anyway. */
    {"referenced enum gains a constant", ADDRESS("message Address { Kind kind = 1; }\nenum Kind { HOME = 0; }"),
     ADDRESS("message Address { Kind kind = 1; }\nenum Kind { HOME = 0; WORK = 1; }"), true, true},
    /* A message User does not use is not compared, removed or changed. */
    {"unused message of the referenced file removed",
     ADDRESS("message Address { string city = 1; }\nmessage Unused { int32 x = 1; }"),
     ADDRESS("message Address { string city = 1; }"), true, true},
    {"unused message of the referenced file changes a field's kind",
     ADDRESS("message Address { string city = 1; }\nmessage Unused { int32 x = 1; }"),
     ADDRESS("message Address { string city = 1; }\nmessage Unused { string x = 1; }"), true, true},
};

static const struct compat_reference via_address = {
    "shop/address.proto",
    P3("package shop;\nimport \"shop/address.proto\";\nmessage User {\n  Address home = 1;\n  string name = 2;\n}\n")};

static void test_reference_evolution(void **state)
{
    assert_int_equal(
        compat_reference_failures(formats, NULL, &via_address, reference_cases, ARRAY_LEN(reference_cases)), 0);
    /* The reasons name the change inside Address and, as Confluent's do,
     * User's field of that type. */
    char err[1024];
    const struct evolution *city_to_int = &reference_cases[3];
    assert_false(compat_accepted_by_reference(formats, NULL, &via_address, city_to_int, SR_COMPAT_BACKWARD, err,
                                              sizeof(err)));
    assert_non_null(strstr(err, "FIELD_SCALAR_KIND_CHANGED\", description:\"The kind of a SCALAR field does not match "
                                "at path '#/Address/1'"));
    assert_non_null(strstr(err, "FIELD_NAMED_TYPE_CHANGED\", description:\"The type of a MESSAGE field does not match "
                                "at path '#/User/1'"));
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
