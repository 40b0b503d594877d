/* One Kafka request from its frame to its encoded response.
 *
 * A request owns its frame bytes (decoded fields are views into them),
 * an arena for decoded structs, and the response buffer. Handlers either
 * respond at once or park the request (Fetch long poll, Produce acks=all)
 * and respond later; the connection sends responses strictly in request
 * order regardless of completion order. */
#ifndef SLUICE_REQUEST_H
#define SLUICE_REQUEST_H
#include <stdbool.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/util.h"
#include "protocol/wire.h"

struct conn;
struct broker;

enum request_state { REQ_PENDING, REQ_DONE, REQ_NO_RESPONSE };

struct request {
    struct conn *conn;
    struct broker *broker;
    struct request *next;          /* in the connection's order */
    int16_t api_key, api_version;
    int32_t correlation_id;
    struct kstr client_id;
    bool flexible;                 /* request header v2 / flexible body */
    uint8_t *frame;                /* header + body, inside frame_block */
    size_t frame_len;
    uint8_t *frame_block;          /* owned allocation holding the frame */
    size_t frame_block_cap;
    struct rbuf body;              /* positioned after the header */
    struct arena arena;
    struct wbuf out;               /* size prefix + response header + body */
    size_t out_sent;
    enum request_state state;
    int16_t error_code;            /* first error, for metrics and logs */
    int64_t start_us;
    /* For parked requests: called if the connection goes away first, to
     * unregister from whatever would have completed the request. */
    void (*cancel)(struct request *req);
    void *async;
};

/* A request on one complete frame held in block, which it owns from now
 * on; c may be NULL (the fuzz targets' requests have no connection). */
struct request *request_new(struct conn *c, struct broker *b, uint8_t *block, size_t block_cap, uint8_t *frame,
                            size_t frame_len);
/* Frees it; its frame block, if it still has it, goes back to recycle_to
 * (NULL: freed). */
void request_free(struct request *req, struct conn *recycle_to);

/* Starts a response: size placeholder and response header. */
void response_begin(struct request *req);
/* Finishes it (patches the size) and lets the connection send it. */
void response_end(struct request *req);
/* acks=0 Produce: the request completes without any response. */
void request_complete_silently(struct request *req);

/* Records the first error code a response carries (per-API error count
 * in /metrics, slow-request log); later ones are ignored. RESPOND calls
 * it with the response's first error: handlers need not. */
static inline void request_note_error(struct request *req, int16_t error)
{
    if (error && !req->error_code)
        req->error_code = error;
}

/* Encode with a generated encoder, count the response's first error and
 * complete: RESPOND(req, ProduceResponse, &resp) */
#define RESPOND(req, Type, msg)                                   \
    do {                                                          \
        request_note_error((req), Type##_first_error(msg));       \
        response_begin(req);                                      \
        Type##_encode(&(req)->out, (req)->api_version, (msg));    \
        response_end(req);                                        \
    } while (0)

/* For a parked request whose answer no longer points into its frame:
 * gives the frame back to the connection now rather than when the answer
 * is sent, so requests waiting for an fsync do not each hold a read
 * buffer (and the next frames land in memory already touched). The
 * decoded request must not be read afterwards. */
void request_release_frame(struct request *req);

/* Whether the response uses header v1 (flexible, except ApiVersions). */
bool response_header_flexible(const struct request *req);
#endif
