/* What a topic asks of the schema registry at produce, per side (key or
 * value): no validation, the schema id only, or the payload too, and how
 * the side's subject is named. One reading of the topic's properties, for
 * the validator and for the console's view of which topic validates
 * against which subject. Read-only. */
#ifndef SLUICE_SCHEMA_TOPIC_POLICY_H
#define SLUICE_SCHEMA_TOPIC_POLICY_H
#include <stdbool.h>
#include "schema/registry.h"

struct broker;
struct topic;

enum schema_check { SCHEMA_CHECK_NONE, SCHEMA_CHECK_ID, SCHEMA_CHECK_FULL };

struct schema_side_policy {
    enum schema_check check;
    enum sr_strategy strategy;
    const char *strategy_name;    /* as configured (Confluent's class names too) */
};

/* confluent.<side>.schema.validation=true means id; sluice.<side>.schema.validation
 * (id or full) can only raise that. */
void schema_side_policy(const struct broker *b, const struct topic *t, bool key, struct schema_side_policy *out);

const char *schema_check_name(enum schema_check c);   /* "none", "id", "full" */
#endif
