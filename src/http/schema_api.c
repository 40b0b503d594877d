/* The console's read-only view of the schema registry (schema_api.h). */
#include "http/schema_api.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker/broker.h"
#include "broker/topics.h"
#include "schema/registry.h"
#include "schema/service.h"
#include "schema/topic_policy.h"

static json_t *error_body(int *status, int code, const char *msg, const char *name)
{
    char text[600];
    snprintf(text, sizeof(text), "%s%s", msg, name ? name : "");
    *status = code;
    return json_pack("{s:s}", "error", text);
}

static json_t *compat_json(const struct schema_registry *reg, const struct sr_subject *s)
{
    return json_pack("{s:s,s:b}", "level", sr_compat_name(sr_compat_for(reg, s->name)), "own",
                     s->compat != SR_COMPAT_UNSET);
}

static const struct sr_version *latest_live(const struct sr_subject *s)
{
    for (size_t i = s->nversions; i > 0; i--)
        if (!s->versions[i - 1].deleted)
            return &s->versions[i - 1];
    return NULL;
}

/* One side of a validating topic: its check, strategy and, when the
 * subject is the topic's own (TopicNameStrategy), that subject. */
static json_t *side_json(const struct broker *b, const struct topic *t, bool key)
{
    struct schema_side_policy p;
    schema_side_policy(b, t, key, &p);
    if (p.check == SCHEMA_CHECK_NONE)
        return json_null();
    json_t *o = json_pack("{s:s,s:s}", "check", schema_check_name(p.check), "strategy", p.strategy_name);
    if (p.strategy == SR_TOPIC_NAME) {
        char subject[512];
        snprintf(subject, sizeof(subject), "%s-%s", t->name, key ? "key" : "value");
        const struct sr_subject *s = sr_subject(&b->schema->reg, subject);
        json_object_set_new(o, "subject", json_string(subject));
        json_object_set_new(o, "registered", json_boolean(s && sr_subject_live(s)));
    } else {
        /* The subject comes from each record's schema: a pattern, not a name. */
        json_object_set_new(o, "subject_pattern",
                            json_string(p.strategy == SR_RECORD_NAME ? "<record full name>"
                                        : p.strategy == SR_TOPIC_RECORD_NAME ? "<topic>-<record full name>"
                                                                            : "<unknown strategy>"));
    }
    return o;
}

struct topic_walk {
    const struct broker *b;
    json_t *out;
};

static void add_validating_topic(struct topic *t, void *arg)
{
    struct topic_walk *w = arg;
    json_t *key = side_json(w->b, t, true), *value = side_json(w->b, t, false);
    if (json_is_null(key) && json_is_null(value)) {
        json_decref(key);
        json_decref(value);
        return;
    }
    json_array_append_new(w->out, json_pack("{s:s,s:o,s:o}", "topic", t->name, "key", key, "value", value));
}

static json_t *overview(struct broker *b)
{
    const struct schema_registry *reg = &b->schema->reg;
    size_t n;
    const char **names = sr_subjects(reg, true, &n);
    json_t *subjects = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct sr_subject *s = sr_subject(reg, names[i]);
        const struct sr_version *latest = latest_live(s);
        json_t *versions = json_array(), *deleted = json_array();
        for (size_t k = 0; k < s->nversions; k++)
            json_array_append_new(s->versions[k].deleted ? deleted : versions, json_integer(s->versions[k].version));
        json_t *o = json_pack("{s:s,s:o,s:o,s:o}", "subject", s->name, "versions", versions, "deleted_versions",
                              deleted, "compatibility", compat_json(reg, s));
        if (latest)
            json_object_set_new(o, "latest", json_pack("{s:i,s:i,s:s}", "version", latest->version, "id",
                                                       latest->schema->id, "type", latest->schema->format->type));
        json_array_append_new(subjects, o);
    }
    free(names);
    struct topic_walk w = {b, json_array()};
    topics_for_each(b, add_validating_topic, &w);
    int port = schema_service_port(b);
    return json_pack("{s:s,s:s,s:o,s:o,s:o}", "compatibility", sr_compat_name(reg->compat), "mode",
                     sr_mode_name(reg->mode), "registry_port", port ? json_integer(port) : json_null(), "subjects",
                     subjects, "topics", w.out);
}

static json_t *subject_detail(struct broker *b, const char *name, int *status)
{
    const struct schema_registry *reg = &b->schema->reg;
    const struct sr_subject *s = sr_subject(reg, name);
    if (!s || !s->nversions)
        return error_body(status, 404, "no subject ", name);
    json_t *versions = json_array();
    for (size_t k = 0; k < s->nversions; k++) {
        const struct sr_version *v = &s->versions[k];
        json_array_append_new(versions, json_pack("{s:i,s:i,s:s,s:s,s:b}", "version", v->version, "id", v->schema->id,
                                                  "type", v->schema->format->type, "schema", v->schema->canonical,
                                                  "deleted", v->deleted));
    }
    *status = 200;
    return json_pack("{s:s,s:o,s:s,s:o}", "subject", s->name, "compatibility", compat_json(reg, s), "mode",
                     sr_mode_name(sr_mode_for(reg, s->name)), "versions", versions);
}

json_t *schema_api_get(struct broker *b, const char *path, int *status)
{
    if (!b->schema)
        return error_body(status, 503, "the schema registry is not running", NULL);
    if (strcmp(path, "") == 0) {
        *status = 200;
        return overview(b);
    }
    if (strncmp(path, "/subjects/", 10) == 0 && path[10])
        return subject_detail(b, path + 10, status);
    return error_body(status, 404, "not found", NULL);
}
