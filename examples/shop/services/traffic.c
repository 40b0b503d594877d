/* shop-traffic: places SHOP_RATE orders a second (default 3) through the
 * orders API (SHOP_ORDERS_URL, default http://127.0.0.1:8090) until
 * stopped; every SHOP_DECLINE_EVERY-th order (default 10, 0: none) pays
 * with the card the gateway declines. */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "service.h"

static const char *const ITEMS[] = {"kettle", "teapot", "mug", "tea-1kg", "strainer"};

static size_t discard(char *p, size_t size, size_t n, void *opaque) { return size * n; }

static long place(CURL *c, const char *url, long n, int decline)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"customer\":\"c-%ld\",\"item\":\"%s\",\"quantity\":%ld,\"amount_cents\":%ld,\"card\":\"%s\"}",
             n % 97, ITEMS[n % 5], 1 + n % 3, 500 + (n % 7) * 250,
             decline ? "4000000000000002" : "4242424242424242");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = SIG_IGN};
    char url[600];
    snprintf(url, sizeof url, "%s/orders", env_or("SHOP_ORDERS_URL", "http://127.0.0.1:8090"));
    int rate = env_int("SHOP_RATE", 3), every = env_int("SHOP_DECLINE_EVERY", 10);
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    CURL *c = curl_easy_init();
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    struct timespec gap = {0, 1000000000L / (rate > 0 ? rate : 1)};
    if (rate == 1)
        gap = (struct timespec){1, 0};
    long placed = 0, refused = 0;
    for (long n = 1;; n++) {
        long status = place(c, url, n, every > 0 && n % every == 0);
        if (status == 201)
            placed++;
        else
            refused++;
        if (n % 50 == 0)
            fprintf(stderr, "traffic: %ld placed, %ld refused\n", placed, refused);
        if (sigtimedwait(&stop, NULL, &gap) > 0)
            break;
    }
    fprintf(stderr, "traffic: stopped after %ld placed, %ld refused\n", placed, refused);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return 0;
}
