/* ApiVersions: what this broker serves, version by version. */
#include "api/handler.h"

static void fill_versions(struct request *req, struct ApiVersionsResponse *resp)
{
    int n = 0;
    for (int k = 0; k < API_TABLE_SIZE; k++)
        if (api_handlers[k].handle)
            n++;
    resp->api_keys = REQ_ARRAY(req, ApiVersionsResponse_ApiVersion, n);
    resp->api_keys_count = n;
    int i = 0;
    for (int k = 0; k < API_TABLE_SIZE; k++) {
        if (!api_handlers[k].handle)
            continue;
        resp->api_keys[i].api_key = (int16_t)k;
        resp->api_keys[i].min_version = api_handlers[k].min_version;
        resp->api_keys[i].max_version = api_handlers[k].max_version;
        i++;
    }
}

/* KIP-511: client software name and version must match
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? or Kafka answers INVALID_REQUEST. */
static bool software_field_valid(struct kstr s)
{
    if (s.len <= 0)
        return false;
    for (int32_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        bool edge = i == 0 || i == s.len - 1;
        if (!alnum && (edge || (c != '-' && c != '.')))
            return false;
    }
    return true;
}

void handle_api_versions(struct request *req)
{
    struct ApiVersionsRequest m;
    if (!DECODE(req, ApiVersionsRequest, &m))
        return;
    struct ApiVersionsResponse resp;
    ApiVersionsResponse_init(&resp);
    fill_versions(req, &resp);
    if (req->api_version >= 3 &&
        (!software_field_valid(m.client_software_name) || !software_field_valid(m.client_software_version)))
        resp.error_code = KERR_INVALID_REQUEST;
    RESPOND(req, ApiVersionsResponse, &resp);
}

void api_versions_reject(struct request *req)
{
    struct ApiVersionsResponse resp;
    ApiVersionsResponse_init(&resp);
    resp.error_code = KERR_UNSUPPORTED_VERSION;
    fill_versions(req, &resp);
    req->api_version = 0;     /* the only format every client can read */
    req->flexible = false;
    RESPOND(req, ApiVersionsResponse, &resp);
}
