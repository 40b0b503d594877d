/* Between the REST listener (rest.c) and its routes (rest_routes.c). */
#ifndef SLUICE_SCHEMA_REST_H
#define SLUICE_SCHEMA_REST_H
#include <jansson.h>
#include <stdbool.h>
#include "core/sbuf.h"
#include "schema/service.h"

struct MHD_Connection;

/* One HTTP request from its first byte to its answer. */
struct rest_request {
    struct schema_service *svc;
    struct MHD_Connection *conn;
    const char *method;
    char *path;                /* as sent: percent-encoded, no query */
    struct sbuf body;
    bool too_large;
    /* the answer */
    bool ready;
    int status;
    const char *content_type;
    struct sbuf out;
    /* waiting for a commit: the connection is suspended */
    bool suspended;
    json_t *pending_answer;
    int pending_status;
    struct rest_request *prev, *next;   /* in the listener's suspended list */
};

/* A query argument, NULL if absent; a flag is "true" in any case. */
const char *rest_arg(const struct rest_request *rq, const char *name);
bool rest_flag(const struct rest_request *rq, const char *name);
/* The answer: body is taken (decref'd). */
void rest_reply(struct rest_request *rq, int status, json_t *body);
/* Confluent's error body; the HTTP status is derived from the code. */
void rest_error(struct rest_request *rq, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Commits changes and answers `answer` once they are stored (an error
 * 50001 if they cannot be). Takes the changes' contents and the answer. */
void rest_commit(struct rest_request *rq, struct sr_change *changes, size_t n, int status, json_t *answer);

/* Fills the answer (rest_routes.c). */
void rest_route(struct rest_request *rq);
#endif
