/* The JSON admin API the console uses, on the loop thread (http.h):
 *   GET    /api/cluster                        identity, totals, listeners, whether changes are allowed
 *   GET    /api/history                        the last minutes, sampled every 2 s
 *   GET    /api/topics                         topics with sizes and message counts
 *   POST   /api/topics                         {"name","partitions","configs":{}}
 *   GET    /api/topics/NAME                    partitions and configs
 *   DELETE /api/topics/NAME
 *   GET    /api/topics/NAME/messages?partition=&offset=|timestamp=|before=&limit=&q=&max_records=&max_bytes=
 *                                              a bounded search (browse.h): matches and the range searched
 *   POST   /api/topics/NAME/messages           {"partition","key","value","headers":{}}, answered once fsynced
 *   GET    /api/groups                         state, members, lag sum
 *   GET    /api/groups/ID                      members and per-partition lag
 *   GET    /api/schemas, /api/schemas/subjects/NAME   the schema registry, read-only (schema_api.h)
 * Calls that change anything were checked by http.c (allowed by
 * http.admin.enabled, JSON content type, Origin/Host of this listener).
 * Errors are {"error": "..."}. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "broker/effective_config.h"
#include "broker/broker.h"
#include "broker/topics.h"
#include "core/fileref.h"
#include "core/slog.h"
#include "group/group.h"
#include "http/browse.h"
#include "http/http.h"
#include "http/schema_api.h"
#include "log/batch.h"
#include "log/batch_build.h"
#include "protocol/gen/errors.h"

#define MSG_LIMIT_MAX 500
/* A search's bounded scan (browse.h), on the loop thread: the default and
 * the most a request may ask for (max_records, max_bytes). */
#define MSG_SCAN_RECORDS 100000
#define MSG_SCAN_RECORDS_MAX 1000000
#define MSG_SCAN_BYTES (32 << 20)
#define MSG_SCAN_BYTES_MAX (256 << 20)

static void reply(struct http_job *j, int status, json_t *body)
{
    j->status = status;
    j->content_type = "application/json";
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    if (text) {
        sbuf_add(&j->out, text, strlen(text));
        free(text);
    }
}

/* A JSON string of a name a client chose (group, member and client ids
 * are any bytes on the wire, and so is a path): bytes that are not UTF-8
 * show as \xNN rather than the whole answer failing to build (jansson
 * refuses such strings). NULL stays NULL, for "o?". */
static json_t *json_text(const char *s)
{
    if (!s)
        return NULL;
    json_t *v = json_string(s);
    if (v)
        return v;
    struct sbuf e = {0};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80)
            sbuf_add(&e, (const char *)p, 1);
        else
            sbuf_printf(&e, "\\x%02x", *p);
    }
    v = json_string(e.p ? e.p : "");
    free(e.p);
    return v;
}

static void fail(struct http_job *j, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct http_job *j, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    reply(j, status, json_pack("{s:o}", "error", json_text(msg)));
}

static int64_t arg_int(const struct http_job *j, const char *name, int64_t def)
{
    const char *v = http_job_arg(j, name);
    int64_t out;
    return v && v[0] && parse_int64(v, &out) ? out : def;
}

/* ---- cluster ---- */

struct totals {
    int64_t partitions, messages;
    uint64_t bytes;
};

static void add_totals(struct topic *t, void *arg)
{
    struct totals *s = arg;
    s->partitions += t->partition_count;
    for (int32_t i = 0; i < t->partition_count; i++) {
        struct plog *l = t->partitions[i]->log;
        s->messages += plog_high_watermark(l) - plog_log_start(l);
        s->bytes += plog_size_bytes(l);
    }
}

static void get_cluster(struct broker *b, struct http_job *j)
{
    struct totals tot = {0};
    topics_for_each(b, add_totals, &tot);
    int ngroups = 0;
    for (struct cgroup *g = b->groups ? b->groups->groups : NULL; g; g = g->next)
        ngroups++;
    json_t *listeners = json_array();
    for (int i = 0; i < b->nlisteners; i++)
        json_array_append_new(listeners, json_pack("{s:s,s:s,s:i}", "name", b->listeners[i].name, "host",
                                                   b->listeners[i].adv_host, "port", b->listeners[i].adv_port));
    const struct broker_stats *s = &b->stats;
    json_t *o = json_pack("{s:s,s:i,s:o,s:I,s:I,s:I,s:I,s:i,s:i}", "cluster_id", b->cluster_id, "node_id",
                          b->node_id, "listeners", listeners, "topics", (json_int_t)topics_count(b), "partitions",
                          (json_int_t)tot.partitions, "messages", (json_int_t)tot.messages, "disk_used_bytes",
                          (json_int_t)tot.bytes, "connections", b->conns.count, "groups", ngroups);
    json_object_set_new(o, "time_ms", json_integer(now_ms()));
    json_object_set_new(o, "records_in", json_integer((json_int_t)s->records_produced));
    json_object_set_new(o, "records_out", json_integer((json_int_t)s->records_fetched));
    json_object_set_new(o, "bytes_in", json_integer((json_int_t)b->conns.counters.bytes_in));
    json_object_set_new(o, "bytes_out", json_integer((json_int_t)b->conns.counters.bytes_out));
    uint64_t reqs = 0, errs = 0;
    for (int k = 0; k < STATS_MAX_API; k++) {
        reqs += s->requests[k];
        errs += s->request_errors[k];
    }
    json_object_set_new(o, "requests", json_integer((json_int_t)reqs));
    json_object_set_new(o, "request_errors", json_integer((json_int_t)errs));
    const char *admin_off = http_admin_off_reason(b);   /* the console shows itself read-only */
    json_object_set_new(o, "admin", json_pack("{s:b,s:s?}", "enabled", !admin_off, "reason", admin_off));
    reply(j, 200, o);
}

/* ---- topics ---- */

static json_t *topic_summary(struct topic *t)
{
    struct totals tot = {0};
    add_totals(t, &tot);
    return json_pack("{s:s,s:i,s:b,s:I,s:I}", "name", t->name, "partitions", t->partition_count, "internal",
                     t->internal, "messages", (json_int_t)tot.messages, "size_bytes", (json_int_t)tot.bytes);
}

static void list_topic(struct topic *t, void *arg) { json_array_append_new(arg, topic_summary(t)); }

static void get_topic(struct broker *b, struct http_job *j, struct topic *t)
{
    json_t *o = topic_summary(t);
    char id[23];
    kuuid_to_b64(&t->id, id);
    json_object_set_new(o, "id", json_string(id));
    json_t *parts = json_array();
    for (int32_t i = 0; i < t->partition_count; i++) {
        struct plog *l = t->partitions[i]->log;
        json_array_append_new(parts, json_pack("{s:i,s:I,s:I,s:I,s:I,s:i,s:i}", "partition", i, "log_start",
                                               (json_int_t)plog_log_start(l), "high_watermark",
                                               (json_int_t)plog_high_watermark(l), "log_end",
                                               (json_int_t)plog_log_end(l), "size_bytes",
                                               (json_int_t)plog_size_bytes(l), "segments", plog_segment_count(l),
                                               "leader", b->node_id));
    }
    json_object_set_new(o, "partition_list", parts);
    struct config_entry e[T__COUNT];
    int n = topic_config_entries(b, &t->config, e);
    json_t *cfgs = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(cfgs, json_pack("{s:s,s:s?,s:b}", "name", e[i].name, "value", e[i].value,
                                              "is_default", e[i].source != SRC_DYNAMIC_TOPIC));
    json_object_set_new(o, "configs", cfgs);
    reply(j, 200, o);
}

static void create_topic(struct broker *b, struct http_job *j)
{
    json_error_t jerr;
    json_t *in = json_loadb(j->body, j->body_len, 0, &jerr);
    const char *name = in ? json_string_value(json_object_get(in, "name")) : NULL;
    if (!name) {
        json_decref(in);
        fail(j, 400, "expected {\"name\": ..., \"partitions\": N, \"configs\": {...}}");
        return;
    }
    json_t *jp = json_object_get(in, "partitions");
    int64_t partitions = json_is_integer(jp) ? json_integer_value(jp) : config_int(&b->cfg, P_NUM_PARTITIONS);
    if (partitions < 1 || partitions > 100000) {
        json_decref(in);
        fail(j, 400, "partitions must be 1..100000");
        return;
    }
    struct topic_config tc = {0};
    json_t *cfgs = json_object_get(in, "configs");
    const char *key;
    json_t *val;
    char e[300] = "";
    if (json_is_object(cfgs))
        json_object_foreach(cfgs, key, val)
        {
            const char *v = json_string_value(val);
            if (!v || !topic_config_set(&tc, key, v, e, sizeof(e))) {
                if (!e[0])
                    snprintf(e, sizeof(e), "config %s: expected a string value", key);
                topic_config_free(&tc);
                json_decref(in);
                fail(j, 400, "%s", e);
                return;
            }
        }
    struct topic *t = NULL;
    int err = topic_create(b, name, (int32_t)partitions, &tc, false, &t, e, sizeof(e));
    topic_config_free(&tc);
    if (err) {
        fail(j, err == KERR_TOPIC_ALREADY_EXISTS ? 409 : 400, "%s", e[0] ? e : kafka_error_name((int16_t)err));
    } else {
        reply(j, 201, topic_summary(t));
    }
    json_decref(in);
}

static void delete_topic(struct broker *b, struct http_job *j, struct topic *t)
{
    if (!config_bool(&b->cfg, P_DELETE_TOPIC_ENABLE)) {
        fail(j, 403, "delete.topic.enable is false");
        return;
    }
    char *name = xstrdup(t->name);
    int err = topic_delete(b, t);
    if (err)
        fail(j, 500, "%s", kafka_error_name((int16_t)err));
    else
        reply(j, 200, json_pack("{s:s}", "deleted", name));
    free(name);
}

/* ---- messages ---- */

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

static void get_messages(struct broker *b, struct http_job *j, struct topic *t)
{
    int64_t part = arg_int(j, "partition", 0);
    if (part < 0 || part >= t->partition_count) {
        fail(j, 404, "no partition %lld", (long long)part);
        return;
    }
    struct plog *l = t->partitions[part]->log;
    const char *text = http_job_arg(j, "q");
    struct browse_query q = {.partition = (int32_t)part,
                             .from = arg_int(j, "offset", -1),
                             .before = arg_int(j, "before", -1),
                             .limit = (int)clamp64(arg_int(j, "limit", 50), 1, MSG_LIMIT_MAX),
                             .q = text && text[0] ? text : NULL,
                             .max_records =
                                 clamp64(arg_int(j, "max_records", MSG_SCAN_RECORDS), 1, MSG_SCAN_RECORDS_MAX),
                             .max_bytes = clamp64(arg_int(j, "max_bytes", MSG_SCAN_BYTES), 1, MSG_SCAN_BYTES_MAX)};
    int64_t ts = arg_int(j, "timestamp", -1);
    if (ts >= 0) {
        int64_t off = -1, found = -1;
        q.from = plog_offset_for_timestamp(l, ts, &off, &found) == 0 && off >= 0 ? off : plog_high_watermark(l);
    }
    struct browse_result r;
    int err = browse_partition(b->validator, l, &q, &r);
    if (err) {
        json_decref(r.messages);
        fail(j, 500, "cannot read the partition: %s", kafka_error_name((int16_t)err));
        return;
    }
    int64_t start = plog_log_start(l);
    json_t *searched = json_pack("{s:I,s:I,s:I,s:I}", "from", (json_int_t)r.searched_from, "to",
                                 (json_int_t)r.searched_to, "records", (json_int_t)r.records, "bytes",
                                 (json_int_t)r.bytes);
    /* next_offset goes on forward; earlier (a `before`) goes on back. */
    reply(j, 200, json_pack("{s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o}", "topic", t->name, "partition", (json_int_t)part,
                            "log_start", (json_int_t)start, "high_watermark", (json_int_t)plog_high_watermark(l),
                            "next_offset", (json_int_t)r.searched_to, "searched", searched, "earlier",
                            r.searched_from > start ? json_integer(r.searched_from) : json_null(), "messages",
                            r.messages));
}

/* A test message waiting, as Produce acks=all does, until the flusher
 * has made it durable (the high watermark passed it). */
struct durable_wait {
    struct ack_waiter w;
    struct broker *b;
    struct http_job *j;
    char *topic;
    int32_t partition;
    int64_t offset;
};

static void produced_reply(struct http_job *j, const char *topic, int32_t partition, int64_t offset)
{
    reply(j, 201, json_pack("{s:s,s:I,s:I}", "topic", topic, "partition", (json_int_t)partition, "offset",
                            (json_int_t)offset));
}

static void durable_wait_free(struct durable_wait *dw)
{
    free(dw->topic);
    free(dw);
}

static void on_message_durable(struct ack_waiter *w, int16_t error)
{
    struct durable_wait *dw = w->owner;
    w->partition = NULL;
    if (error == KERR_UNKNOWN_TOPIC_OR_PARTITION)
        fail(dw->j, 404, "topic %s was deleted before the message was synced", dw->topic);
    else if (error)
        fail(dw->j, 500, "written at offset %lld but not synced: %s", (long long)dw->offset, kafka_error_name(error));
    else
        produced_reply(dw->j, dw->topic, dw->partition, dw->offset);
    http_job_finish(dw->b, dw->j);
    durable_wait_free(dw);
}

static void message_wait_cancel(struct http_job *j)
{
    struct durable_wait *dw = j->async;
    if (dw->w.partition)
        partition_remove_ack_waiter(dw->w.partition, &dw->w);
    durable_wait_free(dw);
}

/* The message as a one-record, uncompressed batch. Returns 0 or -1. */
static int message_batch(json_t *in, struct bytebuf *out)
{
    json_t *jv = json_object_get(in, "value");
    char *value = json_is_string(jv) ? xstrdup(json_string_value(jv))
                  : jv && !json_is_null(jv) ? json_dumps(jv, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    const char *key = json_string_value(json_object_get(in, "key"));
    json_t *hs = json_object_get(in, "headers");
    size_t nh = json_is_object(hs) ? json_object_size(hs) : 0;
    struct record_header_view *h = xcalloc(nh + 1, sizeof(*h));
    const char *hk;
    json_t *hv;
    size_t i = 0;
    if (nh)
        json_object_foreach(hs, hk, hv)
        {
            const char *v = json_is_string(hv) ? json_string_value(hv) : "";
            h[i++] = (struct record_header_view){(const uint8_t *)hk, (int32_t)strlen(hk), (const uint8_t *)v,
                                                 (int32_t)strlen(v)};
        }
    struct batch_record rec = {.timestamp = now_ms(),
                               .key = (const uint8_t *)key, .key_len = key ? (int32_t)strlen(key) : -1,
                               .value = (const uint8_t *)value, .value_len = value ? (int32_t)strlen(value) : -1,
                               .header_count = (int32_t)nh, .headers = h};
    int rc = batch_build(out, NULL, &rec, 1);
    free(h);
    free(value);
    return rc;
}

static void produce_message(struct broker *b, struct http_job *j, struct topic *t)
{
    json_t *in = json_loadb(j->body, j->body_len, 0, NULL);
    if (!json_is_object(in)) {
        json_decref(in);
        fail(j, 400, "expected {\"partition\": N, \"key\": ..., \"value\": ..., \"headers\": {...}}");
        return;
    }
    json_t *jp = json_object_get(in, "partition");
    int64_t part = json_is_integer(jp) ? json_integer_value(jp) : 0;
    if (part < 0 || part >= t->partition_count) {
        json_decref(in);
        fail(j, 404, "no partition %lld", (long long)part);
        return;
    }
    struct bytebuf batch = {0};
    int err = message_batch(in, &batch) ? KERR_CORRUPT_MESSAGE : 0;
    json_decref(in);

    struct partition *p = t->partitions[part];
    struct batch_info bi;
    char why[200] = "";
    if (!err)
        err = batch_validate(b->validator, batch.p, batch.len, true, &bi, why, sizeof(why));
    /* Answered once durable, the rule of acks=all: the flusher's round
     * moves the high watermark past it and calls on_message_durable. */
    struct durable_wait *dw = xcalloc(1, sizeof(*dw));
    dw->w.done = on_message_durable;
    dw->w.owner = dw;
    struct partition_appended a;
    if (!err)
        err = partition_append(b, p, batch.p, batch.len, 1, NULL, &dw->w, &a);
    bytebuf_free(&batch);
    if (err) {
        fail(j, 500, "%s", why[0] ? why : kafka_error_name((int16_t)err));
        free(dw);
        return;
    }
    dw->b = b;
    dw->j = j;
    dw->topic = xstrdup(t->name);
    dw->partition = (int32_t)part;
    dw->offset = a.base_offset;
    http_job_park(b, j, message_wait_cancel, dw);
}

/* ---- groups ---- */

static int64_t lag_of(struct broker *b, const struct committed_offset *co, int64_t *hw)
{
    struct topic *t = topic_find(b, kstr_c(co->topic));
    *hw = -1;
    if (!t || co->partition < 0 || co->partition >= t->partition_count)
        return 0;
    *hw = plog_high_watermark(t->partitions[co->partition]->log);
    return co->offset >= 0 && *hw > co->offset ? *hw - co->offset : 0;
}

static json_t *group_json(struct broker *b, struct cgroup *g, bool detail)
{
    int64_t lag_sum = 0;
    json_t *offsets = json_array();
    for (struct committed_offset *co = g->offsets; co; co = co->next) {
        int64_t hw;
        int64_t lag = lag_of(b, co, &hw);
        lag_sum += lag;
        if (detail)
            json_array_append_new(offsets, json_pack("{s:o,s:i,s:I,s:I,s:I}", "topic", json_text(co->topic),
                                                     "partition", co->partition, "offset", (json_int_t)co->offset,
                                                     "high_watermark", (json_int_t)hw, "lag", (json_int_t)lag));
    }
    json_t *o =
        json_pack("{s:o,s:s,s:i,s:I,s:o?,s:o?,s:i}", "group_id", json_text(g->id), "state", group_state_name(g->state),
                  "members", g->nmembers, "lag", (json_int_t)lag_sum, "protocol_type", json_text(g->protocol_type),
                  "protocol", json_text(g->protocol_name), "generation", g->generation);
    if (detail) {
        json_object_set_new(o, "offsets", offsets);
        json_t *ms = json_array();
        for (struct member *m = g->members; m; m = m->next)
            json_array_append_new(ms, json_pack("{s:o,s:o?,s:o?,s:o?}", "member_id", json_text(m->member_id),
                                                "client_id", json_text(m->client_id), "client_host",
                                                json_text(m->client_host), "instance_id", json_text(m->instance_id)));
        json_object_set_new(o, "member_list", ms);
    } else {
        json_decref(offsets);
    }
    return o;
}

/* ---- routing ---- */

void api_handle(struct broker *b, struct http_job *j)
{
    const char *p = j->path + 4;   /* after "/api" */
    bool get = strcmp(j->method, "GET") == 0, post = strcmp(j->method, "POST") == 0,
         del = strcmp(j->method, "DELETE") == 0;
    if (strcmp(p, "/cluster") == 0 && get) {
        get_cluster(b, j);
        return;
    }
    if (strcmp(p, "/history") == 0 && get) {
        j->status = 200;
        j->content_type = "application/json";
        http_history_json(b, &j->out);
        return;
    }
    if (strcmp(p, "/topics") == 0) {
        if (get) {
            json_t *a = json_array();
            topics_for_each(b, list_topic, a);
            reply(j, 200, a);
        } else if (post) {
            create_topic(b, j);
        } else {
            fail(j, 405, "GET or POST");
        }
        return;
    }
    if (strncmp(p, "/topics/", 8) == 0) {
        const char *name = p + 8, *slash = strchr(name, '/');
        struct kstr kn = {name, (int32_t)(slash ? (size_t)(slash - name) : strlen(name))};
        struct topic *t = topic_find(b, kn);
        if (!t) {
            fail(j, 404, "no topic %.*s", (int)kn.len, name);
        } else if (!slash) {
            if (get)
                get_topic(b, j, t);
            else if (del)
                delete_topic(b, j, t);
            else
                fail(j, 405, "GET or DELETE");
        } else if (strcmp(slash, "/messages") == 0) {
            if (get)
                get_messages(b, j, t);
            else if (post)
                produce_message(b, j, t);
            else
                fail(j, 405, "GET or POST");
        } else {
            fail(j, 404, "not found");
        }
        return;
    }
    if (strcmp(p, "/groups") == 0 && get) {
        json_t *a = json_array();
        for (struct cgroup *g = b->groups ? b->groups->groups : NULL; g; g = g->next)
            json_array_append_new(a, group_json(b, g, false));
        reply(j, 200, a);
        return;
    }
    if (strncmp(p, "/groups/", 8) == 0 && get) {
        struct cgroup *g = group_find(b, kstr_c(p + 8));
        if (g)
            reply(j, 200, group_json(b, g, true));
        else
            fail(j, 404, "no group %s", p + 8);
        return;
    }
    if ((strcmp(p, "/schemas") == 0 || strncmp(p, "/schemas/", 9) == 0) && get) {
        int status;
        json_t *body = schema_api_get(b, p + 8, &status);
        reply(j, status, body);
        return;
    }
    fail(j, 404, "not found");
}
