/* Schema id validation at produce (see validate.h). */
#include "schema/validate.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker/broker.h"
#include "broker/topics.h"
#include "core/slog.h"
#include "core/util.h"
#include "core/sbuf.h"
#include "log/batch.h"
#include "log/kerr.h"
#include "schema/service.h"
#include "schema/topic_policy.h"

#define REFUSAL_LOG_INTERVAL_MS 1000

/* Counts a refusal and logs it, at most once a second (a misconfigured
 * producer may send thousands a second). */
static void note_refusal(struct schema_service *svc, const char *topic, const char *side, const char *reason,
                         const char *why)
{
    struct schema_refusal *r = NULL;
    for (size_t i = 0; i < svc->nrefusals && !r; i++)
        if (svc->refusals[i].side == side && svc->refusals[i].reason == reason &&
            strcmp(svc->refusals[i].topic, topic) == 0)
            r = &svc->refusals[i];
    if (!r) {
        svc->refusals = xrealloc(svc->refusals, (svc->nrefusals + 1) * sizeof(*svc->refusals));
        r = &svc->refusals[svc->nrefusals++];
        *r = (struct schema_refusal){xstrdup(topic), side, reason, 0};
    }
    r->count++;
    int64_t now = mono_ms();
    if (now - svc->refusal_logged_ms < REFUSAL_LOG_INTERVAL_MS && svc->refusal_logged_ms) {
        svc->refusals_unlogged++;
        return;
    }
    log_warn("schema", "records refused", "topic=%s side=%s reason=%s detail=\"%s\" not_logged_since=%llu", topic,
             side, reason, why, (unsigned long long)svc->refusals_unlogged);
    svc->refusal_logged_ms = now;
    svc->refusals_unlogged = 0;
}

void schema_metrics_format(struct broker *b, struct sbuf *out)
{
    struct schema_service *svc = b->schema;
    if (!svc)
        return;
    sbuf_printf(out, "# HELP sluice_schema_refusals_total Produced records refused by schema validation, by topic, "
                     "side and reason\n# TYPE sluice_schema_refusals_total counter\n");
    for (size_t i = 0; i < svc->nrefusals; i++)
        sbuf_printf(out, "sluice_schema_refusals_total{topic=\"%s\",side=\"%s\",reason=\"%s\"} %llu\n",
                    svc->refusals[i].topic, svc->refusals[i].side, svc->refusals[i].reason,
                    (unsigned long long)svc->refusals[i].count);
}

/* One side (key or value) of the check. */
struct side_check {
    const char *what;            /* "key", "value" */
    bool on;
    enum sr_strategy strategy;
    const struct sr_subject *topic_subject;   /* TopicNameStrategy's, looked up once */
    int32_t last_ok_id;          /* the id that passed last, to skip repeats */
    bool full;                   /* sluice.*.schema.validation=full: decode too */
};

struct walk {
    const struct broker *b;
    const struct topic *t;
    struct side_check key, value;
    int index;
    char *msg;
    size_t msglen;
    const char *refused_side, *refused_reason;   /* set with msg */
};

static bool live_under(const struct sr_subject *s, int32_t id)
{
    for (size_t i = 0; s && i < s->nversions; i++)
        if (!s->versions[i].deleted && s->versions[i].schema->id == id)
            return true;
    return false;
}

/* The full name of the record a schema describes (for the record-name
 * strategies), malloc'd, or NULL. */
static char *record_fullname(const struct sr_schema *sc)
{
    json_t *doc = json_loads(sc->canonical, JSON_DECODE_ANY, NULL);
    const char *name = json_string_value(json_object_get(doc, "name"));
    const char *ns = json_string_value(json_object_get(doc, "namespace"));
    char *out = NULL;
    if (name) {
        size_t n = strlen(name) + (ns ? strlen(ns) + 1 : 0) + 1;
        out = malloc(n);
        if (out)
            snprintf(out, n, "%s%s%s", ns && !strchr(name, '.') ? ns : "", ns && !strchr(name, '.') ? "." : "", name);
    }
    json_decref(doc);
    return out;
}

static bool registered(struct walk *w, struct side_check *sc, int32_t id);
static bool payload_ok(struct walk *w, struct side_check *sc, int32_t id, const uint8_t *p, size_t len);

/* false with the reason in w->msg when bytes do not pass. */
static bool check_side(struct walk *w, struct side_check *sc, const uint8_t *p, int32_t len)
{
    if (!sc->on || !p || len < 0)
        return true;   /* null keys and values (tombstones) carry no schema */
    if (len < 5 || p[0] != 0) {
        snprintf(w->msg, w->msglen, "record %d: the %s does not start with the magic byte 0 and a schema id",
                 w->index, sc->what);
        w->refused_reason = "no_schema_id";
        w->refused_side = sc->what;
        return false;
    }
    int32_t id = (int32_t)((uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4]);
    if (id != sc->last_ok_id && !registered(w, sc, id))
        return false;
    sc->last_ok_id = id;
    return !sc->full || payload_ok(w, sc, id, p + 5, (size_t)len - 5);
}

/* The id is registered under the subject the strategy names. */
static bool registered(struct walk *w, struct side_check *sc, int32_t id)
{
    const struct schema_registry *reg = &w->b->schema->reg;
    const struct sr_schema *schema = sr_schema_by_id(reg, id);
    char subject[512];
    const struct sr_subject *s = sc->topic_subject;
    if (sc->strategy != SR_TOPIC_NAME) {
        char *full = schema ? record_fullname(schema) : NULL;
        if (sc->strategy == SR_RECORD_NAME)
            snprintf(subject, sizeof(subject), "%s", full ? full : "?");
        else
            snprintf(subject, sizeof(subject), "%s-%s", w->t->name, full ? full : "?");
        free(full);
        s = sr_subject(reg, subject);
    } else {
        snprintf(subject, sizeof(subject), "%s-%s", w->t->name, sc->what);
    }
    if (sc->strategy == SR_STRATEGY_UNKNOWN) {
        snprintf(w->msg, w->msglen, "record %d: the topic's %s subject name strategy is unknown", w->index,
                 sc->what);
        w->refused_reason = "unknown_strategy";
        w->refused_side = sc->what;
        return false;
    }
    if (!schema || !live_under(s, id)) {
        snprintf(w->msg, w->msglen, "record %d: the %s's schema id %d is not registered under subject %s", w->index,
                 sc->what, id, subject);
        w->refused_reason = "unregistered_id";
        w->refused_side = sc->what;
        return false;
    }
    return true;
}

/* The schema with this id, parsed once (with the schemas it references:
 * a referenced version is never deleted under it) for checking payloads. */
static const struct schema_checker *checker_for(struct schema_service *svc, int32_t id)
{
    for (size_t i = 0; i < svc->ncheckers; i++)
        if (svc->checkers[i].id == id)
            return &svc->checkers[i];
    const struct sr_schema *sc = sr_schema_by_id(&svc->reg, id);
    if (!sc)
        return NULL;
    char why[256];
    struct sr_resolved res;
    void *ck = sr_resolve(&svc->reg, &sc->refs, true, &res, why, sizeof(why)) == SR_OK
                   ? sc->format->checker_new(sc->canonical, &res.deps)
                   : NULL;
    sr_resolved_free(&res);
    svc->checkers = xrealloc(svc->checkers, (svc->ncheckers + 1) * sizeof(*svc->checkers));
    svc->checkers[svc->ncheckers] = (struct schema_checker){id, sc->format, ck};
    return &svc->checkers[svc->ncheckers++];
}

/* Full validation: the payload after the id decodes as that schema. */
static bool payload_ok(struct walk *w, struct side_check *sc, int32_t id, const uint8_t *p, size_t len)
{
    const struct schema_checker *ck = checker_for(w->b->schema, id);
    char why[200];
    if (!ck || !ck->ck || ck->format->datum_valid(ck->ck, p, len, why, sizeof(why)))
        return true;
    snprintf(w->msg, w->msglen, "record %d: the %s does not match schema id %d: %s", w->index, sc->what, id, why);
    w->refused_reason = "payload_mismatch";
    w->refused_side = sc->what;
    return false;
}

static int check_record(void *arg, const struct record_view *rec)
{
    struct walk *w = arg;
    bool ok = check_side(w, &w->key, rec->key, rec->key_len) && check_side(w, &w->value, rec->value, rec->value_len);
    w->index++;
    return ok ? 0 : 1;
}

static void side_init(struct side_check *sc, const struct broker *b, const struct topic *t, const char *what)
{
    struct schema_side_policy policy;
    schema_side_policy(b, t, strcmp(what, "key") == 0, &policy);
    sc->what = what;
    sc->on = policy.check != SCHEMA_CHECK_NONE;
    sc->full = policy.check == SCHEMA_CHECK_FULL;
    sc->strategy = policy.strategy;
    sc->last_ok_id = -1;
    char subject[512];
    snprintf(subject, sizeof(subject), "%s-%s", t->name, what);
    sc->topic_subject = b->schema ? sr_subject(&b->schema->reg, subject) : NULL;
}

int schema_validate_produce(struct broker *b, const struct topic *t, const uint8_t *records, size_t len, char *msg,
                            size_t msglen)
{
    struct walk w = {.b = b, .t = t, .msg = msg, .msglen = msglen};
    msg[0] = '\0';
    side_init(&w.key, b, t, "key");
    side_init(&w.value, b, t, "value");
    if (!w.key.on && !w.value.on)
        return 0;
    if (!b->schema) {
        snprintf(msg, msglen, "the topic validates schema ids but the schema registry is not running");
        return KERR_INVALID_RECORD;
    }
    while (len >= BATCH_HEADER_SIZE) {
        struct batch_info bi;
        if (batch_parse_header(records, len, &bi) != 0 || batch_total_size(&bi) > len)
            break;   /* the produce path validated the batches: not reached */
        int rc = batch_for_each_record(b->validator, records, batch_total_size(&bi), check_record, &w);
        if (msg[0]) {   /* check_record stopped the walk */
            note_refusal(b->schema, t->name, w.refused_side, w.refused_reason, msg);
            return KERR_INVALID_RECORD;
        }
        if (rc)
            return rc;
        records += batch_total_size(&bi);
        len -= batch_total_size(&bi);
    }
    return 0;
}
