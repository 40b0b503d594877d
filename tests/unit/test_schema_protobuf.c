/* Protobuf schemas' canonical text, and full validation of payloads
 * (protobuf_datum_valid): what follows the magic byte and schema id in
 * Confluent's framing, message indexes then the message. Payloads are
 * encoded by libprotobuf (protobuf_payload.cc) from protobuf's text
 * format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "protobuf_payload.h"
#include "schema/protobuf.h"

static const char *const SCHEMA =
    "syntax = \"proto3\";\n"
    "package shop;\n"
    "message Order { int64 id = 1; string item = 2; Line line = 3; map<string, int32> tags = 4;\n"
    "  message Line { int32 qty = 1; } }\n"
    "message Refund { string reason = 1; }\n";

static const char *const PROTO2 = "syntax = \"proto2\";\nmessage R { required int32 a = 1; optional int32 b = 2; }\n";

struct framed {
    uint8_t bytes[512];
    size_t len;
};

/* Message indexes (already zigzag-encoded single bytes), then the
 * message `text` encoded as `message` of `schema`. */
static struct framed frame(const char *schema, const char *message, const char *text, const uint8_t *idx,
                           size_t nidx)
{
    struct framed f;
    memcpy(f.bytes, idx, nidx);
    size_t n = pb_test_encode(schema, message, text, f.bytes + nidx, sizeof(f.bytes) - nidx);
    assert_true(n != (size_t)-1);
    f.len = nidx + n;
    return f;
}

static bool valid(const char *schema, const struct framed *f, char *why, size_t whylen)
{
    char *canonical = protobuf_canonicalize(schema, &sr_no_deps, why, whylen);
    assert_non_null(canonical);
    void *ck = protobuf_checker_new(canonical, &sr_no_deps);
    assert_non_null(ck);
    bool ok = protobuf_datum_valid(ck, f->bytes, f->len, why, whylen);
    protobuf_checker_free(ck);
    free(canonical);
    return ok;
}

static const uint8_t FIRST[] = {0x00};              /* the count 0: the first message */
static const uint8_t SECOND[] = {0x02, 0x02};       /* [1] */
static const uint8_t NESTED[] = {0x04, 0x00, 0x00}; /* [0, 0]: Order.Line */

/* One schema, however written or sent, has one canonical text. */
static void test_canonical_text(void **state)
{
    char err[256] = "";
    char *canonical = protobuf_canonicalize(SCHEMA, &sr_no_deps, err, sizeof(err));
    assert_non_null(canonical);
    char *spaced = protobuf_canonicalize("// orders\nsyntax='proto3'; package shop; message Order{int64 id=1;"
                                         "string item=2;Line line=3;map<string,int32> tags=4;"
                                         "message Line{int32 qty=1;}}"
                                         "message Refund{string reason=1;}",
                                         &sr_no_deps, err, sizeof(err));
    assert_non_null(spaced);
    assert_string_equal(spaced, canonical);
    /* Replaying _schemas canonicalizes the stored text again. */
    char *again = protobuf_canonicalize(canonical, &sr_no_deps, err, sizeof(err));
    assert_non_null(again);
    assert_string_equal(again, canonical);
    free(again);
    /* The base64 FileDescriptorProto Confluent's clients send. */
    char *serialized = protobuf_serialized(canonical, &sr_no_deps);
    assert_non_null(serialized);
    assert_null(strchr(serialized, ' '));
    char *from_base64 = protobuf_canonicalize(serialized, &sr_no_deps, err, sizeof(err));
    assert_non_null(from_base64);
    assert_string_equal(from_base64, canonical);
    free(from_base64);
    free(serialized);
    free(spaced);
    free(canonical);
}

static void test_invalid_schemas(void **state)
{
    char err[256] = "";
    assert_null(protobuf_canonicalize("syntax = \"proto3\"; message M { int32 a = 1 }", &sr_no_deps, err, sizeof(err)));
    assert_non_null(strstr(err, "line 1:"));
    /* The parser accepts these; building the descriptors does not. */
    assert_null(protobuf_canonicalize("syntax = \"proto3\"; message M { int32 a = 1; int32 b = 1; }", &sr_no_deps, err,
                                      sizeof(err)));
    assert_non_null(strstr(err, "already been used"));
    assert_null(protobuf_canonicalize("syntax = \"proto3\"; message M { Nope a = 1; }", &sr_no_deps, err, sizeof(err)));
    assert_non_null(strstr(err, "Nope"));
    assert_null(protobuf_canonicalize("syntax = \"proto3\"; import \"other.proto\"; message M { int32 a = 1; }",
                                      &sr_no_deps, err, sizeof(err)));
    assert_non_null(strstr(err, "other.proto"));
    assert_null(protobuf_canonicalize("AAAA////", &sr_no_deps, err, sizeof(err)));
}

/* Imports resolve through the schema's references. */
static void test_references(void **state)
{
    char err[256] = "";
    const char *names[] = {"common/money.proto"};
    const char *texts[] = {"syntax = \"proto3\"; package common; message Money { int64 cents = 1; }"};
    struct sr_deps deps = {1, names, texts};
    char *canonical = protobuf_canonicalize(
        "syntax = \"proto3\"; import \"common/money.proto\"; message Price { common.Money amount = 1; }", &deps, err,
        sizeof(err));
    assert_non_null(canonical);
    assert_non_null(strstr(canonical, "common.Money"));
    free(canonical);
}

/* A schema from a client is a long chain of message types, each a field
 * of the one before: comparing two of them must not exhaust the stack. */
static void test_long_chain_of_message_types(void **state)
{
    enum { N = 20000 };
    size_t cap = (size_t)N * 48 + 64, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "syntax = \"proto3\";\n");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len, "message M%d { M%d f = 1; }\n", i, i + 1);
    snprintf(text + len, cap - len, "message M%d { int32 x = 1; }\n", N);
    char err[256] = "";
    char *canonical = protobuf_canonicalize(text, &sr_no_deps, err, sizeof(err));
    assert_non_null(canonical);
    assert_true(protobuf_can_read(canonical, &sr_no_deps, canonical, &sr_no_deps, err, sizeof(err)));
    free(canonical);
    free(text);
}

static void test_valid_messages(void **state)
{
    char why[256] = "";
    struct framed f = frame(SCHEMA, "shop.Order",
                            "id: 7 item: \"tea\" line { qty: 2 } tags { key: \"a\" value: 1 }", FIRST, sizeof(FIRST));
    assert_true(valid(SCHEMA, &f, why, sizeof(why)));
    f = frame(SCHEMA, "shop.Refund", "reason: \"late\"", SECOND, sizeof(SECOND));
    assert_true(valid(SCHEMA, &f, why, sizeof(why)));
    f = frame(SCHEMA, "shop.Order.Line", "qty: 3", NESTED, sizeof(NESTED));
    assert_true(valid(SCHEMA, &f, why, sizeof(why)));
    /* All fields at their defaults: an empty message is a valid one. */
    f = frame(SCHEMA, "shop.Order", "", FIRST, sizeof(FIRST));
    assert_int_equal(f.len, 1);
    assert_true(valid(SCHEMA, &f, why, sizeof(why)));
}

static void test_indexes_must_name_a_message(void **state)
{
    char why[256] = "";
    static const uint8_t third[] = {0x02, 0x04};   /* [2]: there are two */
    struct framed f = frame(SCHEMA, "shop.Refund", "reason: \"x\"", third, sizeof(third));
    assert_false(valid(SCHEMA, &f, why, sizeof(why)));
    assert_non_null(strstr(why, "indexes"));
    static const uint8_t negative_count[] = {0x01};
    f = frame(SCHEMA, "shop.Refund", "", negative_count, sizeof(negative_count));
    assert_false(valid(SCHEMA, &f, why, sizeof(why)));
    struct framed empty = {.len = 0};
    assert_false(valid(SCHEMA, &empty, why, sizeof(why)));
}

static void test_bytes_must_be_the_message(void **state)
{
    char why[256] = "";
    /* A Refund's field 1 is a string; an Order's field 1 an int64. */
    struct framed f = frame(SCHEMA, "shop.Refund", "reason: \"late\"", FIRST, sizeof(FIRST));
    assert_false(valid(SCHEMA, &f, why, sizeof(why)));
    assert_non_null(strstr(why, "wire type"));
    /* The same one level down: Line's qty given as a string. */
    static const char *const other = "syntax = \"proto3\";\nmessage O { L line = 3; }\nmessage L { string qty = 1; }\n";
    f = frame(other, "O", "line { qty: \"two\" }", FIRST, sizeof(FIRST));
    assert_false(valid(SCHEMA, &f, why, sizeof(why)));
    assert_non_null(strstr(why, "shop.Order.Line.qty"));
    /* Cut short. */
    f = frame(SCHEMA, "shop.Order", "item: \"a long enough item\"", FIRST, sizeof(FIRST));
    f.len -= 3;
    assert_false(valid(SCHEMA, &f, why, sizeof(why)));
    /* Text, not Protobuf. */
    struct framed text = {.len = 13};
    memcpy(text.bytes, "\x00not protobuf", 13);
    assert_false(valid(SCHEMA, &text, why, sizeof(why)));
}

static void test_required_and_unknown_fields(void **state)
{
    char why[256] = "";
    struct framed f = frame(PROTO2, "R", "b: 1", FIRST, sizeof(FIRST));
    assert_false(valid(PROTO2, &f, why, sizeof(why)));
    assert_non_null(strstr(why, "required"));
    f = frame(PROTO2, "R", "a: 1", FIRST, sizeof(FIRST));
    assert_true(valid(PROTO2, &f, why, sizeof(why)));
    /* A field number the message does not declare is skipped, as every
     * Protobuf parser skips it (a writer's newer field). */
    static const char *const newer =
        "syntax = \"proto2\";\nmessage R { required int32 a = 1; optional string z = 9; }\n";
    f = frame(newer, "R", "a: 1 z: \"new\"", FIRST, sizeof(FIRST));
    assert_true(valid(PROTO2, &f, why, sizeof(why)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_text),
        cmocka_unit_test(test_invalid_schemas),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_long_chain_of_message_types),
        cmocka_unit_test(test_valid_messages),
        cmocka_unit_test(test_indexes_must_name_a_message),
        cmocka_unit_test(test_bytes_must_be_the_message),
        cmocka_unit_test(test_required_and_unknown_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
