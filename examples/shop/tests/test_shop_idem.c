/* The processed-ids set (examples/shop/lib/shop_idem.c): membership,
 * growth, what survives a reopen, a torn last line, and ids it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "shop_idem.h"
#include "test_helpers.h"

static void test_add_contains_and_reopen(void **state)
{
    (void)state;
    char *dir = th_tmpdir("idem");
    char path[4200];
    snprintf(path, sizeof path, "%s/processed", dir);
    struct shop_idem *s = shop_idem_open(path);
    assert_non_null(s);
    assert_false(shop_idem_contains(s, "a"));
    assert_int_equal(shop_idem_add(s, "a"), 0);
    assert_int_equal(shop_idem_add(s, "a"), 0);   /* twice is once */
    assert_true(shop_idem_contains(s, "a"));
    char id[32];
    for (int i = 0; i < 5000; i++) {   /* several growths of the table */
        snprintf(id, sizeof id, "order-%d", i);
        assert_int_equal(shop_idem_add(s, id), 0);
    }
    assert_int_equal(shop_idem_count(s), 5001);
    shop_idem_close(s);

    s = shop_idem_open(path);
    assert_non_null(s);
    assert_int_equal(shop_idem_count(s), 5001);
    assert_true(shop_idem_contains(s, "a"));
    assert_true(shop_idem_contains(s, "order-4999"));
    assert_false(shop_idem_contains(s, "order-5000"));
    shop_idem_close(s);
    th_rm_rf(dir);
    free(dir);
}

static void test_torn_tail_is_closed(void **state)
{
    (void)state;
    char *dir = th_tmpdir("idem");
    char path[4200];
    snprintf(path, sizeof path, "%s/processed", dir);
    th_write_file(path, "one\ntwo\nthr", 11);   /* a crash in the middle of "three\n" */
    struct shop_idem *s = shop_idem_open(path);
    assert_non_null(s);
    assert_true(shop_idem_contains(s, "two"));
    assert_false(shop_idem_contains(s, "three"));
    assert_int_equal(shop_idem_add(s, "three"), 0);
    shop_idem_close(s);
    s = shop_idem_open(path);
    assert_true(shop_idem_contains(s, "three"));   /* on a line of its own */
    assert_int_equal(th_file_size(path), 18);       /* one\ntwo\nthr\nthree\n */
    shop_idem_close(s);
    th_rm_rf(dir);
    free(dir);
}

static void test_instances_share_the_file(void **state)
{
    (void)state;
    char *dir = th_tmpdir("idem");
    char path[4200];
    snprintf(path, sizeof path, "%s/processed", dir);
    struct shop_idem *a = shop_idem_open(path), *b = shop_idem_open(path);
    assert_int_equal(shop_idem_add(a, "from-a"), 0);
    assert_int_equal(shop_idem_add(b, "from-b"), 0);
    assert_false(shop_idem_contains(b, "from-a"));   /* not until b reads again */
    assert_int_equal(shop_idem_refresh(b), 0);
    assert_true(shop_idem_contains(b, "from-a"));
    assert_int_equal(shop_idem_refresh(a), 0);
    assert_true(shop_idem_contains(a, "from-b"));
    assert_int_equal(shop_idem_count(a), 2);
    shop_idem_close(a);
    shop_idem_close(b);
    th_rm_rf(dir);
    free(dir);
}

static void test_refused_ids(void **state)
{
    (void)state;
    char *dir = th_tmpdir("idem");
    char path[4200];
    snprintf(path, sizeof path, "%s/processed", dir);
    struct shop_idem *s = shop_idem_open(path);
    char long_id[SHOP_IDEM_ID_MAX + 2];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_int_equal(shop_idem_add(s, ""), -1);
    assert_int_equal(shop_idem_add(s, "a\nb"), -1);
    assert_int_equal(shop_idem_add(s, long_id), -1);
    long_id[SHOP_IDEM_ID_MAX] = '\0';   /* the longest allowed */
    assert_int_equal(shop_idem_add(s, long_id), 0);
    assert_int_equal(shop_idem_count(s), 1);
    shop_idem_close(s);
    assert_null(shop_idem_open("/nonexistent-dir/processed"));
    th_rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_contains_and_reopen),
        cmocka_unit_test(test_torn_tail_is_closed),
        cmocka_unit_test(test_instances_share_the_file),
        cmocka_unit_test(test_refused_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
