/* Idempotent producer state: duplicates, gaps, epochs, sequence
 * wrap-around, the five-append window, expiry and the snapshot file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "log/kerr.h"
#include "log/producer_state.h"
#include "test_helpers.h"

#define PID 1000
#define NOW 1000000

/* Checks, then records at the next offset when accepted. */
static int64_t next_off;
static int produce(struct pstate *ps, int64_t pid, int16_t epoch, int32_t first, int32_t count, struct pbatch *dup)
{
    int32_t last = pstate_last_seq(first, count - 1);
    int rc = pstate_check(ps, pid, epoch, first, last, NOW, 0, dup);
    if (rc == 0) {
        pstate_record(ps, pid, epoch, first, last, next_off, next_off + count - 1, NOW);
        next_off += count;
    }
    return rc;
}

static void test_in_order_and_duplicate(void **state)
{
    (void)state;
    struct pstate *ps = pstate_new();
    struct pbatch dup;
    next_off = 100;
    assert_int_equal(produce(ps, PID, 0, 0, 10, &dup), 0);     /* offsets 100-109 */
    assert_int_equal(produce(ps, PID, 0, 10, 5, &dup), 0);     /* 110-114 */
    assert_int_equal(produce(ps, PID, 0, 0, 10, &dup), PSTATE_DUPLICATE);
    assert_int_equal(dup.first_off, 100);
    assert_int_equal(dup.last_off, 109);
    assert_int_equal(produce(ps, PID, 0, 10, 5, &dup), PSTATE_DUPLICATE);
    assert_int_equal(dup.first_off, 110);
    /* Same first sequence, different range: not a duplicate, out of order. */
    assert_int_equal(produce(ps, PID, 0, 10, 4, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert_int_equal(next_off, 115);
    pstate_free(ps);
}

/* The words a client gets for a rejected append name what the state holds. */
static void test_explain(void **state)
{
    (void)state;
    struct pstate *ps = pstate_new();
    struct pbatch dup;
    char why[160];
    next_off = 0;
    assert_int_equal(produce(ps, PID, 3, 0, 5, &dup), 0);    /* sequences 0-4 */
    int rc = produce(ps, PID, 3, 7, 1, &dup);
    assert_int_equal(rc, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    pstate_explain(ps, rc, PID, 3, 7, why, sizeof(why));
    assert_string_equal(why, "producer 1000 epoch 3: sequence 7 does not follow 4");
    rc = produce(ps, PID, 2, 5, 1, &dup);
    assert_int_equal(rc, KERR_INVALID_PRODUCER_EPOCH);
    pstate_explain(ps, rc, PID, 2, 5, why, sizeof(why));
    assert_string_equal(why, "producer 1000 epoch 2 is older than the current epoch 3");
    rc = produce(ps, PID + 1, 0, 9, 1, &dup);   /* unknown here: must start at 0 */
    pstate_explain(ps, rc, PID + 1, 0, 9, why, sizeof(why));
    assert_string_equal(why, "producer 1001 epoch 0: sequence 9 does not follow -1");
    pstate_free(ps);
}

static void test_gap_and_new_producer(void **state)
{
    (void)state;
    struct pstate *ps = pstate_new();
    struct pbatch dup;
    next_off = 0;
    /* A producer this partition does not know starts at 0. */
    assert_int_equal(produce(ps, PID, 0, 5, 1, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert_int_equal(produce(ps, PID, 0, 0, 3, &dup), 0);
    assert_int_equal(produce(ps, PID, 0, 4, 1, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);   /* gap */
    assert_int_equal(produce(ps, PID, 0, 2, 1, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);   /* overlap */
    assert_int_equal(produce(ps, PID, 0, 3, 1, &dup), 0);
    /* Producers are independent. */
    assert_int_equal(produce(ps, PID + 1, 0, 0, 1, &dup), 0);
    assert_int_equal(produce(ps, PID, 0, 4, 1, &dup), 0);
    assert_int_equal(pstate_check(ps, PID, 0, -1, -1, NOW, 0, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    pstate_free(ps);
}

static void test_epochs(void **state)
{
    (void)state;
    struct pstate *ps = pstate_new();
    struct pbatch dup;
    next_off = 0;
    assert_int_equal(produce(ps, PID, 3, 0, 10, &dup), 0);
    assert_int_equal(produce(ps, PID, 3, 10, 10, &dup), 0);
    assert_int_equal(produce(ps, PID, 2, 20, 1, &dup), KERR_INVALID_PRODUCER_EPOCH);          /* stale */
    assert_int_equal(produce(ps, PID, 2, 0, 10, &dup), KERR_INVALID_PRODUCER_EPOCH);          /* stale, even a dup */
    assert_int_equal(produce(ps, PID, 4, 20, 1, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);    /* bump must restart */
    assert_int_equal(produce(ps, PID, 4, 0, 2, &dup), 0);                                     /* bump resets */
    const struct pentry *e = pstate_find(ps, PID);
    assert_non_null(e);
    assert_int_equal(e->epoch, 4);
    assert_int_equal(e->n, 1);
    /* The old epoch's appends are no longer duplicates: stale. */
    assert_int_equal(produce(ps, PID, 3, 10, 10, &dup), KERR_INVALID_PRODUCER_EPOCH);
    assert_int_equal(produce(ps, PID, 4, 0, 2, &dup), PSTATE_DUPLICATE);
    assert_int_equal(dup.first_off, 20);
    assert_int_equal(pstate_check(ps, PID, -1, 2, 2, NOW, 0, &dup), KERR_INVALID_PRODUCER_EPOCH);
    pstate_free(ps);
}

static void test_wrap_around(void **state)
{
    (void)state;
    assert_int_equal(pstate_last_seq(0, 9), 9);
    assert_int_equal(pstate_last_seq(INT32_MAX, 0), INT32_MAX);
    assert_int_equal(pstate_last_seq(INT32_MAX, 1), 0);
    assert_int_equal(pstate_last_seq(INT32_MAX - 2, 5), 2);
    struct pstate *ps = pstate_new();
    struct pbatch dup;
    /* Put the producer near the top by recording (as a rebuild would). */
    pstate_record(ps, PID, 0, INT32_MAX - 9, INT32_MAX - 5, 0, 4, NOW);
    next_off = 5;
    assert_int_equal(produce(ps, PID, 0, INT32_MAX - 4, 8, &dup), 0);   /* ... INT32_MAX, 0, 1, 2 */
    assert_int_equal(pstate_find(ps, PID)->b[pstate_find(ps, PID)->head].last_seq, 2);
    assert_int_equal(produce(ps, PID, 0, INT32_MAX - 4, 8, &dup), PSTATE_DUPLICATE);
    assert_int_equal(dup.first_off, 5);
    assert_int_equal(produce(ps, PID, 0, 4, 1, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert_int_equal(produce(ps, PID, 0, 3, 1, &dup), 0);
    /* Exactly at INT32_MAX, the next is 0. */
    struct pstate *ps2 = pstate_new();
    pstate_record(ps2, PID, 0, INT32_MAX - 1, INT32_MAX, 0, 1, NOW);
    assert_int_equal(pstate_check(ps2, PID, 0, 0, 0, NOW, 0, &dup), 0);
    assert_int_equal(pstate_check(ps2, PID, 0, 1, 1, NOW, 0, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    pstate_free(ps2);
    pstate_free(ps);
}

static void test_five_batch_window(void **state)
{
    (void)state;
    struct pstate *ps = pstate_new();
    struct pbatch dup;
    next_off = 0;
    for (int i = 0; i < 6; i++)
        assert_int_equal(produce(ps, PID, 0, i * 10, 10, &dup), 0);
    /* The last five (seq 10..59) are duplicates with their offsets... */
    for (int i = 1; i < 6; i++) {
        assert_int_equal(produce(ps, PID, 0, i * 10, 10, &dup), PSTATE_DUPLICATE);
        assert_int_equal(dup.first_off, i * 10);
        assert_int_equal(dup.last_off, i * 10 + 9);
    }
    /* ... the sixth back is out of order, as Kafka answers. */
    assert_int_equal(produce(ps, PID, 0, 0, 10, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert_int_equal(pstate_find(ps, PID)->n, PSTATE_WINDOW);
    pstate_free(ps);
}

static void test_expiry_and_many_producers(void **state)
{
    (void)state;
    struct pstate *ps = pstate_new();
    struct pbatch dup;
    for (int64_t pid = 0; pid < 5000; pid++)
        pstate_record(ps, pid, 0, 0, 0, pid, pid, pid < 2500 ? NOW - 10000 : NOW);
    assert_int_equal(ps->count, 5000);
    for (int64_t pid = 0; pid < 5000; pid += 97)
        assert_int_equal(pstate_check(ps, pid, 0, 0, 0, NOW, 0, &dup), PSTATE_DUPLICATE);
    /* Lazily on check: an expired producer is new again (must start at 0). */
    assert_int_equal(pstate_check(ps, 1, 0, 1, 1, NOW, 5000, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert_null(pstate_find(ps, 1));
    assert_int_equal(pstate_expire(ps, NOW, 5000), 2499);
    assert_int_equal(ps->count, 2500);
    assert_null(pstate_find(ps, 0));
    assert_non_null(pstate_find(ps, 4999));
    pstate_free(ps);
}

static void test_snapshot_roundtrip(void **state)
{
    (void)state;
    char *dir = th_tmpdir("pstate");
    char path[4200];
    snprintf(path, sizeof(path), "%s/producer-state", dir);
    struct pstate *ps = pstate_new();
    struct pbatch dup;
    next_off = 0;
    for (int i = 0; i < 7; i++)
        assert_int_equal(produce(ps, PID, 2, i * 3, 3, &dup), 0);
    assert_int_equal(produce(ps, PID + 7, 0, 0, 1, &dup), 0);
    assert_int_equal(pstate_save(ps, path, 1234), 0);
    struct pstate *ld = pstate_new();
    int64_t end = -1;
    assert_int_equal(pstate_load(ld, path, &end), 0);
    assert_int_equal(end, 1234);
    assert_int_equal(ld->count, 2);
    for (int i = 2; i < 7; i++) {
        assert_int_equal(pstate_check(ld, PID, 2, i * 3, i * 3 + 2, NOW, 0, &dup), PSTATE_DUPLICATE);
        assert_int_equal(dup.first_off, i * 3);
    }
    assert_int_equal(pstate_check(ld, PID, 2, 3, 5, NOW, 0, &dup), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert_int_equal(pstate_check(ld, PID, 2, 21, 21, NOW, 0, &dup), 0);
    assert_int_equal(pstate_check(ld, PID, 1, 21, 21, NOW, 0, &dup), KERR_INVALID_PRODUCER_EPOCH);
    assert_int_equal(pstate_find(ld, PID + 7)->last_ms, NOW);
    pstate_free(ld);
    /* A damaged file is refused. */
    FILE *f = fopen(path, "r+b");
    fseek(f, 25, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    ld = pstate_new();
    assert_int_equal(pstate_load(ld, path, &end), -1);
    pstate_free(ld);
    struct pstate *missing = pstate_new();
    snprintf(path, sizeof(path), "%s/none", dir);
    assert_int_equal(pstate_load(missing, path, &end), -1);
    pstate_free(missing);
    pstate_free(ps);
    th_rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_and_duplicate),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_gap_and_new_producer),
        cmocka_unit_test(test_epochs),
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_five_batch_window),
        cmocka_unit_test(test_expiry_and_many_producers),
        cmocka_unit_test(test_snapshot_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
