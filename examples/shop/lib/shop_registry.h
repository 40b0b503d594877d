/* Registering a schema with a Confluent-compatible schema registry (Sluice
 * serves one on :8081): POST /subjects/<subject>/versions. Registering a
 * schema the subject already has returns its id, so every service start
 * registers its schemas. */
#ifndef SHOP_REGISTRY_H
#define SHOP_REGISTRY_H
#include <stddef.h>
#include <stdint.h>

#define SHOP_REGISTRY_TIMEOUT_MS 5000

/* The schema's id, or -1 with the reason in err. */
int32_t shop_registry_register(const char *url, const char *subject, const char *schema_json,
                               char *err, size_t errlen);

#endif
