/* shop-gateway: the simulated payment gateway, its own process so that its
 * ledger outlives any payments instance. POST /charge charges a card once
 * per idempotency key (as real gateways do; SHOP_GATEWAY_IDEMPOTENCY=0
 * turns that off to show what the shop's own processed-ids set prevents);
 * card 4000000000000002 is declined. POST /control switches it at run time:
 * {"mode":"up"|"down"|"slow"|"flaky","slow_ms":N}. GET /ledger gives the
 * counts the fault tests check. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service.h"
#include "shop_http.h"
#include "shop_metrics.h"

#define DECLINED_CARD "4000000000000002"

enum mode { UP, DOWN, SLOW, FLAKY };
static const char *const MODE_NAMES[] = {"up", "down", "slow", "flaky"};

static struct {
    pthread_mutex_t lock;
    enum mode mode;
    int slow_ms;
    int honor_keys;
    long calls, flaky_turn;
    json_t *charges;   /* key -> number of times charged */
    long charged, duplicate_calls, declines, refused;
} gw = {.lock = PTHREAD_MUTEX_INITIALIZER, .slow_ms = 5000, .honor_keys = 1};

static struct shop_metrics metrics;
static struct shop_metric *m_charged, *m_declined, *m_refused, *m_duplicates;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Decides under the lock; sleeps (slow mode) outside it. */
static struct shop_http_reply charge(void *ctx, const char *method, const char *path,
                                     const char *body, size_t len)
{
    json_t *req = json_loadb(body, len, 0, NULL);
    const char *key = json_string_value(json_object_get(req, "key"));
    const char *card = json_string_value(json_object_get(req, "card"));
    if (!key || !card) {
        json_decref(req);
        return shop_http_printf(400, "{\"error\":\"key and card are required\"}");
    }
    pthread_mutex_lock(&gw.lock);
    enum mode mode = gw.mode;
    int slow_ms = gw.slow_ms;
    gw.calls++;
    int refuse = mode == DOWN || (mode == FLAKY && gw.flaky_turn++ % 2 == 0);
    pthread_mutex_unlock(&gw.lock);
    if (mode == SLOW)
        sleep_ms(slow_ms);

    struct shop_http_reply r;
    pthread_mutex_lock(&gw.lock);
    json_int_t times = json_integer_value(json_object_get(gw.charges, key));
    if (refuse) {
        gw.refused++;
        shop_metric_add(m_refused, 1);
        r = shop_http_printf(503, "{\"error\":\"gateway unavailable\"}");
    } else if (strcmp(card, DECLINED_CARD) == 0) {
        gw.declines++;
        shop_metric_add(m_declined, 1);
        r = shop_http_printf(402, "{\"status\":\"declined\"}");
    } else if (times > 0 && gw.honor_keys) {
        gw.duplicate_calls++;
        shop_metric_add(m_duplicates, 1);
        r = shop_http_printf(200, "{\"status\":\"paid\",\"charge_id\":\"ch-%s\",\"replayed\":true}", key);
    } else {
        json_object_set_new(gw.charges, key, json_integer(times + 1));
        gw.charged++;
        if (times > 0)
            gw.duplicate_calls++;
        shop_metric_add(m_charged, 1);
        r = shop_http_printf(200, "{\"status\":\"paid\",\"charge_id\":\"ch-%s\"}", key);
    }
    pthread_mutex_unlock(&gw.lock);
    json_decref(req);
    return r;
}

static struct shop_http_reply control(void *ctx, const char *method, const char *path,
                                      const char *body, size_t len)
{
    json_t *req = json_loadb(body, len, 0, NULL);
    const char *mode = json_string_value(json_object_get(req, "mode"));
    json_t *slow = json_object_get(req, "slow_ms");
    int found = -1;
    for (int i = 0; mode && i < 4; i++)
        if (strcmp(mode, MODE_NAMES[i]) == 0)
            found = i;
    if (found < 0) {
        json_decref(req);
        return shop_http_printf(400, "{\"error\":\"mode is one of up, down, slow, flaky\"}");
    }
    pthread_mutex_lock(&gw.lock);
    gw.mode = (enum mode)found;
    if (json_is_integer(slow))
        gw.slow_ms = (int)json_integer_value(slow);
    pthread_mutex_unlock(&gw.lock);
    fprintf(stderr, "gateway: now %s\n", MODE_NAMES[found]);
    json_decref(req);
    return shop_http_printf(200, "{\"mode\":\"%s\"}", MODE_NAMES[found]);
}

static struct shop_http_reply ledger(void *ctx, const char *method, const char *path,
                                     const char *body, size_t len)
{
    pthread_mutex_lock(&gw.lock);
    long twice = 0;
    const char *key;
    json_t *v;
    json_object_foreach(gw.charges, key, v)
        if (json_integer_value(v) > 1)
            twice++;
    struct shop_http_reply r = shop_http_printf(
        200,
        "{\"mode\":\"%s\",\"slow_ms\":%d,\"calls\":%ld,\"charged\":%ld,\"keys\":%zu,"
        "\"keys_charged_twice\":%ld,\"duplicate_calls\":%ld,\"declines\":%ld,\"refused\":%ld}",
        MODE_NAMES[gw.mode], gw.slow_ms, gw.calls, gw.charged, json_object_size(gw.charges), twice,
        gw.duplicate_calls, gw.declines, gw.refused);
    pthread_mutex_unlock(&gw.lock);
    return r;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = SIG_IGN};
    sigaction(SIGPIPE, &sa, NULL);
    gw.charges = json_object();
    gw.honor_keys = env_int("SHOP_GATEWAY_IDEMPOTENCY", 1);
    const char *c = "shop_gateway_calls_total", *h = "Charge calls by answer";
    m_charged = shop_metric_new(&metrics, SHOP_COUNTER, c, h, "answer=\"charged\"");
    m_duplicates = shop_metric_new(&metrics, SHOP_COUNTER, c, h, "answer=\"replayed\"");
    m_declined = shop_metric_new(&metrics, SHOP_COUNTER, c, h, "answer=\"declined\"");
    m_refused = shop_metric_new(&metrics, SHOP_COUNTER, c, h, "answer=\"unavailable\"");
    static const struct shop_http_route routes[] = {
        {"POST", "/charge", charge, NULL},
        {"POST", "/control", control, NULL},
        {"GET", "/ledger", ledger, NULL},
        {NULL, NULL, NULL, NULL},
    };
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);   /* the listener's threads inherit it */
    const char *address = env_or("SHOP_HTTP_ADDRESS", "127.0.0.1");
    struct shop_http *http = shop_http_start(address, env_int("SHOP_HTTP_PORT", 8095), routes, &metrics);
    if (!http) {
        fprintf(stderr, "gateway: cannot listen on %s\n", address);
        return 1;
    }
    fprintf(stderr, "gateway: http://%s:%d\n", address, shop_http_port(http));
    int sig;
    sigwait(&set, &sig);
    shop_http_stop(http);
    json_decref(gw.charges);
    return 0;
}
