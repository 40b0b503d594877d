#include "cli/cli_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/sbuf.h"
#include "core/util.h"

#define REGISTRY_CONTENT_TYPE "application/vnd.schemaregistry.v1+json"

void cli_registry_init(struct cli_registry *r)
{
    const char *env = getenv("SLUICE_SCHEMA_REGISTRY");

    memset(r, 0, sizeof(*r));
    r->url = env && *env ? env : CLI_DEFAULT_REGISTRY;
    r->url_from = env && *env ? "from SLUICE_SCHEMA_REGISTRY" : "the default";
    r->connect_timeout_ms = CLI_CONNECT_TIMEOUT_MS;
    r->request_timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
}

void cli_registry_free(struct cli_registry *r)
{
    if (r->curl) {
        curl_easy_cleanup(r->curl);
        curl_global_cleanup();
    }
    r->curl = NULL;
}

static CURL *registry_handle(struct cli_registry *r)
{
    if (!r->curl) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        r->curl = curl_easy_init();
        if (!r->curl) {
            fprintf(stderr, "sluice: cannot initialise libcurl\n");
            abort();
        }
    }
    return r->curl;
}

char *cli_registry_escape(struct cli_registry *r, const char *segment)
{
    char *e = curl_easy_escape(registry_handle(r), segment, 0);
    char *copy = xstrdup(e ? e : "");

    curl_free(e);
    return copy;
}

static size_t collect(char *p, size_t size, size_t n, void *opaque)
{
    sbuf_add(opaque, p, size * n);
    return size * n;
}

/* The registry's error body, {"error_code": N, "message": "..."}, as a
 * message; a body of another shape is quoted as it came. */
static int report_http_error(const struct cli_common *c, long status,
                             const char *body, int quiet_code)
{
    json_t *doc = json_loads(body ? body : "", 0, NULL);
    json_t *code = json_object_get(doc, "error_code");
    const char *msg = json_string_value(json_object_get(doc, "message"));
    int error_code = json_is_integer(code) ? (int)json_integer_value(code) : 0;

    if (error_code && error_code == quiet_code)
        ;
    else if (error_code)
        cli_error(c, "error %d: %s", error_code, msg ? msg : "(no message)");
    else
        cli_error(c, "HTTP %ld from the schema registry: %.200s", status,
                  body && *body ? body : "(empty body)");
    json_decref(doc);
    return error_code;
}

int cli_registry_call(const struct cli_common *c, struct cli_registry *r,
                      const char *method, const char *path, json_t *body,
                      json_t **reply, int quiet_code, int *error_code)
{
    CURL *h = registry_handle(r);
    struct curl_slist *headers = NULL;
    struct sbuf url = {0}, answer = {0};
    char *sent = body ? json_dumps(body, JSON_COMPACT) : NULL;
    char curl_error[CURL_ERROR_SIZE] = "";
    long status = 0;
    int rc = CLI_EXIT_ERROR;

    *reply = NULL;
    *error_code = 0;
    size_t base_len = strlen(r->url);
    if (base_len && r->url[base_len - 1] == '/')   /* paths bring their own */
        base_len--;
    sbuf_printf(&url, "%.*s%s", (int)base_len, r->url, path);
    headers = curl_slist_append(headers, "Accept: " REGISTRY_CONTENT_TYPE);
    if (sent)
        headers = curl_slist_append(headers, "Content-Type: " REGISTRY_CONTENT_TYPE);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url.p);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (sent)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, sent);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)r->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)r->request_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* Only the registry's own URL: no redirects, no other protocols. */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");

    CURLcode res = curl_easy_perform(h);
    if (res != CURLE_OK) {
        cli_error(c, "cannot reach the schema registry at %s (%s): %s", r->url,
                  r->url_from, *curl_error ? curl_error : curl_easy_strerror(res));
        fprintf(stderr, "  give the registry's URL with --registry URL (-r) "
                        "or SLUICE_SCHEMA_REGISTRY\n");
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299) {
            *error_code = report_http_error(c, status, answer.p, quiet_code);
        } else if (!(*reply = json_loads(answer.p ? answer.p : "", JSON_DECODE_ANY, NULL))) {
            cli_error(c, "the schema registry at %s answered %s %s with no JSON",
                      r->url, method, path);
        } else {
            rc = CLI_EXIT_OK;
        }
    }
    curl_slist_free_all(headers);
    free(sent);
    free(url.p);
    free(answer.p);
    return rc;
}
