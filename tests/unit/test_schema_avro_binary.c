/* Avro binary data checked against a schema: well-formed values pass,
 * truncated, trailing, out-of-range and hostile ones do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "schema/avro.h"

#define RECORD "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}," \
               "{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}," \
               "{\"name\":\"opt\",\"type\":[\"null\",\"int\"]}]}"

static bool valid(const char *schema, const uint8_t *p, size_t len)
{
    struct avro_checker *ck = avro_checker_new(schema, &sr_no_deps);
    assert_non_null(ck);
    char why[128];
    bool ok = avro_datum_valid(ck, p, len, why, sizeof(why));
    avro_checker_free(ck);
    return ok;
}

static void test_record(void **state)
{
    /* id 1, name "ab", tags ["x"], opt branch 1 = 3 */
    static const uint8_t good[] = {0x02, 0x04, 'a', 'b', 0x02, 0x02, 'x', 0x00, 0x02, 0x06};
    assert_true(valid(RECORD, good, sizeof(good)));
    assert_false(valid(RECORD, good, sizeof(good) - 1));              /* truncated */
    uint8_t longer[sizeof(good) + 1];
    memcpy(longer, good, sizeof(good));
    longer[sizeof(good)] = 0;
    assert_false(valid(RECORD, longer, sizeof(longer)));              /* a byte left over */
    uint8_t branch[sizeof(good)];
    memcpy(branch, good, sizeof(good));
    branch[8] = 0x04;                                                 /* union branch 2 of 2 */
    assert_false(valid(RECORD, branch, sizeof(branch)));
    static const uint8_t huge_string[] = {0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f};
    assert_false(valid(RECORD, huge_string, sizeof(huge_string)));
    static const uint8_t not_a_varint[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_false(valid(RECORD, not_a_varint, sizeof(not_a_varint)));
    assert_false(valid(RECORD, NULL, 0));
    /* an int out of int32 range */
    static const uint8_t big_int[] = {0x80, 0x80, 0x80, 0x80, 0x20};
    assert_false(valid("\"int\"", big_int, sizeof(big_int)));
    assert_true(valid("\"long\"", big_int, sizeof(big_int)));
    static const uint8_t enum_idx[] = {0x04};
    assert_false(valid("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}", enum_idx, 1));
    assert_true(valid("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\",\"C\"]}", enum_idx, 1));
}

static void test_hostile(void **state)
{
    /* 2^40 nulls claimed in one block: refused, not counted through. */
    static const uint8_t many[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00};
    assert_false(valid("{\"type\":\"array\",\"items\":\"null\"}", many, sizeof(many)));
    static const uint8_t some[] = {0x06, 0x00};   /* three nulls */
    assert_true(valid("{\"type\":\"array\",\"items\":\"null\"}", some, sizeof(some)));
    /* A recursive list: 10 links pass, 1000 are too deep. */
    const char *list = "{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"next\",\"type\":[\"null\",\"N\"]}]}";
    uint8_t links[1001];
    memset(links, 0x02, sizeof(links));
    links[10] = 0x00;
    assert_true(valid(list, links, 11));
    links[10] = 0x02;
    links[1000] = 0x00;
    assert_false(valid(list, links, sizeof(links)));
    /* Block with a negative count carries its size. */
    static const uint8_t sized[] = {0x01, 0x04, 0x02, 'x', 0x00};   /* count -1: one item, 2 bytes */
    assert_true(valid("{\"type\":\"array\",\"items\":\"string\"}", sized, sizeof(sized)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
