/* Request dispatch: header parsing, version checks and the table of
 * implemented APIs with the version ranges advertised by ApiVersions and
 * each API's flags. net/ reaches it only through struct conn_hooks. */
#ifndef SLUICE_DISPATCH_H
#define SLUICE_DISPATCH_H
#include <stdbool.h>
#include <stdint.h>

struct request;

typedef void (*api_handler_fn)(struct request *req);

struct api_handler {
    int16_t min_version, max_version;     /* advertised */
    api_handler_fn handle;
    /* Waits on purpose (long poll, rebalance): its latency is not "slow",
     * so only the histograms count it. */
    bool waits;
};

#define API_TABLE_SIZE 100
extern const struct api_handler api_handlers[API_TABLE_SIZE];

/* Parses the request header of req->frame (sets api key, version,
 * correlation id, client id, flexible, body). Returns 0, or -1 when the
 * frame is malformed or the API/version is not served: the caller closes
 * the connection (an unsupported ApiVersions version is answered). */
int request_parse_header(struct request *req);
/* A request body that does not decode: log and close the connection. */
void request_fail(struct request *req, const char *why);
/* net/'s dispatch hook: parses the header and runs the handler (the
 * request completes now or later). -1 as request_parse_header. */
int api_dispatch(struct request *req);
/* net/'s finished hook: per-API latency and errors, the slow-request log. */
void api_request_finished(struct request *req);
#endif
