#include "broker/effective_config.h"
#include <string.h>
#include "broker/broker.h"

int8_t config_type_code(enum prop_type t)
{
    switch (t) {
    case PT_BOOL: return CFG_TYPE_BOOLEAN;
    case PT_INT: return CFG_TYPE_INT;
    case PT_LONG: return CFG_TYPE_LONG;
    case PT_LIST: return CFG_TYPE_LIST;
    case PT_PASSWORD: return CFG_TYPE_PASSWORD;
    default: return CFG_TYPE_STRING;
    }
}

int topic_config_entries(struct broker *b, const struct topic_config *tc, struct config_entry *out)
{
    for (int i = 0; i < T__COUNT; i++) {
        const struct prop_def *d = &topic_prop_defs[i];
        int syn = d->synonym;
        struct config_entry *e = &out[i];
        memset(e, 0, sizeof(*e));
        e->name = d->name;
        e->value = topic_config_str(tc, &b->cfg, (enum topic_prop)i);
        e->source = tc && tc->value[i].text ? SRC_DYNAMIC_TOPIC : (int8_t)config_source(&b->cfg, (enum broker_prop)syn);
        e->type = config_type_code(d->type);
        e->doc = d->doc;
        e->synonym_name = broker_prop_defs[syn].name;
        e->synonym_value = config_str(&b->cfg, (enum broker_prop)syn);
        e->synonym_source = (int8_t)config_source(&b->cfg, (enum broker_prop)syn);
    }
    return T__COUNT;
}

int broker_config_entries(struct broker *b, struct config_entry *out)
{
    int n = 0;
    for (int i = 0; i < P__COUNT; i++) {
        const struct prop_def *d = &broker_prop_defs[i];
        if (strncmp(d->name, "sluice.test.", 12) == 0)
            continue;
        struct config_entry *e = &out[n++];
        memset(e, 0, sizeof(*e));
        e->name = d->name;
        e->value = config_str(&b->cfg, (enum broker_prop)i);
        if (!e->value[0] && !b->cfg.value[i].text && config_source(&b->cfg, (enum broker_prop)i) == SRC_DEFAULT)
            e->value = NULL;
        e->source = (int8_t)config_source(&b->cfg, (enum broker_prop)i);
        e->read_only = !d->dynamic;
        e->type = config_type_code(d->type);
        e->doc = d->doc;
    }
    return n;
}
