#include "shop_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shop_metric *shop_metric_new(struct shop_metrics *m, enum shop_metric_kind kind,
                                    const char *name, const char *help, const char *labels)
{
    int i = atomic_fetch_add(&m->count, 1);
    if (i >= SHOP_METRICS_MAX) {
        atomic_fetch_sub(&m->count, 1);
        return NULL;
    }
    struct shop_metric *c = &m->items[i];
    c->name = name;
    c->help = help;
    c->kind = kind;
    snprintf(c->labels, sizeof c->labels, "%s", labels ? labels : "");
    atomic_init(&c->value, 0);
    return c;
}

/* Whether an earlier metric has the same name (its HELP/TYPE came first). */
static int seen_before(const struct shop_metrics *m, int i)
{
    for (int j = 0; j < i; j++)
        if (strcmp(m->items[j].name, m->items[i].name) == 0)
            return 1;
    return 0;
}

static void write_sample(FILE *f, const struct shop_metric *c)
{
    long long v = (long long)atomic_load(&c->value);
    if (c->labels[0])
        fprintf(f, "%s{%s} %lld\n", c->name, c->labels, v);
    else
        fprintf(f, "%s %lld\n", c->name, v);
}

char *shop_metrics_format(struct shop_metrics *m)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    if (!f)
        return NULL;
    int n = atomic_load(&m->count);
    if (n > SHOP_METRICS_MAX)
        n = SHOP_METRICS_MAX;
    /* A family's samples must be contiguous, whatever the order of registration. */
    for (int i = 0; i < n; i++) {
        if (seen_before(m, i))
            continue;
        const struct shop_metric *c = &m->items[i];
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", c->name, c->help, c->name,
                c->kind == SHOP_COUNTER ? "counter" : "gauge");
        for (int j = i; j < n; j++)
            if (strcmp(m->items[j].name, c->name) == 0)
                write_sample(f, &m->items[j]);
    }
    fclose(f);
    return out;
}
