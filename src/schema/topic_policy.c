#include "schema/topic_policy.h"
#include <string.h>
#include "broker/broker.h"
#include "broker/topics.h"

void schema_side_policy(const struct broker *b, const struct topic *t, bool key, struct schema_side_policy *out)
{
    const char *confluent = topic_config_str(&t->config, &b->cfg, key ? T_KEY_SCHEMA_VALIDATION : T_VALUE_SCHEMA_VALIDATION);
    const char *sluice =
        topic_config_str(&t->config, &b->cfg, key ? T_SLUICE_KEY_SCHEMA_VALIDATION : T_SLUICE_VALUE_SCHEMA_VALIDATION);
    out->check = strcmp(sluice, "full") == 0 ? SCHEMA_CHECK_FULL
                 : strcmp(sluice, "id") == 0 || strcmp(confluent, "true") == 0 ? SCHEMA_CHECK_ID
                                                                               : SCHEMA_CHECK_NONE;
    out->strategy_name =
        topic_config_str(&t->config, &b->cfg, key ? T_KEY_SUBJECT_NAME_STRATEGY : T_VALUE_SUBJECT_NAME_STRATEGY);
    out->strategy = sr_strategy_parse(out->strategy_name);
}

const char *schema_check_name(enum schema_check c)
{
    return c == SCHEMA_CHECK_FULL ? "full" : c == SCHEMA_CHECK_ID ? "id" : "none";
}
