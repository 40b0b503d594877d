#include "service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "events.h"

volatile sig_atomic_t service_stopping;

static void on_signal(int sig) { service_stopping = 1; }

const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

int env_int(const char *name, int fallback)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : fallback;
}

static int mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void read_settings(struct service *s, const char *name, int default_http_port)
{
    s->name = name;
    snprintf(s->bootstrap, sizeof s->bootstrap, "%s", env_or("SHOP_BOOTSTRAP", "127.0.0.1:9092"));
    snprintf(s->registry, sizeof s->registry, "%s", env_or("SHOP_REGISTRY", "http://127.0.0.1:8081"));
    snprintf(s->data_dir, sizeof s->data_dir, "%s", env_or("SHOP_DATA_DIR", "build/shop/data"));
    snprintf(s->http_address, sizeof s->http_address, "%s", env_or("SHOP_HTTP_ADDRESS", "127.0.0.1"));
    s->http_port = env_int("SHOP_HTTP_PORT", default_http_port);
    s->partitions = env_int("SHOP_PARTITIONS", 3);
    s->handler_timeout_ms = env_int("SHOP_HANDLER_TIMEOUT_MS", 2000);
    s->plan = (struct shop_retry_plan){
        .attempts = env_int("SHOP_RETRY_ATTEMPTS", 8),
        .delay_ms = env_int("SHOP_RETRY_DELAY_MS", 1000),
        .multiplier = 2.0,
        .max_delay_ms = env_int("SHOP_RETRY_MAX_DELAY_MS", 8000),
    };
}

int service_init(struct service *s, const char *name, int default_http_port)
{
    char err[512];
    memset(s, 0, sizeof *s);
    read_settings(s, name, default_http_port);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (mkdirs(s->data_dir) != 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", name, s->data_dir, strerror(errno));
        return -1;
    }
    if (!(s->producer = shop_producer_new(s->bootstrap, name, NULL, err, sizeof err))) {
        fprintf(stderr, "%s: producer: %s\n", name, err);
        return -1;
    }
    if (events_setup(s, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", name, err);
        return -1;
    }
    return 0;
}

int service_listen(struct service *s, const struct shop_http_route *routes)
{
    if (!(s->http = shop_http_start(s->http_address, s->http_port, routes, &s->metrics))) {
        fprintf(stderr, "%s: cannot listen on %s:%d\n", s->name, s->http_address, s->http_port);
        return -1;
    }
    fprintf(stderr, "%s: http://%s:%d\n", s->name, s->http_address, shop_http_port(s->http));
    return 0;
}

int service_consume(struct service *s, const char *const *topics, shop_handler_fn fn, void *ctx)
{
    char ids[1200];
    snprintf(ids, sizeof ids, "%s/%s.processed", s->data_dir, s->name);
    struct shop_runner_config cfg = {
        .bootstrap = s->bootstrap, .service = s->name, .group = s->name, .topics = topics,
        .partitions = s->partitions, .plan = s->plan, .handler_timeout_ms = s->handler_timeout_ms,
        .processed_ids_path = ids, .handler = fn, .ctx = ctx, .producer = s->producer,
        .metrics = &s->metrics,
    };
    return shop_runner_run(&cfg, &service_stopping);
}

void service_free(struct service *s)
{
    shop_http_stop(s->http);
    shop_producer_free(s->producer);
    events_free();
}
