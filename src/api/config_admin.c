/* DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topic
 * and broker resources. Broker resource "" is the cluster-wide default;
 * the node id names this broker, whose values win over the defaults. */
#include "broker/effective_config.h"
#include "api/handler.h"
#include "broker/config_store.h"

#define RES_TOPIC 2
#define RES_BROKER 4
#define RES_BROKER_LOGGER 8

enum { OP_SET = 0, OP_DELETE = 1, OP_APPEND = 2, OP_SUBTRACT = 3 };

static bool broker_name_ok(struct broker *b, struct kstr name)
{
    if (name.len == 0)
        return true;
    char id[16];
    snprintf(id, sizeof(id), "%d", b->node_id);
    return kstr_eq(name, id);
}

static bool key_requested(const struct DescribeConfigsRequest_DescribeConfigsResource *r, const char *name)
{
    if (r->configuration_keys_count < 0)
        return true;
    for (int32_t i = 0; i < r->configuration_keys_count; i++)
        if (kstr_eq(r->configuration_keys[i], name))
            return true;
    return false;
}

static void describe_one(struct request *req, const struct DescribeConfigsRequest *m,
                         const struct DescribeConfigsRequest_DescribeConfigsResource *in,
                         struct DescribeConfigsResponse_DescribeConfigsResult *out)
{
    struct broker *b = req->broker;
    struct config_entry entries[P__COUNT + T__COUNT];
    int n;
    out->resource_type = in->resource_type;
    out->resource_name = in->resource_name;
    if (in->resource_type == RES_TOPIC) {
        struct topic *t = topic_find(b, in->resource_name);
        if (!t) {
            out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
            out->error_message = req_strf(req, "Topic '%.*s' does not exist.", (int)MAX(in->resource_name.len, 0),
                                          in->resource_name.p);
            return;
        }
        n = topic_config_entries(b, &t->config, entries);
    } else if (in->resource_type == RES_BROKER) {
        if (!broker_name_ok(b, in->resource_name)) {
            out->error_code = KERR_INVALID_REQUEST;
            out->error_message = kstr_c("Unexpected broker id: this is a single broker");
            return;
        }
        n = broker_config_entries(b, entries);
        if (in->resource_name.len == 0) {
            /* The cluster default resource lists only dynamic defaults. */
            int k = 0;
            for (int i = 0; i < n; i++) {
                int id = broker_prop_find(entries[i].name);
                if (b->cfg.dynamic[DYN_CLUSTER_DEFAULT][id].text) {
                    entries[k] = entries[i];
                    entries[k].value = b->cfg.dynamic[DYN_CLUSTER_DEFAULT][id].text;
                    entries[k++].source = SRC_DYNAMIC_DEFAULT_BROKER;
                }
            }
            n = k;
        }
    } else {
        out->error_code = KERR_INVALID_REQUEST;
        out->error_message = req_strf(req, "Unsupported resource type %d", in->resource_type);
        return;
    }
    out->configs = REQ_ARRAY(req, DescribeConfigsResponse_DescribeConfigsResourceResult, n);
    for (int i = 0; i < n; i++) {
        struct config_entry *e = &entries[i];
        if (!key_requested(in, e->name))
            continue;
        struct DescribeConfigsResponse_DescribeConfigsResourceResult *c = &out->configs[out->configs_count++];
        c->name = kstr_c(e->name);
        c->value = e->sensitive ? KSTR_NULL : kstr_c(e->value);
        c->read_only = e->read_only;
        c->is_default = e->source == SRC_DEFAULT;
        c->config_source = e->source;
        c->is_sensitive = e->sensitive;
        c->config_type = e->type;
        if (m->include_documentation)
            c->documentation = kstr_c(e->doc);
        if (m->include_synonyms) {
            c->synonyms = REQ_ARRAY(req, DescribeConfigsResponse_DescribeConfigsSynonym, 2);
            if (e->source == SRC_DYNAMIC_TOPIC) {
                struct DescribeConfigsResponse_DescribeConfigsSynonym *s = &c->synonyms[c->synonyms_count++];
                s->name = c->name;
                s->value = c->value;
                s->source = SRC_DYNAMIC_TOPIC;
            }
            if (e->synonym_name) {
                struct DescribeConfigsResponse_DescribeConfigsSynonym *s = &c->synonyms[c->synonyms_count++];
                s->name = kstr_c(e->synonym_name);
                s->value = kstr_c(e->synonym_value);
                s->source = e->synonym_source;
            }
        }
    }
}

void handle_describe_configs(struct request *req)
{
    struct DescribeConfigsRequest m;
    if (!DECODE(req, DescribeConfigsRequest, &m))
        return;
    struct DescribeConfigsResponse resp;
    DescribeConfigsResponse_init(&resp);
    resp.results_count = m.resources_count;
    resp.results = REQ_ARRAY(req, DescribeConfigsResponse_DescribeConfigsResult, m.resources_count);
    for (int32_t i = 0; i < m.resources_count; i++)
        describe_one(req, &m, &m.resources[i], &resp.results[i]);
    RESPOND(req, DescribeConfigsResponse, &resp);
}

/* ---- altering ---- */

/* One requested change, whichever API it came from. */
struct config_change {
    struct kstr name;
    struct kstr value;
    int8_t op;
};

/* List values as comma-separated items: APPEND adds missing ones,
 * SUBTRACT removes present ones. */
static char *list_edit(struct request *req, const char *current, struct kstr value, bool add)
{
    char *cur = arena_strndup(&req->arena, current ? current : "", strlen(current ? current : ""));
    char *val = req_cstr(req, value);
    char out[2048] = "";
    size_t o = 0;
    char *save, *item;
    for (item = strtok_r(cur, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        bool drop = false;
        if (!add) {
            char *vcopy = arena_strndup(&req->arena, val, strlen(val)), *s2, *v;
            for (v = strtok_r(vcopy, ",", &s2); v; v = strtok_r(NULL, ",", &s2))
                drop |= strcmp(v, item) == 0;
        }
        if (!drop && o < sizeof(out) - 1)
            o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? "," : "", item);
    }
    if (add) {
        char *s2, *v;
        for (v = strtok_r(val, ",", &s2); v; v = strtok_r(NULL, ",", &s2)) {
            char pattern[300];
            snprintf(pattern, sizeof(pattern), ",%s,", v);
            char wrapped[2100];
            snprintf(wrapped, sizeof(wrapped), ",%s,", out);
            if (!strstr(wrapped, pattern) && o < sizeof(out) - 1)
                o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? "," : "", v);
        }
    }
    return arena_strndup(&req->arena, out, strlen(out));
}

/* Applies changes to next (a copy of a topic's overrides), each parsed
 * and validated; stops at the first bad one. */
static int16_t alter_topic_into(struct request *req, struct topic_config *next, struct config_change *ch,
                                int32_t n, struct kstr *msg)
{
    struct broker *b = req->broker;
    for (int32_t i = 0; i < n; i++) {
        char *name = req_cstr(req, ch[i].name);
        int id = name ? topic_prop_find(name) : -1;
        if (id < 0) {
            *msg = req_strf(req, "Unknown topic config name: %s", name ? name : "(null)");
            return KERR_INVALID_CONFIG;
        }
        const char *value = req_cstr(req, ch[i].value);
        if (ch[i].op == OP_DELETE) {
            topic_config_set(next, name, NULL, NULL, 0);
            continue;
        }
        if (ch[i].op == OP_APPEND || ch[i].op == OP_SUBTRACT) {
            if (topic_prop_defs[id].type != PT_LIST) {
                *msg = req_strf(req, "Config %s is not a list: it cannot be appended to or subtracted from", name);
                return KERR_INVALID_CONFIG;
            }
            value = list_edit(req, topic_config_str(next, &b->cfg, (enum topic_prop)id), ch[i].value,
                              ch[i].op == OP_APPEND);
        } else if (ch[i].op != OP_SET) {
            *msg = req_strf(req, "Unknown config operation %d", ch[i].op);
            return KERR_INVALID_REQUEST;
        }
        char e[300];
        if (!value || !topic_config_set(next, name, value, e, sizeof(e))) {
            *msg = req_strf(req, "%s", value ? e : "null value");
            return KERR_INVALID_CONFIG;
        }
    }
    return 0;
}

/* Applies changes to a copy of the topic's overrides, validating each;
 * replace_all clears the overrides first (AlterConfigs). */
static int16_t alter_topic(struct request *req, struct topic *t, struct config_change *ch, int32_t n,
                           bool replace_all, bool validate_only, struct kstr *msg)
{
    struct topic_config next = {0};
    if (!replace_all)
        topic_config_copy(&next, &t->config);
    int16_t err = alter_topic_into(req, &next, ch, n, msg);
    if (!err && !validate_only)
        err = (int16_t)topic_set_config(req->broker, t, &next);
    topic_config_free(&next);
    return err;
}

static int16_t alter_broker(struct request *req, enum dynamic_layer layer, struct config_change *ch, int32_t n,
                            bool replace_all, bool validate_only, struct kstr *msg)
{
    struct broker *b = req->broker;
    const char *next[P__COUNT];
    for (int i = 0; i < P__COUNT; i++)
        next[i] = replace_all ? NULL : b->cfg.dynamic[layer][i].text;
    for (int32_t i = 0; i < n; i++) {
        char *name = req_cstr(req, ch[i].name);
        int id = name ? broker_prop_find(name) : -1;
        if (id < 0) {
            *msg = req_strf(req, "Unknown broker config name: %s", name ? name : "(null)");
            return KERR_INVALID_CONFIG;
        }
        if (!broker_prop_defs[id].dynamic) {
            *msg = req_strf(req, "Cannot update these configs dynamically: %s", name);
            return KERR_INVALID_CONFIG;
        }
        const char *value = req_cstr(req, ch[i].value);
        if (ch[i].op == OP_DELETE) {
            next[id] = NULL;
            continue;
        }
        if (ch[i].op == OP_APPEND || ch[i].op == OP_SUBTRACT) {
            if (broker_prop_defs[id].type != PT_LIST) {
                *msg = req_strf(req, "Config %s is not a list: it cannot be appended to or subtracted from", name);
                return KERR_INVALID_CONFIG;
            }
            value = list_edit(req, next[id] ? next[id] : config_str(&b->cfg, (enum broker_prop)id), ch[i].value,
                              ch[i].op == OP_APPEND);
        }
        char e[300];
        if (!value || !prop_validate(&broker_prop_defs[id], value, e, sizeof(e))) {
            *msg = req_strf(req, "%s", value ? e : "null value");
            return KERR_INVALID_CONFIG;
        }
        next[id] = value;
    }
    if (validate_only)
        return 0;
    for (int i = 0; i < P__COUNT; i++)
        if (next[i] != b->cfg.dynamic[layer][i].text)
            config_set_dynamic(&b->cfg, layer, (enum broker_prop)i, next[i], NULL, 0);   /* validated above */
    topics_reconfigure(b);
    return config_store_save(&b->cfg, b->data_dir) == 0 ? 0 : KERR_KAFKA_STORAGE_ERROR;
}

static int16_t alter_resource(struct request *req, int8_t type, struct kstr name, struct config_change *ch,
                              int32_t n, bool replace_all, bool validate_only, struct kstr *msg)
{
    struct broker *b = req->broker;
    if (type == RES_TOPIC) {
        struct topic *t = topic_find(b, name);
        if (!t) {
            *msg = req_strf(req, "Topic '%.*s' does not exist.", (int)MAX(name.len, 0), name.p);
            return KERR_UNKNOWN_TOPIC_OR_PARTITION;
        }
        return alter_topic(req, t, ch, n, replace_all, validate_only, msg);
    }
    if (type == RES_BROKER) {
        if (!broker_name_ok(b, name)) {
            *msg = kstr_c("Unexpected broker id: this is a single broker");
            return KERR_INVALID_REQUEST;
        }
        return alter_broker(req, name.len == 0 ? DYN_CLUSTER_DEFAULT : DYN_BROKER, ch, n, replace_all,
                            validate_only, msg);
    }
    *msg = req_strf(req, "Unsupported resource type %d", type);
    return KERR_INVALID_REQUEST;
}

void handle_alter_configs(struct request *req)
{
    struct AlterConfigsRequest m;
    if (!DECODE(req, AlterConfigsRequest, &m))
        return;
    struct AlterConfigsResponse resp;
    AlterConfigsResponse_init(&resp);
    resp.responses_count = m.resources_count;
    resp.responses = REQ_ARRAY(req, AlterConfigsResponse_AlterConfigsResourceResponse, m.resources_count);
    for (int32_t i = 0; i < m.resources_count; i++) {
        struct AlterConfigsRequest_AlterConfigsResource *in = &m.resources[i];
        struct AlterConfigsResponse_AlterConfigsResourceResponse *out = &resp.responses[i];
        out->resource_type = in->resource_type;
        out->resource_name = in->resource_name;
        struct config_change *ch = REQ_ALLOC(req, struct config_change, in->configs_count);
        for (int32_t k = 0; k < in->configs_count; k++)
            ch[k] = (struct config_change){in->configs[k].name, in->configs[k].value,
                                           in->configs[k].value.len < 0 ? OP_DELETE : OP_SET};
        out->error_code = alter_resource(req, in->resource_type, in->resource_name, ch, in->configs_count, true,
                                         m.validate_only, &out->error_message);
    }
    RESPOND(req, AlterConfigsResponse, &resp);
}

void handle_incremental_alter_configs(struct request *req)
{
    struct IncrementalAlterConfigsRequest m;
    if (!DECODE(req, IncrementalAlterConfigsRequest, &m))
        return;
    struct IncrementalAlterConfigsResponse resp;
    IncrementalAlterConfigsResponse_init(&resp);
    resp.responses_count = m.resources_count;
    resp.responses =
        REQ_ARRAY(req, IncrementalAlterConfigsResponse_AlterConfigsResourceResponse, m.resources_count);
    for (int32_t i = 0; i < m.resources_count; i++) {
        struct IncrementalAlterConfigsRequest_AlterConfigsResource *in = &m.resources[i];
        struct IncrementalAlterConfigsResponse_AlterConfigsResourceResponse *out = &resp.responses[i];
        out->resource_type = in->resource_type;
        out->resource_name = in->resource_name;
        struct config_change *ch = REQ_ALLOC(req, struct config_change, in->configs_count);
        for (int32_t k = 0; k < in->configs_count; k++)
            ch[k] = (struct config_change){in->configs[k].name, in->configs[k].value, in->configs[k].config_operation};
        out->error_code = alter_resource(req, in->resource_type, in->resource_name, ch, in->configs_count, false,
                                         m.validate_only, &out->error_message);
    }
    RESPOND(req, IncrementalAlterConfigsResponse, &resp);
}
