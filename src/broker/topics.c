#include "broker/topics.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "broker/broker.h"
#include "broker/producers.h"
#include "core/slog.h"
#include "log/fileio.h"
#include "protocol/gen/errors.h"

/* Name -> topic, kept sorted for ordered listing and binary search. */
struct topic_map {
    struct topic **v;
    size_t n, cap;
};

static struct topic_map *map_of(struct broker *b)
{
    if (!b->topics)
        b->topics = xcalloc(1, sizeof(struct topic_map));
    return b->topics;
}

static int cmp_name(struct kstr a, const char *b)
{
    size_t bl = strlen(b), n = MIN((size_t)a.len, bl);
    int c = memcmp(a.p, b, n);
    return c ? c : ((size_t)a.len < bl ? -1 : (size_t)a.len > bl);
}

static size_t map_lower_bound(struct topic_map *m, struct kstr name)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cmp_name(name, m->v[mid]->name) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct topic *topic_find(struct broker *b, struct kstr name)
{
    if (name.len < 0)
        return NULL;
    struct topic_map *m = map_of(b);
    size_t i = map_lower_bound(m, name);
    return i < m->n && cmp_name(name, m->v[i]->name) == 0 ? m->v[i] : NULL;
}

struct topic *topic_find_id(struct broker *b, const struct kuuid *id)
{
    struct topic_map *m = map_of(b);
    for (size_t i = 0; i < m->n; i++)
        if (memcmp(m->v[i]->id.b, id->b, 16) == 0)
            return m->v[i];
    return NULL;
}

void topics_for_each(struct broker *b, void (*fn)(struct topic *t, void *arg), void *arg)
{
    struct topic_map *m = map_of(b);
    for (size_t i = 0; i < m->n; i++)
        fn(m->v[i], arg);
}

size_t topics_count(struct broker *b) { return map_of(b)->n; }

static void map_insert(struct topic_map *m, struct topic *t)
{
    size_t i = map_lower_bound(m, kstr_c(t->name));
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
    }
    memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
    m->v[i] = t;
    m->n++;
}

static void map_remove(struct topic_map *m, struct topic *t)
{
    size_t i = map_lower_bound(m, kstr_c(t->name));
    if (i < m->n && m->v[i] == t) {
        memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
        m->n--;
    }
}

bool topic_name_valid(struct kstr name, char *err, size_t errlen)
{
    if (name.len <= 0) {
        snprintf(err, errlen, "topic name is empty");
        return false;
    }
    if (name.len > TOPIC_NAME_MAX) {
        snprintf(err, errlen, "topic name is longer than %d characters", TOPIC_NAME_MAX);
        return false;
    }
    if ((name.len == 1 && name.p[0] == '.') || (name.len == 2 && name.p[0] == '.' && name.p[1] == '.')) {
        snprintf(err, errlen, "topic name cannot be '.' or '..'");
        return false;
    }
    for (int32_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-')) {
            snprintf(err, errlen, "topic name '%.*s' contains a character other than ASCII alphanumerics, '.', '_' and '-'",
                     (int)MIN(name.len, 64), name.p);
            return false;
        }
    }
    return true;
}

struct log_config topic_log_config(struct broker *b, const struct topic *t)
{
    const struct topic_config *tc = &t->config;
    struct log_config lc = {
        .segment_bytes = topic_config_int(tc, &b->cfg, T_SEGMENT_BYTES),
        .segment_ms = topic_config_int(tc, &b->cfg, T_SEGMENT_MS),
        .retention_ms = topic_config_int(tc, &b->cfg, T_RETENTION_MS),
        .retention_bytes = topic_config_int(tc, &b->cfg, T_RETENTION_BYTES),
        .index_interval_bytes = (int32_t)topic_config_int(tc, &b->cfg, T_INDEX_INTERVAL_BYTES),
        .log_append_time = topic_config_int(tc, &b->cfg, T_MESSAGE_TIMESTAMP_TYPE) == TIMESTAMP_LOG_APPEND_TIME,
    };
    return lc;
}

static void topic_free(struct topic *t)
{
    topic_config_free(&t->config);
    free(t->partitions);
    free(t->name);
    free(t);
}

int topic_create(struct broker *b, const char *name, int32_t partitions, const struct topic_config *cfg,
                 bool validate_only, struct topic **out, char *err, size_t errlen)
{
    if (!topic_name_valid(kstr_c(name), err, errlen))
        return KERR_INVALID_TOPIC_EXCEPTION;
    if (strcmp(name, "__consumer_offsets") == 0) {
        /* Its directory holds the group coordinator's offsets log. */
        snprintf(err, errlen, "Topic name '%s' is reserved for the group coordinator.", name);
        return KERR_INVALID_TOPIC_EXCEPTION;
    }
    if (topic_find(b, kstr_c(name))) {
        snprintf(err, errlen, "Topic '%s' already exists.", name);
        return KERR_TOPIC_ALREADY_EXISTS;
    }
    /* Kafka refuses names that collide once '.' and '_' are equated
     * (metric names would clash). */
    struct topic_map *m = map_of(b);
    for (size_t i = 0; i < m->n; i++) {
        const char *o = m->v[i]->name;
        if (strlen(o) != strlen(name))
            continue;
        bool same = true;
        for (size_t k = 0; name[k] && same; k++) {
            char x = name[k] == '.' ? '_' : name[k], y = o[k] == '.' ? '_' : o[k];
            same = x == y;
        }
        if (same) {
            snprintf(err, errlen, "Topic '%s' collides with existing topic: %s", name, o);
            return KERR_INVALID_TOPIC_EXCEPTION;
        }
    }
    if (partitions <= 0 || partitions > 100000) {
        snprintf(err, errlen, "Number of partitions %d must be between 1 and 100000 (a fixed limit per topic).",
                 partitions);
        return KERR_INVALID_PARTITIONS;
    }
    if (validate_only)
        return 0;
    struct topic *t = xcalloc(1, sizeof(*t));
    t->name = xstrdup(name);
    kuuid_random(&t->id);
    if (cfg)
        topic_config_copy(&t->config, cfg);
    t->internal = strncmp(name, "__", 2) == 0;
    t->partitions = xcalloc((size_t)partitions, sizeof(*t->partitions));
    for (int32_t i = 0; i < partitions; i++) {
        t->partitions[i] = partition_open(b, t, i, err, errlen);
        if (!t->partitions[i]) {
            for (int32_t k = 0; k < i; k++)
                partition_delete(b, t->partitions[k]);
            topic_free(t);
            return KERR_KAFKA_STORAGE_ERROR;
        }
        t->partition_count = i + 1;
    }
    map_insert(m, t);
    if (topics_save(b) != 0) {
        snprintf(err, errlen, "could not persist topic metadata");
        topic_delete(b, t);
        return KERR_KAFKA_STORAGE_ERROR;
    }
    log_info("topic", "topic created", "topic=%s partitions=%d", name, partitions);
    if (out)
        *out = t;
    return 0;
}

int topic_delete(struct broker *b, struct topic *t)
{
    map_remove(map_of(b), t);
    for (int32_t i = 0; i < t->partition_count; i++)
        partition_delete(b, t->partitions[i]);
    log_info("topic", "topic deleted", "topic=%s", t->name);
    b->hooks.topic_deleted(b, t->name);
    topic_free(t);
    return topics_save(b) == 0 ? 0 : KERR_KAFKA_STORAGE_ERROR;
}

int topic_add_partitions(struct broker *b, struct topic *t, int32_t new_count, bool validate_only, char *err,
                         size_t errlen)
{
    if (new_count <= t->partition_count) {
        snprintf(err, errlen, "Topic currently has %d partitions, which is higher than the requested %d.",
                 t->partition_count, new_count);
        if (new_count == t->partition_count)
            snprintf(err, errlen, "Topic already has %d partitions.", t->partition_count);
        return KERR_INVALID_PARTITIONS;
    }
    if (new_count > 100000) {
        snprintf(err, errlen, "Number of partitions %d is over the limit of 100000 (a fixed limit per topic).",
                 new_count);
        return KERR_INVALID_PARTITIONS;
    }
    if (validate_only)
        return 0;
    t->partitions = xrealloc(t->partitions, (size_t)new_count * sizeof(*t->partitions));
    for (int32_t i = t->partition_count; i < new_count; i++) {
        struct partition *p = partition_open(b, t, i, err, errlen);
        if (!p) {
            topics_save(b);
            return KERR_KAFKA_STORAGE_ERROR;
        }
        t->partitions[i] = p;
        t->partition_count = i + 1;
    }
    log_info("topic", "partitions added", "topic=%s partitions=%d", t->name, new_count);
    return topics_save(b) == 0 ? 0 : KERR_KAFKA_STORAGE_ERROR;
}

int topic_set_config(struct broker *b, struct topic *t, const struct topic_config *cfg)
{
    struct topic_config old = t->config;   /* cfg may point into it (IncrementalAlterConfigs) */
    topic_config_copy(&t->config, cfg);
    topic_config_free(&old);
    struct log_config lc = topic_log_config(b, t);
    for (int32_t i = 0; i < t->partition_count; i++)
        plog_set_config(t->partitions[i]->log, &lc);
    return topics_save(b) == 0 ? 0 : KERR_KAFKA_STORAGE_ERROR;
}

void topics_reconfigure(struct broker *b)
{
    struct topic_map *m = map_of(b);
    for (size_t i = 0; i < m->n; i++) {
        struct log_config lc = topic_log_config(b, m->v[i]);
        for (int32_t k = 0; k < m->v[i]->partition_count; k++)
            plog_set_config(m->v[i]->partitions[k]->log, &lc);
    }
}

/* ---- persistence ---- */

static int save_json(struct broker *b, const char *file, json_t *doc)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", b->data_dir, file);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);
    if (!text)
        return -1;
    int rc = fileio_write_atomic(path, text, strlen(text));
    if (rc != 0)
        log_error("topic", "cannot write metadata", "file=%s error=\"%s\"", path, strerror(errno));
    free(text);
    return rc;
}

int topics_save(struct broker *b)
{
    json_t *arr = json_array();
    struct topic_map *m = map_of(b);
    for (size_t i = 0; i < m->n; i++) {
        struct topic *t = m->v[i];
        char id[23];
        kuuid_to_b64(&t->id, id);
        json_t *cfg = json_object();
        for (int k = 0; k < T__COUNT; k++)
            if (t->config.value[k].text)
                json_object_set_new(cfg, topic_prop_defs[k].name, json_string(t->config.value[k].text));
        json_t *leader_epochs = json_array();
        for (int32_t k = 0; k < t->partition_count; k++)
            json_array_append_new(leader_epochs, json_integer(plog_leader_epoch(t->partitions[k]->log)));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:o, s:o}", "name", t->name, "id", id,
                                             "partitions", (int)t->partition_count, "configs", cfg,
                                             "leader_epochs", leader_epochs));
    }
    return save_json(b, "topics.json", json_pack("{s:i, s:o}", "version", 1, "topics", arr));
}

static json_t *load_json(struct broker *b, const char *file, char *err, size_t errlen, bool *missing)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", b->data_dir, file);
    *missing = false;
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT) {
        *missing = true;
        return NULL;
    }
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc)
        snprintf(err, errlen, "cannot read %s: %s (line %d)", path, je.text, je.line);
    return doc;
}

int topics_load(struct broker *b, char *err, size_t errlen)
{
    bool missing;
    json_t *doc = load_json(b, "topics.json", err, errlen, &missing);
    if (missing)
        return 0;
    if (!doc)
        return -1;
    json_t *arr = json_object_get(doc, "topics"), *item;
    size_t idx;
    int rc = 0;
    json_array_foreach(arr, idx, item) {
        const char *name = json_string_value(json_object_get(item, "name"));
        const char *id = json_string_value(json_object_get(item, "id"));
        json_int_t parts = json_integer_value(json_object_get(item, "partitions"));
        if (!name || !id || parts <= 0) {
            snprintf(err, errlen, "topics.json: entry %zu is incomplete", idx);
            rc = -1;
            break;
        }
        struct topic *t = xcalloc(1, sizeof(*t));
        t->name = xstrdup(name);
        t->internal = strncmp(name, "__", 2) == 0;
        if (!kuuid_from_b64(id, &t->id))
            kuuid_random(&t->id);
        const char *key;
        json_t *val;
        json_object_foreach(json_object_get(item, "configs"), key, val) {
            char e2[300] = "";
            if (!json_is_string(val) || !topic_config_set(&t->config, key, json_string_value(val), e2, sizeof(e2)))
                log_warn("topic", "ignoring stored topic config", "topic=%s name=%s error=\"%s\"", name, key, e2);
        }
        t->partitions = xcalloc((size_t)parts, sizeof(*t->partitions));
        json_t *epochs = json_object_get(item, "leader_epochs");
        for (int32_t i = 0; i < parts; i++) {
            struct partition *p = partition_open(b, t, i, err, errlen);
            if (!p) {
                rc = -1;
                break;
            }
            json_t *e = json_array_get(epochs, (size_t)i);
            if (e && json_integer_value(e) > plog_leader_epoch(p->log))
                plog_set_leader_epoch(p->log, (int32_t)json_integer_value(e));
            t->partitions[i] = p;
            t->partition_count = i + 1;
        }
        map_insert(map_of(b), t);
        if (rc)
            break;
    }
    json_decref(doc);
    return rc;
}

void topics_close_all(struct broker *b)
{
    struct topic_map *m = map_of(b);
    topics_save(b);
    for (size_t i = 0; i < m->n; i++) {
        struct topic *t = m->v[i];
        for (int32_t k = 0; k < t->partition_count; k++)
            partition_close(b, t->partitions[k]);
        topic_free(t);
    }
    free(m->v);
    free(m);
    b->topics = NULL;
}

void topics_housekeep(struct broker *b, int64_t now)
{
    producers_expire(b, now);
    struct topic_map *m = map_of(b);
    for (size_t i = 0; i < m->n; i++)
        for (int32_t k = 0; k < m->v[i]->partition_count; k++)
            plog_housekeep(m->v[i]->partitions[k]->log, now);
}
