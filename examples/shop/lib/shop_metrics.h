/* Per-service metrics in Prometheus' text format. Counters and gauges are
 * registered once at start-up and then moved lock-free from any thread;
 * shop_metrics_format only reads them. */
#ifndef SHOP_METRICS_H
#define SHOP_METRICS_H
#include <stdatomic.h>
#include <stddef.h>

#define SHOP_METRICS_MAX 64

enum shop_metric_kind { SHOP_COUNTER, SHOP_GAUGE };

struct shop_metric {
    const char *name;        /* e.g. shop_events_total */
    const char *help;
    enum shop_metric_kind kind;
    char labels[160];        /* e.g. service="payments",outcome="done"; may be empty */
    atomic_llong value;
};

struct shop_metrics {
    struct shop_metric items[SHOP_METRICS_MAX];
    atomic_int count;
};

/* Registers a metric (name and help are kept, not copied); NULL when full. */
struct shop_metric *shop_metric_new(struct shop_metrics *m, enum shop_metric_kind kind,
                                    const char *name, const char *help, const char *labels);

static inline void shop_metric_add(struct shop_metric *c, long long n)
{
    if (c)
        atomic_fetch_add(&c->value, n);
}

static inline void shop_metric_set(struct shop_metric *g, long long v)
{
    if (g)
        atomic_store(&g->value, v);
}

/* The text exposition (HELP and TYPE once per name); malloc'd, or NULL. */
char *shop_metrics_format(struct shop_metrics *m);

#endif
