/* Metrics text (examples/shop/lib/shop_metrics.c): HELP and TYPE once per
 * family and the family's samples together, whatever the registration order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shop_metrics.h"

static void test_families_grouped(void **state)
{
    (void)state;
    static struct shop_metrics m;
    struct shop_metric *done = shop_metric_new(&m, SHOP_COUNTER, "shop_events_total", "Events", "outcome=\"done\"");
    struct shop_metric *wait = shop_metric_new(&m, SHOP_GAUGE, "shop_waiting", "Waiting", NULL);
    struct shop_metric *dead = shop_metric_new(&m, SHOP_COUNTER, "shop_events_total", "Events", "outcome=\"dead\"");
    shop_metric_add(done, 3);
    shop_metric_add(dead, 1);
    shop_metric_set(wait, 7);
    char *text = shop_metrics_format(&m);
    assert_string_equal(text,
                        "# HELP shop_events_total Events\n# TYPE shop_events_total counter\n"
                        "shop_events_total{outcome=\"done\"} 3\nshop_events_total{outcome=\"dead\"} 1\n"
                        "# HELP shop_waiting Waiting\n# TYPE shop_waiting gauge\nshop_waiting 7\n");
    free(text);
}

static void test_full_registry_refuses(void **state)
{
    (void)state;
    static struct shop_metrics m;
    for (int i = 0; i < SHOP_METRICS_MAX; i++)
        assert_non_null(shop_metric_new(&m, SHOP_COUNTER, "c", "c", NULL));
    assert_null(shop_metric_new(&m, SHOP_COUNTER, "c", "c", NULL));
    shop_metric_add(NULL, 1);   /* a refused metric is a no-op, not a crash */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_families_grouped),
        cmocka_unit_test(test_full_registry_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
