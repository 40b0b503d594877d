/* The schema registry inside the broker: its state (owned by the loop
 * thread), its REST listener (schema.registry.listeners) and the way a
 * change is committed.
 * @locality: everything here runs on the loop thread. */
#ifndef SLUICE_SCHEMA_SERVICE_H
#define SLUICE_SCHEMA_SERVICE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "schema/change.h"
#include "schema/registry.h"

struct broker;
struct schema_rest;
struct pending_commit;

/* Records refused by schema validation, per topic, side and reason. */
struct schema_refusal {
    char *topic;
    const char *side, *reason;     /* static strings */
    uint64_t count;
};

/* A schema parsed once for checking payloads (full validation). */
struct schema_checker {
    int32_t id;
    const struct sr_format *format;
    void *ck;                      /* the format's checker; NULL: not checkable */
};

struct schema_service {
    struct broker *b;
    struct schema_registry reg;
    struct schema_rest *rest;      /* NULL when the listener is off */
    struct pending_commit *pending;   /* appended, waiting for their fsync (store.c) */
    struct schema_checker *checkers;  /* validate.c */
    size_t ncheckers;
    struct schema_refusal *refusals;
    size_t nrefusals;
    int64_t refusal_logged_ms;        /* refusals are logged at most once a second */
    uint64_t refusals_unlogged;
};

/* Starts the registry and its listener (nothing if the property is
 * empty). 0, or -1 with err. */
int schema_service_start(struct broker *b, char *err, size_t errlen);
void schema_service_stop(struct broker *b);
int schema_service_port(const struct broker *b);   /* bound REST port, 0 if off */

/* Commits changes decided by a request (store.c): appends them to the
 * `_schemas` topic and applies them, in order; done(ctx, SR_OK) once
 * they are fsynced, SR_STORE_ERROR if they cannot be (nothing is applied
 * when the append itself fails). done may run before this returns.
 * Takes the changes' contents. */
typedef void (*schema_commit_done)(void *ctx, enum sr_err e);
void schema_commit(struct schema_service *svc, struct sr_change *changes, size_t n, schema_commit_done done,
                   void *ctx);

/* sluice_schema_refusals_total for /metrics (validate.c). */
struct sbuf;
void schema_metrics_format(struct broker *b, struct sbuf *out);

/* REST (rest.c, rest_routes.c). */
int schema_rest_start(struct schema_service *svc, const char *listeners, char *err, size_t errlen);
void schema_rest_stop(struct schema_service *svc);
int schema_rest_port(const struct schema_service *svc);
#endif
