/* The retry plan: how many attempts an event gets, how long each retry
 * waits, and the topics that carry it there, named as Spring Kafka's
 * retryable topics name them (SUFFIX_WITH_INDEX_VALUE): an event that fails
 * on <topic> goes to <topic>-retry-0, then -retry-1, ..., and finally to
 * <topic>-dlt. attempts counts the first try, so there are attempts-1
 * retry topics. */
#ifndef SHOP_RETRY_H
#define SHOP_RETRY_H
#include <stddef.h>
#include <stdint.h>

#define SHOP_TOPIC_MAX 250
#define SHOP_RETRY_MAX_TOPICS 16

struct shop_retry_plan {
    int attempts;          /* first try included; 1 means straight to the DLT */
    int64_t delay_ms;      /* wait before the first retry */
    double multiplier;     /* each later retry waits this many times longer */
    int64_t max_delay_ms;  /* no retry waits longer than this */
};

/* Where an event sits in the plan, read from the topic it came from. */
enum shop_stage { SHOP_STAGE_MAIN, SHOP_STAGE_RETRY, SHOP_STAGE_DLT };

/* 1 s, doubling, 4 attempts (three retry topics), at most 30 s. */
struct shop_retry_plan shop_retry_default_plan(void);

/* How long the retry at index (0 for <topic>-retry-0) waits. */
int64_t shop_retry_delay_ms(const struct shop_retry_plan *plan, int index);

/* Number of retry topics the plan needs (attempts - 1, capped). */
int shop_retry_topic_count(const struct shop_retry_plan *plan);

/* Writes <base>-retry-<index> / <base>-dlt into out; -1 if it does not fit. */
int shop_retry_topic(char *out, size_t size, const char *base, int index);
int shop_dlt_topic(char *out, size_t size, const char *base);

/* Where an event that failed on `topic` goes next: writes the next topic
 * into out and returns its stage (SHOP_STAGE_RETRY with *next_index set,
 * or SHOP_STAGE_DLT). `base` is the main topic the runner consumes. */
enum shop_stage shop_retry_next(const struct shop_retry_plan *plan, const char *base,
                                const char *topic, char *out, size_t size, int *next_index);

/* The stage of `topic` relative to the main topic `base`, and for a retry
 * topic its index. */
enum shop_stage shop_retry_stage(const char *base, const char *topic, int *index);

#endif
