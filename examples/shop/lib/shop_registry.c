#include "shop_registry.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reply {
    char *data;
    size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *opaque)
{
    struct reply *r = opaque;
    size_t add = size * n;
    char *grown = realloc(r->data, r->len + add + 1);
    if (!grown)
        return 0;
    memcpy(grown + r->len, p, add);
    r->data = grown;
    r->len += add;
    r->data[r->len] = '\0';
    return add;
}

static int32_t id_from(const struct reply *r, long status, char *err, size_t errlen)
{
    json_t *doc = r->data ? json_loads(r->data, 0, NULL) : NULL;
    json_t *id = json_object_get(doc, "id");
    int32_t rc = -1;
    if (status == 200 && json_is_integer(id))
        rc = (int32_t)json_integer_value(id);
    else
        snprintf(err, errlen, "registry answered %ld: %s", status, r->data ? r->data : "");
    json_decref(doc);
    return rc;
}

int32_t shop_registry_register(const char *url, const char *subject, const char *schema_json,
                               char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "curl_easy_init failed");
        return -1;
    }
    char *escaped = curl_easy_escape(c, subject, 0);
    char *target = NULL;
    json_t *req = json_pack("{s:s}", "schema", schema_json);
    char *body = json_dumps(req, JSON_COMPACT);
    struct reply r = {0};
    int32_t id = -1;
    if (escaped && body && asprintf(&target, "%s/subjects/%s/versions", url, escaped) > 0) {
        struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/vnd.schemaregistry.v1+json");
        curl_easy_setopt(c, CURLOPT_URL, target);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)SHOP_REGISTRY_TIMEOUT_MS);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        CURLcode cc = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (cc != CURLE_OK)
            snprintf(err, errlen, "%s: %s", target, curl_easy_strerror(cc));
        else
            id = id_from(&r, status, err, errlen);
        curl_slist_free_all(hdrs);
    }
    free(r.data);
    free(target);
    free(body);
    json_decref(req);
    curl_free(escaped);
    curl_easy_cleanup(c);
    return id;
}
