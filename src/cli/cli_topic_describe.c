/* sluice topic list, describe and configs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_topic.h"
#include "core/util.h"

/* ---- list ---- */

static const rd_kafka_metadata_t *fetch_all_metadata(struct topic_run *t)
{
    return cli_all_metadata(&t->common, t->rk, (int)t->opts.timeout_ms);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int cli_topic_list(struct topic_run *t)
{
    const rd_kafka_metadata_t *md = fetch_all_metadata(t);
    const char **names;
    size_t n = 0;

    if (!md)
        return CLI_EXIT_ERROR;
    names = xcalloc((size_t)md->topic_cnt + 1, sizeof(*names));
    for (int i = 0; i < md->topic_cnt; i++) {
        const char *name = md->topics[i].topic;

        if (t->opts.all || strncmp(name, "__", 2) != 0)
            names[n++] = name;
    }
    qsort(names, n, sizeof(*names), compare_names);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", names[i]);
    free(names);
    rd_kafka_metadata_destroy(md);
    return CLI_EXIT_OK;
}

struct partition_info {
    const rd_kafka_metadata_partition_t *md;
    int64_t low;
    int64_t high;
    bool have_watermarks;
};

static int compare_partitions(const void *a, const void *b)
{
    const struct partition_info *x = a, *y = b;

    return (x->md->id > y->md->id) - (x->md->id < y->md->id);
}

/* Metadata lists partitions in no promised order: sort them, and fetch
 * the watermarks. False if any watermark could not be fetched. */
static bool gather_partitions(struct topic_run *t, const rd_kafka_metadata_topic_t *mt, struct partition_info *parts)
{
    bool ok = true;

    for (int i = 0; i < mt->partition_cnt; i++)
        parts[i].md = &mt->partitions[i];
    qsort(parts, (size_t)mt->partition_cnt, sizeof(*parts), compare_partitions);
    for (int i = 0; i < mt->partition_cnt; i++) {
        struct partition_info *p = &parts[i];
        rd_kafka_resp_err_t err =
            rd_kafka_query_watermark_offsets(t->rk, mt->topic, p->md->id, &p->low, &p->high, (int)t->opts.timeout_ms);

        p->have_watermarks = !err;
        if (err) {
            cli_error(&t->common, "cannot get watermarks of partition %d: %s", (int)p->md->id, rd_kafka_err2str(err));
            ok = false;
        }
    }
    return ok;
}

static void print_broker_ids(const char *label, const int32_t *ids, int n)
{
    printf(" %s=", label);
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", (int)ids[i]);
}

static void print_partitions_text(const struct partition_info *parts, int n)
{
    printf("partitions: %d\n", n);
    for (int i = 0; i < n; i++) {
        const rd_kafka_metadata_partition_t *p = parts[i].md;

        printf("  partition=%d leader=%d", (int)p->id, (int)p->leader);
        print_broker_ids("replicas", p->replicas, p->replica_cnt);
        print_broker_ids("isr", p->isrs, p->isr_cnt);
        if (parts[i].have_watermarks)
            printf(" low=%lld high=%lld", (long long)parts[i].low, (long long)parts[i].high);
        if (p->err)
            printf(" error=\"%s\"", rd_kafka_err2str(p->err));
        putchar('\n');
    }
}

/* The values an entry falls back to, most specific first, as
 * kafka-configs prints them: synonyms={SOURCE:name=value, ...}. The
 * first is the entry's own value. */
static void print_synonyms_text(const rd_kafka_ConfigEntry_t *e)
{
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **syn = rd_kafka_ConfigEntry_synonyms(e, &n);

    if (!n)
        return;
    printf(" synonyms={");
    for (size_t i = 0; i < n; i++) {
        const char *value = rd_kafka_ConfigEntry_value(syn[i]);

        printf("%s%s:%s=%s", i ? ", " : "", rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(syn[i])),
               rd_kafka_ConfigEntry_name(syn[i]), value ? value : "null");
    }
    putchar('}');
}

static void print_configs_text(const rd_kafka_ConfigResource_t *cr)
{
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(cr, &n);

    printf("configs:\n");
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_ConfigEntry_t *e = entries[i];
        const char *value = rd_kafka_ConfigEntry_value(e);

        printf("  %s", rd_kafka_ConfigEntry_name(e));
        if (value)
            printf("=%s", value);
        printf(" (%s", rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(e)));
        if (rd_kafka_ConfigEntry_is_sensitive(e))
            printf(", sensitive");
        else if (!value)
            printf(", no value");
        if (rd_kafka_ConfigEntry_is_read_only(e))
            printf(", read-only");
        putchar(')');
        print_synonyms_text(e);
        putchar('\n');
    }
}

static json_t *json_broker_ids(const int32_t *ids, int n)
{
    json_t *arr = json_array();

    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

static json_t *json_optional_offset(bool have, int64_t offset) { return have ? json_integer(offset) : json_null(); }

static json_t *json_partitions(const struct partition_info *parts, int n)
{
    json_t *arr = json_array();

    for (int i = 0; i < n; i++) {
        const rd_kafka_metadata_partition_t *p = parts[i].md;
        json_t *o = json_object();

        json_object_set_new(o, "partition", json_integer(p->id));
        json_object_set_new(o, "leader", json_integer(p->leader));
        json_object_set_new(o, "replicas", json_broker_ids(p->replicas, p->replica_cnt));
        json_object_set_new(o, "isr", json_broker_ids(p->isrs, p->isr_cnt));
        json_object_set_new(o, "low_watermark", json_optional_offset(parts[i].have_watermarks, parts[i].low));
        json_object_set_new(o, "high_watermark", json_optional_offset(parts[i].have_watermarks, parts[i].high));
        if (p->err)
            json_object_set_new(o, "error", json_string(rd_kafka_err2str(p->err)));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* name, value and source: what a config entry and each of its synonyms have. */
static json_t *json_config_entry(const rd_kafka_ConfigEntry_t *e)
{
    const char *value = rd_kafka_ConfigEntry_value(e);
    json_t *o = json_object();

    json_object_set_new(o, "name", json_string(rd_kafka_ConfigEntry_name(e)));
    json_object_set_new(o, "value", value ? json_string(value) : json_null());
    json_object_set_new(o, "source", json_string(rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(e))));
    return o;
}

static json_t *json_synonyms(const rd_kafka_ConfigEntry_t *e)
{
    json_t *arr = json_array();
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **syn = rd_kafka_ConfigEntry_synonyms(e, &n);

    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_config_entry(syn[i]));
    return arr;
}

static json_t *json_configs(const rd_kafka_ConfigResource_t *cr)
{
    json_t *arr = json_array();
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(cr, &n);

    for (size_t i = 0; i < n; i++) {
        const rd_kafka_ConfigEntry_t *e = entries[i];
        json_t *o = json_config_entry(e);

        json_object_set_new(o, "read_only", json_boolean(rd_kafka_ConfigEntry_is_read_only(e)));
        json_object_set_new(o, "default", json_boolean(rd_kafka_ConfigEntry_is_default(e)));
        json_object_set_new(o, "sensitive", json_boolean(rd_kafka_ConfigEntry_is_sensitive(e)));
        json_object_set_new(o, "synonyms", json_synonyms(e));
        json_array_append_new(arr, o);
    }
    return arr;
}

static void print_describe_json(const char *name, const struct partition_info *parts, int n,
                                const rd_kafka_ConfigResource_t *cr)
{
    json_t *o = json_object();

    json_object_set_new(o, "topic", json_string(name));
    json_object_set_new(o, "partitions", json_partitions(parts, n));
    json_object_set_new(o, "configs", cr ? json_configs(cr) : json_null());
    json_dumpf(o, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(o);
}

int cli_topic_describe(struct topic_run *t)
{
    const char *name = t->opts.names[0];
    const rd_kafka_metadata_t *md = fetch_all_metadata(t);
    const rd_kafka_metadata_topic_t *mt;
    struct partition_info *parts;
    const rd_kafka_ConfigResource_t *cr = NULL;
    rd_kafka_event_t *ev;
    bool ok;

    if (!md)
        return CLI_EXIT_ERROR;
    mt = cli_find_topic(md, name);
    if (!mt) {
        cli_error(&t->common, "topic '%s' does not exist", name);
        rd_kafka_metadata_destroy(md);
        return CLI_EXIT_ERROR;
    }
    parts = xcalloc((size_t)mt->partition_cnt + 1, sizeof(*parts));
    ok = gather_partitions(t, mt, parts);
    ev = cli_topic_describe_configs(t, name, &cr);
    if (t->opts.json) {
        print_describe_json(name, parts, mt->partition_cnt, cr);
    } else {
        printf("topic: %s\n", name);
        print_partitions_text(parts, mt->partition_cnt);
        if (cr)
            print_configs_text(cr);
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    free(parts);
    rd_kafka_metadata_destroy(md);
    return ok && cr ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

/* ---- configs ---- */

int cli_topic_configs(struct topic_run *t)
{
    const char *name = t->opts.names[0];
    const rd_kafka_ConfigResource_t *cr = NULL;
    rd_kafka_event_t *ev = cli_topic_describe_configs(t, name, &cr);

    if (!ev)
        return CLI_EXIT_ERROR;
    if (t->opts.json) {
        json_t *o = json_object();

        json_object_set_new(o, "topic", json_string(name));
        json_object_set_new(o, "configs", json_configs(cr));
        json_dumpf(o, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(o);
    } else {
        printf("topic: %s\n", name);
        print_configs_text(cr);
    }
    rd_kafka_event_destroy(ev);
    return CLI_EXIT_OK;
}
