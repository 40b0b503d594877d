#include "gateway_client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static size_t discard(char *p, size_t size, size_t n, void *opaque) { return size * n; }

enum charge_result gateway_charge(const char *url, const char *key, long amount_cents, const char *card,
                                  long timeout_ms, char *why, size_t why_len)
{
    if (timeout_ms <= 0) {
        snprintf(why, why_len, "no time left for the gateway");
        return CHARGE_UNAVAILABLE;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(why, why_len, "curl_easy_init failed");
        return CHARGE_UNAVAILABLE;
    }
    json_t *req = json_pack("{s:s,s:I,s:s}", "key", key, "amount_cents", (json_int_t)amount_cents, "card", card);
    char *body = json_dumps(req, JSON_COMPACT);
    char target[600];
    snprintf(target, sizeof target, "%s/charge", url);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, target);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    enum charge_result r = CHARGE_UNAVAILABLE;
    if (cc != CURLE_OK)
        snprintf(why, why_len, "gateway: %s", curl_easy_strerror(cc));
    else if (status == 200)
        r = CHARGE_PAID;
    else if (status == 402)
        r = CHARGE_DECLINED;
    else
        snprintf(why, why_len, "gateway answered %ld", status);
    curl_slist_free_all(hdrs);
    free(body);
    json_decref(req);
    curl_easy_cleanup(c);
    return r;
}
