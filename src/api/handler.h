/* Shared includes and helpers for API handlers. */
#ifndef SLUICE_HANDLER_H
#define SLUICE_HANDLER_H
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "broker/broker.h"
#include "api/dispatch.h"
#include "broker/topics.h"
#include "core/arena.h"
#include "core/slog.h"
#include "net/conn.h"
#include "net/request.h"
#include "protocol/gen/api_keys.h"
#include "protocol/gen/errors.h"
#include "protocol/gen/messages.h"

/* Zeroed array of n elements in the request's arena. */
#define REQ_ALLOC(req, type, n) ((type *)arena_alloc(&(req)->arena, sizeof(type) * (size_t)((n) > 0 ? (n) : 1)))
/* Array of n response elements in the request's arena, each set to its
 * defaults by its generated _init: REQ_ARRAY(req, ProduceResponse_TopicProduceResponse, n) */
#define REQ_ARRAY(req, Type, n) Type##_alloc(&(req)->arena, (n))

/* Decodes the request body or closes the connection. Usage:
 *   struct ProduceRequest m; if (!DECODE(req, ProduceRequest, &m)) return; */
#define DECODE(req, Type, m) \
    (Type##_decode(&(req)->body, (req)->api_version, (m), &(req)->arena) == 0 || \
     (request_fail((req), "cannot decode " #Type), 0))

/* A copy of an error text in the request's arena, as a kstr. */
struct kstr req_strf(struct request *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminated copy of a kstr in the arena. */
char *req_cstr(struct request *req, struct kstr s);
/* Where this client reaches the broker: the advertised endpoint of the
 * listener it came in on (the first listener's for a request with no
 * connection, as the fuzz targets send). */
void req_endpoint(const struct request *req, const char **host, int *port);
#endif
