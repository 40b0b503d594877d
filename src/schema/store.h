/* The registry's records in the `_schemas` topic (store.c). */
#ifndef SLUICE_SCHEMA_STORE_H
#define SLUICE_SCHEMA_STORE_H
#include <stddef.h>

struct schema_service;

/* Applies every record the `_schemas` topic holds, if there is one. */
int schema_store_load(struct schema_service *svc, char *err, size_t errlen);
/* Tells every commit still waiting for its fsync that it failed. */
void schema_store_cancel_all(struct schema_service *svc);
#endif
