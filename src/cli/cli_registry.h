/* A client of the schema registry's REST API (Confluent's) for the schema
 * subcommand: where the registry is, one call at a time over libcurl, and
 * Confluent's error bodies turned into messages. */
#ifndef SLUICE_CLI_REGISTRY_H
#define SLUICE_CLI_REGISTRY_H

#include <stdint.h>

#include <jansson.h>

#include "cli/cli_common.h"

#define CLI_DEFAULT_REGISTRY "http://127.0.0.1:8081"

struct cli_registry {
    const char *url;          /* --registry, else $SLUICE_SCHEMA_REGISTRY, else default */
    const char *url_from;     /* where url came from, for messages */
    int64_t connect_timeout_ms;
    int64_t request_timeout_ms;
    void *curl;               /* CURL *, reused across calls */
};

void cli_registry_init(struct cli_registry *r);
void cli_registry_free(struct cli_registry *r);

/* Percent-encodes a path segment (subject names may hold '/', spaces ...);
 * malloc'd. */
char *cli_registry_escape(struct cli_registry *r, const char *segment);

/* METHOD url+path with body (NULL: none) as JSON. On a 2xx answer stores
 * its parsed JSON in *reply (the caller decrefs) and returns CLI_EXIT_OK.
 * Otherwise returns CLI_EXIT_ERROR with *error_code set to Confluent's code
 * (0 when the answer had none) after reporting, prefixed by c's command,
 * that code and the registry's message, or that no registry answered at
 * the URL; an error whose code is quiet_code (0: none) is not reported. */
int cli_registry_call(const struct cli_common *c, struct cli_registry *r,
                      const char *method, const char *path, json_t *body,
                      json_t **reply, int quiet_code, int *error_code);

#endif
