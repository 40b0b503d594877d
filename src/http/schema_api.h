/* The schema registry as the console shows it, read on the loop thread
 * for the JSON admin API (admin_api.c routes GET /api/schemas... here):
 *   GET /api/schemas                 levels, subjects with their versions, topics that validate
 *   GET /api/schemas/subjects/NAME   every version of one subject with its schema text
 * Read through the broker's own API rather than the registry's REST port:
 * the same origin and Host rule as the rest of the console, and it works
 * when schema.registry.listeners is empty (the registry runs regardless). */
#ifndef SLUICE_HTTP_SCHEMA_API_H
#define SLUICE_HTTP_SCHEMA_API_H
#include <jansson.h>

struct broker;

/* path is what follows "/api/schemas". Returns the body (an error is
 * {"error": ...}) and sets *status. */
json_t *schema_api_get(struct broker *b, const char *path, int *status);
#endif
