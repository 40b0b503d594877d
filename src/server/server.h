/* The composition root: builds the broker from every layer (log, net,
 * broker, group, api, http) and wires the callbacks through which the
 * lower layers call up, so none of them names a layer above it. */
#ifndef SLUICE_SERVER_H
#define SLUICE_SERVER_H
#include <stddef.h>
#include "broker/broker.h"

/* Starts everything: data dir, recovery, listeners. Returns NULL with err. */
struct broker *broker_start(struct config *cfg, char *err, size_t errlen);
/* What broker_start does before it listens: data dir, recovery, the
 * flusher, groups and the schema service, with HTTP as configured. No
 * Kafka listener, no signal handling and no timers: the fuzz targets
 * feed requests to a broker opened so (tests/fuzz/fuzz_broker.c). */
struct broker *broker_open(struct config *cfg, char *err, size_t errlen);
void broker_run(struct broker *b);
/* Clean shutdown: stop accepting, flush, checkpoint every partition. */
void broker_shutdown(struct broker *b);
void broker_free(struct broker *b);
#endif
