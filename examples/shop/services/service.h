/* What every shop service does the same way: its settings from the
 * environment, SIGTERM/SIGINT, the producer, the metrics and HTTP
 * listener, the event schemas and topics, and running the consumer
 * runner with the shop's retry plan.
 *
 * Environment (defaults in brackets):
 *   SHOP_BOOTSTRAP [127.0.0.1:9092]   SHOP_REGISTRY [http://127.0.0.1:8081]
 *   SHOP_DATA_DIR [build/shop/data]   SHOP_PARTITIONS [3]
 *   SHOP_REPLICATION [broker default] SHOP_SCHEMA_VALIDATION [1]
 *   SHOP_HTTP_PORT [per service]      SHOP_HTTP_ADDRESS [127.0.0.1]
 *   SHOP_HANDLER_TIMEOUT_MS [2000]
 *   SHOP_RETRY_ATTEMPTS [8]  SHOP_RETRY_DELAY_MS [1000]  SHOP_RETRY_MAX_DELAY_MS [8000] */
#ifndef SHOP_SERVICE_H
#define SHOP_SERVICE_H
#include <signal.h>

#include "shop_http.h"
#include "shop_metrics.h"
#include "shop_producer.h"
#include "shop_runner.h"

struct service {
    const char *name;
    char bootstrap[512];
    char registry[512];
    char data_dir[1024];
    char http_address[64];
    int http_port;
    int partitions;
    int handler_timeout_ms;
    struct shop_retry_plan plan;
    struct shop_metrics metrics;
    struct shop_producer *producer;
    struct shop_http *http;
};

/* Set by SIGTERM and SIGINT. */
extern volatile sig_atomic_t service_stopping;

/* Settings, signals, producer, schemas and topics; -1 after saying why. */
int service_init(struct service *s, const char *name, int default_http_port);

/* Starts the HTTP listener with routes (and /metrics). */
int service_listen(struct service *s, const struct shop_http_route *routes);

/* Runs the consumer runner on topics until stopped; processed ids are kept
 * in <data dir>/<service>.processed. */
int service_consume(struct service *s, const char *const *topics, shop_handler_fn fn, void *ctx);

void service_free(struct service *s);

const char *env_or(const char *name, const char *fallback);
int env_int(const char *name, int fallback);

#endif
