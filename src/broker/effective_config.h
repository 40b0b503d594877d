/* The effective configs of a topic or of the broker, as DescribeConfigs
 * and CreateTopics (v5+) report them. */
#ifndef SLUICE_EFFECTIVE_CONFIG_H
#define SLUICE_EFFECTIVE_CONFIG_H
#include <stdbool.h>
#include <stdint.h>
#include "broker/config.h"

struct broker;
struct topic;

enum { CFG_TYPE_BOOLEAN = 1, CFG_TYPE_STRING = 2, CFG_TYPE_INT = 3, CFG_TYPE_LONG = 5, CFG_TYPE_LIST = 7,
       CFG_TYPE_PASSWORD = 9 };

struct config_entry {
    const char *name;
    const char *value;
    int8_t source;            /* enum prop_source */
    bool read_only;
    bool sensitive;
    int8_t type;
    const char *doc;
    /* For topic configs: the broker synonym and where its value came from. */
    const char *synonym_name;
    const char *synonym_value;
    int8_t synonym_source;
};

int8_t config_type_code(enum prop_type t);
/* Fills up to T__COUNT entries for a topic with the given overrides. */
int topic_config_entries(struct broker *b, const struct topic_config *tc, struct config_entry *out);
/* Fills up to P__COUNT entries for the broker; test-only ones are skipped. */
int broker_config_entries(struct broker *b, struct config_entry *out);
#endif
