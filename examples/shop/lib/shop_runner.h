/* The consumer runner: consumes a service's topics in its consumer group
 * and calls the handler once per event. What happens after the handler:
 *   SHOP_DONE    the event id joins the processed-ids set (fsynced), then
 *                the offset is stored for the next commit;
 *   SHOP_RETRY   the event goes to the next retry topic (<topic>-retry-N)
 *                with the time it is due, or to <topic>-dlt after the last
 *                attempt, then the offset is stored;
 *   SHOP_POISON  the event goes straight to <topic>-dlt.
 * Events that are not CloudEvents are poison too. An event whose id is in
 * the processed-ids set is skipped (a redelivery). A retry topic's event
 * that is not due yet pauses its partition and is read again when due:
 * the main topics keep flowing meanwhile. Offsets are committed only up to
 * what was handled or forwarded (acknowledged by the broker); the last
 * commit happens when *stop turns non-zero (SIGTERM, SIGINT). Sluice has
 * no transactions, so consume-handle-produce is made safe by idempotence
 * instead: the producer's, and the handler's by event id. */
#ifndef SHOP_RUNNER_H
#define SHOP_RUNNER_H
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdint.h>

#include "shop_ce.h"
#include "shop_metrics.h"
#include "shop_producer.h"
#include "shop_retry.h"

enum shop_outcome { SHOP_DONE, SHOP_RETRY, SHOP_POISON };

struct shop_event {
    const rd_kafka_message_t *msg;
    const char *topic;        /* consumed from (a main or retry topic) */
    const char *main_topic;   /* the main topic it belongs to */
    struct shop_ce ce;
    int32_t attempt;          /* 1 on the main topic, 2 on retry-0, ... */
    int64_t deadline_ms;      /* monotonic: every outside call must end by then */
};

/* Writes the reason for SHOP_RETRY or SHOP_POISON into why. */
typedef enum shop_outcome (*shop_handler_fn)(void *ctx, const struct shop_event *ev,
                                             char *why, size_t why_len);

struct shop_runner_config {
    const char *bootstrap;
    const char *service;               /* client.id and metric label */
    const char *group;
    const char *const *topics;         /* main topics, NULL-terminated */
    int partitions;                    /* for the retry and dead-letter topics */
    struct shop_retry_plan plan;
    int handler_timeout_ms;
    const char *processed_ids_path;    /* NULL: no processed-ids set */
    shop_handler_fn handler;
    void *ctx;
    struct shop_producer *producer;    /* forwards to retry and dead-letter topics */
    struct shop_metrics *metrics;      /* may be NULL */
    const char *const *consumer_props; /* extra "name=value", may be NULL */
};

/* Runs until *stop; 0 after a clean shutdown, -1 if it could not start. */
int shop_runner_run(const struct shop_runner_config *cfg, const volatile sig_atomic_t *stop);

#endif
