/* The JSON admin API the console uses, on the loop thread (http.h):
 *   GET    /api/cluster                        identity, totals, listeners
 *   GET    /api/history                        the last minutes, sampled every 2 s
 *   GET    /api/topics                         topics with sizes and message counts
 *   POST   /api/topics                         {"name","partitions","configs":{}}
 *   GET    /api/topics/NAME                    partitions and configs
 *   DELETE /api/topics/NAME
 *   GET    /api/topics/NAME/messages?partition=&offset=|timestamp=&limit=&q=
 *   POST   /api/topics/NAME/messages           {"partition","key","value","headers":{}}, answered once fsynced
 *   GET    /api/groups                         state, members, lag sum
 *   GET    /api/groups/ID                      members and per-partition lag
 * Calls that change anything were checked by http.c (JSON content type,
 * Origin/Host of this listener). Errors are {"error": "..."}. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api/config_entries.h"
#include "broker/broker.h"
#include "broker/topics.h"
#include "core/fileref.h"
#include "core/slog.h"
#include "group/group.h"
#include "http/http.h"
#include "log/batch.h"
#include "protocol/gen/errors.h"

#define MSG_LIMIT_MAX 500
#define MSG_SCAN_MAX 20000   /* records looked at per request when filtering */

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

static void fail(struct http_job *j, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct http_job *j, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    reply(j, status, json_pack("{s:s}", "error", msg));
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
                          (json_int_t)tot.bytes, "connections", b->nconns, "groups", ngroups);
    json_object_set_new(o, "time_ms", json_integer(now_ms()));
    json_object_set_new(o, "records_in", json_integer((json_int_t)s->records_produced));
    json_object_set_new(o, "records_out", json_integer((json_int_t)s->records_fetched));
    json_object_set_new(o, "bytes_in", json_integer((json_int_t)s->bytes_in));
    json_object_set_new(o, "bytes_out", json_integer((json_int_t)s->bytes_out));
    uint64_t reqs = 0, errs = 0;
    for (int k = 0; k < STATS_MAX_API; k++) {
        reqs += s->requests[k];
        errs += s->request_errors[k];
    }
    json_object_set_new(o, "requests", json_integer((json_int_t)reqs));
    json_object_set_new(o, "request_errors", json_integer((json_int_t)errs));
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

static bool utf8_text(const uint8_t *p, int32_t n)
{
    for (int32_t i = 0; i < n;) {
        uint8_t c = p[i];
        int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return false;
        for (int k = 1; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

static json_t *hex(const uint8_t *p, int32_t n)
{
    char *s = xmalloc((size_t)n * 2 + 1);
    for (int32_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[2 * n] = 0;
    json_t *o = json_string(s);
    free(s);
    return o;
}

/* Sets NAME and NAME_format: null, json (parsed), text or hex. */
static void set_bytes(json_t *o, const char *name, const uint8_t *p, int32_t n, bool try_json)
{
    char fmt[64];
    snprintf(fmt, sizeof(fmt), "%s_format", name);
    if (n < 0 || !p) {
        json_object_set_new(o, name, json_null());
        json_object_set_new(o, fmt, json_string("null"));
        return;
    }
    if (utf8_text(p, n)) {
        json_t *parsed = try_json && n > 0 ? json_loadb((const char *)p, (size_t)n, JSON_DECODE_ANY, NULL) : NULL;
        if (parsed && (json_is_object(parsed) || json_is_array(parsed))) {
            json_object_set_new(o, name, parsed);
            json_object_set_new(o, fmt, json_string("json"));
            return;
        }
        json_decref(parsed);
        json_object_set_new(o, name, json_stringn((const char *)p, (size_t)n));
        json_object_set_new(o, fmt, json_string("text"));
        return;
    }
    json_object_set_new(o, name, hex(p, n));
    json_object_set_new(o, fmt, json_string("hex"));
}

static bool contains(const uint8_t *p, int32_t n, const char *q, size_t ql)
{
    if (!p || n < 0 || (size_t)n < ql)
        return false;
    return memmem(p, (size_t)n, q, ql) != NULL;
}

struct browse {
    json_t *out;
    int32_t partition;
    int64_t from, next;
    int limit, count, scanned;
    const char *q;
    size_t ql;
};

static int on_record(void *arg, const struct record_view *r)
{
    struct browse *br = arg;
    if (r->offset < br->from)
        return 0;
    br->next = r->offset + 1;
    br->scanned++;
    bool hit = !br->q || contains(r->key, r->key_len, br->q, br->ql) || contains(r->value, r->value_len, br->q, br->ql);
    if (hit) {
        json_t *m = json_pack("{s:i,s:I,s:I}", "partition", br->partition, "offset", (json_int_t)r->offset,
                              "timestamp", (json_int_t)r->timestamp);
        set_bytes(m, "key", r->key, r->key_len, false);
        set_bytes(m, "value", r->value, r->value_len, true);
        json_t *hs = json_array();
        const uint8_t *pos = r->headers, *end = r->headers + r->headers_len;
        struct record_header_view h;
        for (int32_t i = 0; i < r->header_count && record_next_header(&pos, end, &h) == 1; i++) {
            json_t *ho = json_object();
            set_bytes(ho, "key", h.key, h.key_len, false);
            set_bytes(ho, "value", h.value, h.value_len, false);
            json_array_append_new(hs, ho);
        }
        json_object_set_new(m, "headers", hs);
        json_array_append_new(br->out, m);
        br->count++;
    }
    return br->count >= br->limit || br->scanned >= MSG_SCAN_MAX;
}

static void get_messages(struct broker *b, struct http_job *j, struct topic *t)
{
    int64_t part = arg_int(j, "partition", 0);
    if (part < 0 || part >= t->partition_count) {
        fail(j, 404, "no partition %lld", (long long)part);
        return;
    }
    struct plog *l = t->partitions[part]->log;
    int64_t start = plog_log_start(l), hw = plog_high_watermark(l);
    int64_t from = arg_int(j, "offset", -1);
    int64_t ts = arg_int(j, "timestamp", -1);
    int64_t limit = arg_int(j, "limit", 50);
    limit = limit < 1 ? 1 : limit > MSG_LIMIT_MAX ? MSG_LIMIT_MAX : limit;
    if (ts >= 0) {
        int64_t off = -1, found = -1;
        from = plog_offset_for_timestamp(l, ts, &off, &found) == 0 && off >= 0 ? off : hw;
    } else if (from < 0) {
        from = hw - limit > start ? hw - limit : start;   /* the newest */
    }
    if (from < start)
        from = start;
    const char *q = http_job_arg(j, "q");
    struct browse br = {.out = json_array(), .partition = (int32_t)part, .from = from, .next = from,
                        .limit = (int)limit, .q = q && q[0] ? q : NULL, .ql = q ? strlen(q) : 0};
    int64_t off = from;
    uint8_t *buf = NULL;
    int err = 0;
    while (off < hw && br.count < br.limit && br.scanned < MSG_SCAN_MAX) {
        struct log_read rd;
        if (plog_read(l, off, 1 << 20, &rd) != 0 || rd.len <= 0)
            break;
        buf = xrealloc(buf, (size_t)rd.len);
        if (pread(rd.file->fd, buf, (size_t)rd.len, rd.pos) != rd.len)
            break;
        size_t pos = 0;
        int64_t next = off;
        while (pos + BATCH_HEADER_SIZE <= (size_t)rd.len) {
            struct batch_info bi;
            if (batch_parse_header(buf + pos, (size_t)rd.len - pos, &bi) != 0)
                break;
            size_t size = batch_total_size(&bi);
            if (pos + size > (size_t)rd.len || bi.base_offset >= hw)
                break;
            next = bi.base_offset + bi.last_offset_delta + 1;
            if (!(bi.attributes & BATCH_ATTR_CONTROL) && next > off) {
                err = batch_for_each_record(b->validator, buf + pos, size, on_record, &br);
                if (err || br.count >= br.limit || br.scanned >= MSG_SCAN_MAX)
                    break;
            }
            pos += size;
        }
        if (err || next <= off)
            break;
        off = next;
        if (br.count < br.limit && br.scanned < MSG_SCAN_MAX)
            br.next = off;
    }
    free(buf);
    if (err) {
        json_decref(br.out);
        fail(j, 500, "cannot decode the batch: %s", kafka_error_name((int16_t)err));
        return;
    }
    reply(j, 200, json_pack("{s:s,s:I,s:I,s:I,s:I,s:o}", "topic", t->name, "partition", (json_int_t)part,
                            "log_start", (json_int_t)start, "high_watermark", (json_int_t)hw, "next_offset",
                            (json_int_t)(br.next < hw ? br.next : hw), "messages", br.out));
}

/* A one-record, uncompressed batch (magic 2), for "produce a test message". */
static void put_varint(struct sbuf *s, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    uint8_t out[10];
    int n = 0;
    while (z >= 0x80) {
        out[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    out[n++] = (uint8_t)z;
    sbuf_add(s, (const char *)out, (size_t)n);
}

static void put_bytes(struct sbuf *s, const char *p)
{
    if (!p) {
        put_varint(s, -1);
        return;
    }
    put_varint(s, (int64_t)strlen(p));
    sbuf_add(s, p, strlen(p));
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
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
    json_t *jv = json_object_get(in, "value");
    char *value_text = json_is_string(jv) ? xstrdup(json_string_value(jv))
                       : jv && !json_is_null(jv) ? json_dumps(jv, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    const char *key = json_string_value(json_object_get(in, "key"));
    struct sbuf rec = {0}, body = {0};
    sbuf_add(&rec, "\0", 1);              /* attributes */
    put_varint(&rec, 0);                  /* timestamp delta */
    put_varint(&rec, 0);                  /* offset delta */
    put_bytes(&rec, key);
    put_bytes(&rec, value_text);
    json_t *hs = json_object_get(in, "headers");
    put_varint(&rec, json_is_object(hs) ? (int64_t)json_object_size(hs) : 0);
    const char *hk;
    json_t *hv;
    if (json_is_object(hs))
        json_object_foreach(hs, hk, hv)
        {
            put_bytes(&rec, hk);
            put_bytes(&rec, json_is_string(hv) ? json_string_value(hv) : "");
        }
    put_varint(&body, (int64_t)rec.len);
    sbuf_add(&body, rec.p, rec.len);
    size_t total = BATCH_HEADER_SIZE + body.len;
    uint8_t *batch = xcalloc(1, total);
    int64_t now = now_ms();
    put_be(batch + BATCH_OFF_LENGTH, (uint64_t)(total - BATCH_LOG_OVERHEAD), 4);
    put_be(batch + BATCH_OFF_LEADER_EPOCH, (uint64_t)-1, 4);
    batch[BATCH_OFF_MAGIC] = 2;
    put_be(batch + BATCH_OFF_BASE_TIMESTAMP, (uint64_t)now, 8);
    put_be(batch + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)now, 8);
    put_be(batch + BATCH_OFF_PRODUCER_ID, (uint64_t)-1, 8);
    put_be(batch + BATCH_OFF_PRODUCER_EPOCH, (uint64_t)-1, 2);
    put_be(batch + BATCH_OFF_BASE_SEQUENCE, (uint64_t)-1, 4);
    put_be(batch + BATCH_OFF_RECORDS_COUNT, 1, 4);
    memcpy(batch + BATCH_HEADER_SIZE, body.p, body.len);
    put_be(batch + BATCH_OFF_CRC, crc32c(0, batch + BATCH_OFF_ATTRIBUTES, total - BATCH_OFF_ATTRIBUTES), 4);
    free(rec.p);
    free(body.p);
    free(value_text);
    json_decref(in);

    struct partition *p = t->partitions[part];
    struct batch_info bi;
    char why[200] = "";
    int err = p->storage_error ? p->storage_error : 0;
    if (!err && (batch_parse_header(batch, total, &bi) != 0 ||
                 (err = batch_validate(b->validator, batch, total, true, &bi, why, sizeof(why))) != 0)) {
        if (!err)
            err = KERR_CORRUPT_MESSAGE;
    }
    int64_t base = -1, append_time = -1;
    if (!err)
        err = plog_append(p->log, batch, total, 1, &base, &append_time);
    free(batch);
    if (err) {
        fail(j, 500, "%s", why[0] ? why : kafka_error_name((int16_t)err));
        return;
    }
    b->stats.records_produced++;
    b->stats.records_produced_batches++;
    b->stats.produce_bytes += total;
    partition_append_done(b, p);
    /* Answered once durable, the rule of acks=all: the flusher's round
     * moves the high watermark past it and calls on_message_durable. */
    int64_t end = plog_log_end(p->log);
    if (plog_high_watermark(p->log) >= end) {
        produced_reply(j, t->name, (int32_t)part, base);
        return;
    }
    struct durable_wait *dw = xcalloc(1, sizeof(*dw));
    dw->b = b;
    dw->j = j;
    dw->topic = xstrdup(t->name);
    dw->partition = (int32_t)part;
    dw->offset = base;
    dw->w.end = end;
    dw->w.done = on_message_durable;
    dw->w.owner = dw;
    partition_add_ack_waiter(p, &dw->w);
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
            json_array_append_new(offsets, json_pack("{s:s,s:i,s:I,s:I,s:I}", "topic", co->topic, "partition",
                                                     co->partition, "offset", (json_int_t)co->offset,
                                                     "high_watermark", (json_int_t)hw, "lag", (json_int_t)lag));
    }
    json_t *o = json_pack("{s:s,s:s,s:i,s:I,s:s?,s:s?,s:i}", "group_id", g->id, "state", group_state_name(g->state),
                          "members", g->nmembers, "lag", (json_int_t)lag_sum, "protocol_type", g->protocol_type,
                          "protocol", g->protocol_name, "generation", g->generation);
    if (detail) {
        json_object_set_new(o, "offsets", offsets);
        json_t *ms = json_array();
        for (struct member *m = g->members; m; m = m->next)
            json_array_append_new(ms, json_pack("{s:s,s:s?,s:s?,s:s?}", "member_id", m->member_id, "client_id",
                                                m->client_id, "client_host", m->client_host, "instance_id",
                                                m->instance_id));
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
    fail(j, 404, "not found");
}
