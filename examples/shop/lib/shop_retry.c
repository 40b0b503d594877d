#include "shop_retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shop_retry_plan shop_retry_default_plan(void)
{
    return (struct shop_retry_plan){.attempts = 4, .delay_ms = 1000, .multiplier = 2.0, .max_delay_ms = 30000};
}

int64_t shop_retry_delay_ms(const struct shop_retry_plan *plan, int index)
{
    double d = (double)plan->delay_ms;
    for (int i = 0; i < index && d < (double)plan->max_delay_ms; i++)
        d *= plan->multiplier;
    return d > (double)plan->max_delay_ms ? plan->max_delay_ms : (int64_t)d;
}

int shop_retry_topic_count(const struct shop_retry_plan *plan)
{
    int n = plan->attempts - 1;
    if (n < 0)
        return 0;
    return n > SHOP_RETRY_MAX_TOPICS ? SHOP_RETRY_MAX_TOPICS : n;
}

static int fits(int n, size_t size) { return n >= 0 && (size_t)n < size ? 0 : -1; }

int shop_retry_topic(char *out, size_t size, const char *base, int index)
{
    return fits(snprintf(out, size, "%s-retry-%d", base, index), size);
}

int shop_dlt_topic(char *out, size_t size, const char *base)
{
    return fits(snprintf(out, size, "%s-dlt", base), size);
}

enum shop_stage shop_retry_stage(const char *base, const char *topic, int *index)
{
    size_t n = strlen(base);
    *index = -1;
    if (strncmp(topic, base, n) != 0)
        return SHOP_STAGE_MAIN;
    const char *rest = topic + n;
    if (strcmp(rest, "-dlt") == 0)
        return SHOP_STAGE_DLT;
    if (strncmp(rest, "-retry-", 7) == 0 && rest[7] >= '0' && rest[7] <= '9') {
        char *end;
        long i = strtol(rest + 7, &end, 10);
        if (*end == '\0' && i < SHOP_RETRY_MAX_TOPICS) {
            *index = (int)i;
            return SHOP_STAGE_RETRY;
        }
    }
    return SHOP_STAGE_MAIN;
}

enum shop_stage shop_retry_next(const struct shop_retry_plan *plan, const char *base,
                                const char *topic, char *out, size_t size, int *next_index)
{
    int index;
    enum shop_stage stage = shop_retry_stage(base, topic, &index);
    int next = stage == SHOP_STAGE_MAIN ? 0 : index + 1;
    *next_index = -1;
    if (stage != SHOP_STAGE_DLT && next < shop_retry_topic_count(plan) &&
        shop_retry_topic(out, size, base, next) == 0) {
        *next_index = next;
        return SHOP_STAGE_RETRY;
    }
    shop_dlt_topic(out, size, base);
    return SHOP_STAGE_DLT;
}
