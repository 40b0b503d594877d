/* Event payloads (examples/shop/lib/shop_avro.c): Avro with Confluent's
 * framing, round trips, and the payloads a consumer must refuse as poison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shop_avro.h"

static const char *ORDER =
    "{\"type\":\"record\",\"name\":\"OrderPlaced\",\"namespace\":\"shop\",\"fields\":["
    "{\"name\":\"order_id\",\"type\":\"string\"},{\"name\":\"quantity\",\"type\":\"long\"}]}";

static struct shop_schema *order_schema(void)
{
    char err[256];
    struct shop_schema *s = shop_schema_new(ORDER, err, sizeof err);
    assert_non_null(s);
    shop_schema_set_id(s, 0x01020304);
    return s;
}

static void test_round_trip_with_framing(void **state)
{
    (void)state;
    struct shop_schema *s = order_schema();
    json_t *in = json_pack("{s:s,s:I}", "order_id", "o-1", "quantity", (json_int_t)300);
    uint8_t *buf;
    size_t len;
    char err[256];
    assert_int_equal(shop_avro_encode(s, in, &buf, &len, err, sizeof err), 0);
    /* magic 0, id, string "o-1" (zigzag length 6), long 300 (zigzag 600 = d8 04) */
    assert_int_equal(len, 5 + 4 + 2);
    assert_memory_equal(buf, "\x00\x01\x02\x03\x04\x06o-1\xd8\x04", len);
    json_t *out = shop_avro_decode(s, buf, len, err, sizeof err);
    assert_non_null(out);
    assert_true(json_equal(in, out));
    json_decref(out);
    json_decref(in);
    free(buf);
    shop_schema_free(s);
}

static void test_encode_refuses_missing_or_mistyped(void **state)
{
    (void)state;
    struct shop_schema *s = order_schema();
    uint8_t *buf;
    size_t len;
    char err[256];
    json_t *missing = json_pack("{s:s}", "order_id", "o-1");
    assert_int_equal(shop_avro_encode(s, missing, &buf, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "quantity"));
    json_t *mistyped = json_pack("{s:i,s:i}", "order_id", 1, "quantity", 1);
    assert_int_equal(shop_avro_encode(s, mistyped, &buf, &len, err, sizeof err), -1);
    json_decref(missing);
    json_decref(mistyped);
    shop_schema_free(s);
}

static void test_decode_refuses_poison(void **state)
{
    (void)state;
    struct shop_schema *s = order_schema();
    char err[256];
    const uint8_t good[] = {0, 1, 2, 3, 4, 6, 'o', '-', '1', 0xd8, 0x04};
    const uint8_t wrong_id[] = {0, 0, 0, 0, 9, 6, 'o', '-', '1', 0xd8, 0x04};
    const uint8_t trailing[] = {0, 1, 2, 3, 4, 6, 'o', '-', '1', 0xd8, 0x04, 0};
    const uint8_t string_too_long[] = {0, 1, 2, 3, 4, 0x7e, 'o'};
    assert_null(shop_avro_decode(s, "{\"order_id\":1}", 14, err, sizeof err));   /* plain JSON */
    assert_null(shop_avro_decode(s, good, 4, err, sizeof err));                  /* cut in the frame */
    assert_null(shop_avro_decode(s, good, 8, err, sizeof err));                  /* cut in the data */
    assert_null(shop_avro_decode(s, wrong_id, sizeof wrong_id, err, sizeof err));
    assert_null(shop_avro_decode(s, trailing, sizeof trailing, err, sizeof err));
    assert_null(shop_avro_decode(s, string_too_long, sizeof string_too_long, err, sizeof err));
    assert_null(shop_avro_decode(s, NULL, 0, err, sizeof err));
    json_t *ok = shop_avro_decode(s, good, sizeof good, err, sizeof err);
    assert_non_null(ok);
    json_decref(ok);
    shop_schema_free(s);
}

static void test_unsupported_schemas(void **state)
{
    (void)state;
    char err[256];
    assert_null(shop_schema_new("\"string\"", err, sizeof err));
    assert_null(shop_schema_new("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"d\",\"type\":\"double\"}]}",
                                err, sizeof err));
    assert_non_null(strstr(err, "d"));
    assert_null(shop_schema_new("{not json", err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_with_framing),
        cmocka_unit_test(test_encode_refuses_missing_or_mistyped),
        cmocka_unit_test(test_decode_refuses_poison),
        cmocka_unit_test(test_unsupported_schemas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
