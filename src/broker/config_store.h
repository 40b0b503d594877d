/* Dynamic broker configs (AlterConfigs on the broker resource) survive a
 * restart in DIR/broker-config.json, by layer: "cluster_default"
 * (resource "") and "broker" (resource = node id). */
#ifndef SLUICE_CONFIG_STORE_H
#define SLUICE_CONFIG_STORE_H
#include <stddef.h>
#include "broker/config.h"

/* Rewrites the file atomically (tmp, fsync, rename, fsync dir) before
 * the change is acknowledged. Returns 0 or -1 (errno). */
int config_store_save(const struct config *c, const char *dir);
/* Loads what a previous run stored; an entry that is no longer valid is
 * logged and skipped. Returns 0, or -1 with err for an unreadable file. */
int config_store_load(struct config *c, const char *dir, char *err, size_t errlen);
#endif
