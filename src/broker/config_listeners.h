/* Rules for listeners, advertised.listeners and
 * listener.security.protocol.map, as Kafka's KafkaConfig checks them. */
#ifndef SLUICE_CONFIG_LISTENERS_H
#define SLUICE_CONFIG_LISTENERS_H
#include "broker/config.h"

/* Per property (the table's .check): listeners, advertised.listeners. */
prop_check_fn check_listeners;
/* Per property: listener.security.protocol.map, NAME:PROTOCOL entries. */
prop_check_fn check_protocol_map;
/* Across them, once all are loaded (config_finish). */
bool config_check_listeners(const struct config *c, char *err, size_t errlen);
#endif
