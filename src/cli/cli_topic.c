/* sluice topic: create, list, describe, delete and alter-config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "core/util.h"

/* IncrementalAlterConfigs arrived in librdkafka 2.2.0; older versions
 * only have AlterConfigs, which replaces a topic's whole configuration. */
#if RD_KAFKA_VERSION >= 0x020200ff
#define CLI_HAVE_INCREMENTAL_ALTER_CONFIGS 1
#else
#define CLI_HAVE_INCREMENTAL_ALTER_CONFIGS 0
#endif

static const char topic_help[] =
    "Usage: sluice topic create NAME [--partitions N] [--replication-factor N]\n"
    "                          [--config KEY=VALUE]... [--validate-only]\n"
    "       sluice topic list [--all]\n"
    "       sluice topic describe NAME [--json]\n"
    "       sluice topic configs NAME [--json]\n"
    "       sluice topic alter NAME --partitions N [--validate-only]\n"
    "       sluice topic delete NAME...\n"
    "       sluice topic alter-config NAME [--set KEY=VALUE]... [--delete KEY]...\n"
    "                          [--validate-only]\n"
    "\n"
    "Actions:\n"
    "  create        create topic NAME\n"
    "  list          print the topic names, one per line, sorted; internal\n"
    "                topics (names starting with \"__\") only with --all\n"
    "  describe      print the partitions (leader, replicas, in-sync\n"
    "                replicas, low and high watermark) and the topic's\n"
    "                configuration, each entry with where its value comes from\n"
    "  configs       print the topic's configuration as kafka-configs\n"
    "                --describe --all does: each entry's value, its source\n"
    "                and the synonyms it falls back to\n"
    "  alter         raise the topic's partition count to N (existing\n"
    "                records stay where they are; keyed records may now go\n"
    "                to other partitions)\n"
    "  delete        delete the named topics\n"
    "  alter-config  set or remove topic-level configuration entries; the\n"
    "                entries not named keep their values\n"
    "\n"
    "Options:\n"
    "  -P, --partitions N    (create) number of partitions (default 1;\n"
    "                        -1: the broker's default); (alter) the new total\n"
    "      --replication-factor N\n"
    "                        (create) copies of each partition (default 1;\n"
    "                        -1: the broker's default)\n"
    "      --config KEY=VALUE\n"
    "                        (create) topic configuration entry (repeatable)\n"
    "      --validate-only   (create, alter, alter-config) let the broker check the\n"
    "                        request without carrying it out\n"
    "      --all             (list) include internal topics\n"
    "      --json            (describe, configs) print one JSON object\n"
    "      --set KEY=VALUE   (alter-config) set KEY (repeatable)\n"
    "      --delete KEY      (alter-config) remove KEY, so the broker default\n"
    "                        applies again (repeatable)\n"
    "  -t, --timeout-ms N    how long to wait for the broker (default: 4000 to\n"
    "                        connect, 30000 for each request)\n"
    CLI_COMMON_HELP
    "\n"
    "Examples:\n"
    "  sluice topic create orders -P 3 --config retention.ms=86400000\n"
    "  sluice topic configs orders\n"
    "  sluice topic alter orders --partitions 6\n"
    "  sluice topic alter-config orders --set retention.ms=3600000\n"
    "\n"
    "Exit status: 0 success, 1 error (also when only part of describe's\n"
    "information could be fetched), 2 usage error.\n";

/* One bit per action-specific option, to reject options an action does
 * not take. */
enum {
    OPT_PARTITIONS = 256,
    OPT_REPLICATION,
    OPT_CONFIG,
    OPT_VALIDATE_ONLY,
    OPT_ALL,
    OPT_JSON,
    OPT_SET,
    OPT_DELETE,
    OPT_TIMEOUT_MS,
};
#define OPT_BIT(opt) (1u << ((opt) - OPT_PARTITIONS))

struct topic_opts {
    char **names;
    int nnames;
    int64_t partitions;
    int64_t replication;
    const char **configs;     /* --config KEY=VALUE */
    size_t nconfigs;
    const char **sets;        /* --set KEY=VALUE */
    size_t nsets;
    const char **deletes;     /* --delete KEY */
    size_t ndeletes;
    bool validate_only;
    bool all;
    bool json;
    int64_t timeout_ms;
    unsigned given;           /* OPT_BIT of every option used */
};

struct topic_run {
    struct cli_common common;
    char cmd[32];             /* "topic ACTION", the message prefix */
    struct topic_opts opts;
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue;  /* receives our admin results only */
};

struct topic_action {
    const char *name;
    unsigned options;         /* OPT_BITs allowed */
    int min_names;
    int max_names;            /* -1: any number */
    int (*run)(struct topic_run *t);
};

/* ---- admin request plumbing ---- */

static rd_kafka_AdminOptions_t *admin_options(struct topic_run *t,
                                              rd_kafka_admin_op_t op)
{
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(t->rk, op);
    int timeout = (int)t->opts.timeout_ms;
    char errstr[256];

    rd_kafka_AdminOptions_set_request_timeout(ao, timeout, errstr,
                                              sizeof(errstr));
    /* Wait for the broker to finish creating or deleting, so that the
     * topic is usable (or gone) when we report success. */
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS ||
        op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
        op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS)
        rd_kafka_AdminOptions_set_operation_timeout(ao, timeout, errstr,
                                                    sizeof(errstr));
    /* Only the requests that change something can be validated. */
    if (t->opts.validate_only && op != RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)
        rd_kafka_AdminOptions_set_validate_only(ao, 1, errstr, sizeof(errstr));
    return ao;
}

/* Waits for the result of the request just sent; NULL (reported) when the
 * request as a whole failed. */
static rd_kafka_event_t *wait_result(struct topic_run *t, const char *what)
{
    /* The request timeout bounds the wait; the margin is for librdkafka. */
    rd_kafka_event_t *ev =
        rd_kafka_queue_poll(t->queue, (int)t->opts.timeout_ms + 5000);

    if (!ev) {
        cli_error(&t->common, "%s: no answer from the broker", what);
        return NULL;
    }
    if (rd_kafka_event_error(ev)) {
        cli_error(&t->common, "%s: %s", what, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

static const char *topic_result_reason(const rd_kafka_topic_result_t *res)
{
    const char *s = rd_kafka_topic_result_error_string(res);

    return s && *s ? s : rd_kafka_err2str(rd_kafka_topic_result_error(res));
}

static const char *config_result_reason(const rd_kafka_ConfigResource_t *res)
{
    const char *s = rd_kafka_ConfigResource_error_string(res);

    return s && *s ? s : rd_kafka_err2str(rd_kafka_ConfigResource_error(res));
}

/* Reports each topic the request failed for; CLI_EXIT_ERROR if any. */
static int report_topic_errors(struct topic_run *t,
                               const rd_kafka_topic_result_t **res, size_t n,
                               const char *verb)
{
    int rc = CLI_EXIT_OK;

    for (size_t i = 0; i < n; i++) {
        if (rd_kafka_topic_result_error(res[i])) {
            cli_error(&t->common, "cannot %s topic '%s': %s", verb,
                      rd_kafka_topic_result_name(res[i]),
                      topic_result_reason(res[i]));
            rc = CLI_EXIT_ERROR;
        }
    }
    return rc;
}

/* ---- create ---- */

static rd_kafka_NewTopic_t *new_topic_spec(struct topic_run *t)
{
    const struct topic_opts *o = &t->opts;
    char errstr[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(o->names[0], (int)o->partitions,
                              (int)o->replication, errstr, sizeof(errstr));

    if (!nt) {
        cli_error(&t->common, "%s", errstr);
        return NULL;
    }
    for (size_t i = 0; i < o->nconfigs; i++) {
        const char *value = "";
        char *key = cli_split_kv(o->configs[i], &value);

        rd_kafka_NewTopic_set_config(nt, key, value);
        free(key);
    }
    return nt;
}

static void print_created(const struct topic_opts *o)
{
    char parts[32] = "broker default";

    if (o->partitions > 0)
        snprintf(parts, sizeof(parts), "%lld", (long long)o->partitions);
    printf("%s topic %s (%s partition%s)%s\n",
           o->validate_only ? "validated" : "created", o->names[0], parts,
           o->partitions == 1 ? "" : "s",
           o->validate_only ? "; not created (--validate-only)" : "");
}

static int run_create(struct topic_run *t)
{
    rd_kafka_NewTopic_t *nt = new_topic_spec(t);
    rd_kafka_AdminOptions_t *ao;
    rd_kafka_event_t *ev;
    const rd_kafka_topic_result_t **res;
    size_t n = 0;
    int rc;

    if (!nt)
        return CLI_EXIT_ERROR;
    ao = admin_options(t, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_CreateTopics(t->rk, &nt, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_NewTopic_destroy(nt);
    ev = wait_result(t, "cannot create topic");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_CreateTopics_result_topics(
        rd_kafka_event_CreateTopics_result(ev), &n);
    rc = report_topic_errors(t, res, n, "create");
    if (rc == CLI_EXIT_OK)
        print_created(&t->opts);
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- delete ---- */

static int run_delete(struct topic_run *t)
{
    int n = t->opts.nnames;
    rd_kafka_DeleteTopic_t **dts = xcalloc((size_t)n, sizeof(*dts));
    rd_kafka_AdminOptions_t *ao = admin_options(t, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_event_t *ev;
    const rd_kafka_topic_result_t **res;
    size_t nres = 0;
    int rc = CLI_EXIT_OK;

    for (int i = 0; i < n; i++)
        dts[i] = rd_kafka_DeleteTopic_new(t->opts.names[i]);
    rd_kafka_DeleteTopics(t->rk, dts, (size_t)n, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_DeleteTopic_destroy_array(dts, (size_t)n);
    free(dts);
    ev = wait_result(t, "cannot delete topics");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_DeleteTopics_result_topics(
        rd_kafka_event_DeleteTopics_result(ev), &nres);
    for (size_t i = 0; i < nres; i++) {
        const char *name = rd_kafka_topic_result_name(res[i]);

        if (rd_kafka_topic_result_error(res[i])) {
            cli_error(&t->common, "cannot delete topic '%s': %s", name,
                      topic_result_reason(res[i]));
            rc = CLI_EXIT_ERROR;
        } else {
            printf("deleted topic %s\n", name);
        }
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- alter: CreatePartitions ---- */

static int run_alter(struct topic_run *t)
{
    const struct topic_opts *o = &t->opts;
    char errstr[512];
    rd_kafka_NewPartitions_t *np =
        rd_kafka_NewPartitions_new(o->names[0], (size_t)o->partitions, errstr,
                                   sizeof(errstr));
    rd_kafka_AdminOptions_t *ao;
    rd_kafka_event_t *ev;
    const rd_kafka_topic_result_t **res;
    size_t n = 0;
    int rc;

    if (!np) {
        cli_error(&t->common, "%s", errstr);
        return CLI_EXIT_ERROR;
    }
    ao = admin_options(t, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
    rd_kafka_CreatePartitions(t->rk, &np, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_NewPartitions_destroy(np);
    ev = wait_result(t, "cannot add partitions");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_CreatePartitions_result_topics(
        rd_kafka_event_CreatePartitions_result(ev), &n);
    rc = report_topic_errors(t, res, n, "alter");
    if (rc == CLI_EXIT_OK)
        printf("%s topic %s: %lld partitions\n",
               o->validate_only ? "validated" : "altered", o->names[0],
               (long long)o->partitions);
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- list ---- */

static const rd_kafka_metadata_t *fetch_all_metadata(struct topic_run *t)
{
    return cli_all_metadata(&t->common, t->rk, (int)t->opts.timeout_ms);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int run_list(struct topic_run *t)
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

/* ---- describe ---- */

/* Fetches the configuration of topic NAME; NULL (reported) on failure.
 * The returned event owns the entries. */
static rd_kafka_event_t *describe_configs(struct topic_run *t,
                                          const char *name,
                                          const rd_kafka_ConfigResource_t **out)
{
    rd_kafka_ConfigResource_t *cr =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
    rd_kafka_AdminOptions_t *ao =
        admin_options(t, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    const rd_kafka_ConfigResource_t **res;
    rd_kafka_event_t *ev;
    size_t n = 0;

    rd_kafka_DescribeConfigs(t->rk, &cr, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_ConfigResource_destroy(cr);
    ev = wait_result(t, "cannot describe configs");
    if (!ev)
        return NULL;
    res = rd_kafka_DescribeConfigs_result_resources(
        rd_kafka_event_DescribeConfigs_result(ev), &n);
    if (n != 1 || rd_kafka_ConfigResource_error(res[0])) {
        cli_error(&t->common, "cannot describe configs of '%s': %s", name,
                  n == 1 ? config_result_reason(res[0]) : "no result");
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    *out = res[0];
    return ev;
}

/* What describe prints for one partition. */
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
static bool gather_partitions(struct topic_run *t,
                              const rd_kafka_metadata_topic_t *mt,
                              struct partition_info *parts)
{
    bool ok = true;

    for (int i = 0; i < mt->partition_cnt; i++)
        parts[i].md = &mt->partitions[i];
    qsort(parts, (size_t)mt->partition_cnt, sizeof(*parts), compare_partitions);
    for (int i = 0; i < mt->partition_cnt; i++) {
        struct partition_info *p = &parts[i];
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            t->rk, mt->topic, p->md->id, &p->low, &p->high,
            (int)t->opts.timeout_ms);

        p->have_watermarks = !err;
        if (err) {
            cli_error(&t->common, "cannot get watermarks of partition %d: %s",
                      (int)p->md->id, rd_kafka_err2str(err));
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
            printf(" low=%lld high=%lld", (long long)parts[i].low,
                   (long long)parts[i].high);
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

        printf("%s%s:%s=%s", i ? ", " : "",
               rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(syn[i])),
               rd_kafka_ConfigEntry_name(syn[i]), value ? value : "null");
    }
    putchar('}');
}

static void print_configs_text(const rd_kafka_ConfigResource_t *cr)
{
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries =
        rd_kafka_ConfigResource_configs(cr, &n);

    printf("configs:\n");
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_ConfigEntry_t *e = entries[i];
        const char *value = rd_kafka_ConfigEntry_value(e);

        printf("  %s", rd_kafka_ConfigEntry_name(e));
        if (value)
            printf("=%s", value);
        printf(" (%s", rd_kafka_ConfigSource_name(
                           rd_kafka_ConfigEntry_source(e)));
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

static json_t *json_optional_offset(bool have, int64_t offset)
{
    return have ? json_integer(offset) : json_null();
}

static json_t *json_partitions(const struct partition_info *parts, int n)
{
    json_t *arr = json_array();

    for (int i = 0; i < n; i++) {
        const rd_kafka_metadata_partition_t *p = parts[i].md;
        json_t *o = json_object();

        json_object_set_new(o, "partition", json_integer(p->id));
        json_object_set_new(o, "leader", json_integer(p->leader));
        json_object_set_new(o, "replicas",
                            json_broker_ids(p->replicas, p->replica_cnt));
        json_object_set_new(o, "isr", json_broker_ids(p->isrs, p->isr_cnt));
        json_object_set_new(o, "low_watermark",
                            json_optional_offset(parts[i].have_watermarks,
                                                 parts[i].low));
        json_object_set_new(o, "high_watermark",
                            json_optional_offset(parts[i].have_watermarks,
                                                 parts[i].high));
        if (p->err)
            json_object_set_new(o, "error",
                                json_string(rd_kafka_err2str(p->err)));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *json_synonyms(const rd_kafka_ConfigEntry_t *e)
{
    json_t *arr = json_array();
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **syn = rd_kafka_ConfigEntry_synonyms(e, &n);

    for (size_t i = 0; i < n; i++) {
        const char *value = rd_kafka_ConfigEntry_value(syn[i]);
        json_t *o = json_object();

        json_object_set_new(o, "name",
                            json_string(rd_kafka_ConfigEntry_name(syn[i])));
        json_object_set_new(o, "value",
                            value ? json_string(value) : json_null());
        json_object_set_new(o, "source",
                            json_string(rd_kafka_ConfigSource_name(
                                rd_kafka_ConfigEntry_source(syn[i]))));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *json_configs(const rd_kafka_ConfigResource_t *cr)
{
    json_t *arr = json_array();
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries =
        rd_kafka_ConfigResource_configs(cr, &n);

    for (size_t i = 0; i < n; i++) {
        const rd_kafka_ConfigEntry_t *e = entries[i];
        const char *value = rd_kafka_ConfigEntry_value(e);
        json_t *o = json_object();

        json_object_set_new(o, "name", json_string(rd_kafka_ConfigEntry_name(e)));
        json_object_set_new(o, "value", value ? json_string(value) : json_null());
        json_object_set_new(o, "source",
                            json_string(rd_kafka_ConfigSource_name(
                                rd_kafka_ConfigEntry_source(e))));
        json_object_set_new(o, "read_only",
                            json_boolean(rd_kafka_ConfigEntry_is_read_only(e)));
        json_object_set_new(o, "default",
                            json_boolean(rd_kafka_ConfigEntry_is_default(e)));
        json_object_set_new(o, "sensitive",
                            json_boolean(rd_kafka_ConfigEntry_is_sensitive(e)));
        json_object_set_new(o, "synonyms", json_synonyms(e));
        json_array_append_new(arr, o);
    }
    return arr;
}

static void print_describe_json(const char *name,
                                const struct partition_info *parts, int n,
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

static int run_describe(struct topic_run *t)
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
    ev = describe_configs(t, name, &cr);
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

static int run_configs(struct topic_run *t)
{
    const char *name = t->opts.names[0];
    const rd_kafka_ConfigResource_t *cr = NULL;
    rd_kafka_event_t *ev = describe_configs(t, name, &cr);

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

/* ---- alter-config ---- */

/* Whether a --set list (KEY=VALUE) names KEY. */
static bool sets_name(const char *const *sets, size_t n, const char *key)
{
    size_t len = strlen(key);

    for (size_t i = 0; i < n; i++)
        if (!strncmp(sets[i], key, len) && sets[i][len] == '=')
            return true;
    return false;
}

static int check_alter_result(struct topic_run *t, rd_kafka_event_t *ev,
                              const rd_kafka_ConfigResource_t **res, size_t n)
{
    const char *name = t->opts.names[0];
    int rc = CLI_EXIT_OK;

    if (n != 1 || rd_kafka_ConfigResource_error(res[0])) {
        cli_error(&t->common, "cannot alter config of '%s': %s", name,
                  n == 1 ? config_result_reason(res[0]) : "no result");
        rc = CLI_EXIT_ERROR;
    } else {
        printf("%s config of topic %s\n",
               t->opts.validate_only ? "validated new" : "altered", name);
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

#if CLI_HAVE_INCREMENTAL_ALTER_CONFIGS

/* Sends only the changes; the broker keeps every other entry. */
static int run_alter_config(struct topic_run *t)
{
    const struct topic_opts *o = &t->opts;
    rd_kafka_ConfigResource_t *cr =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, o->names[0]);
    rd_kafka_AdminOptions_t *ao;
    rd_kafka_event_t *ev;
    const rd_kafka_ConfigResource_t **res;
    size_t n = 0;

    for (size_t i = 0; i < o->nsets; i++) {
        const char *value = "";
        char *key = cli_split_kv(o->sets[i], &value);
        rd_kafka_error_t *err = rd_kafka_ConfigResource_add_incremental_config(
            cr, key, RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET, value);

        free(key);
        if (err) {
            cli_error(&t->common, "--set %s: %s", o->sets[i],
                      rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
            rd_kafka_ConfigResource_destroy(cr);
            return CLI_EXIT_ERROR;
        }
    }
    for (size_t i = 0; i < o->ndeletes; i++) {
        rd_kafka_error_t *err = rd_kafka_ConfigResource_add_incremental_config(
            cr, o->deletes[i], RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE, NULL);

        if (err) {
            cli_error(&t->common, "--delete %s: %s", o->deletes[i],
                      rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
            rd_kafka_ConfigResource_destroy(cr);
            return CLI_EXIT_ERROR;
        }
    }
    ao = admin_options(t, RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS);
    rd_kafka_IncrementalAlterConfigs(t->rk, &cr, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_ConfigResource_destroy(cr);
    ev = wait_result(t, "cannot alter config");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_IncrementalAlterConfigs_result_resources(
        rd_kafka_event_IncrementalAlterConfigs_result(ev), &n);
    return check_alter_result(t, ev, res, n);
}

#else /* !CLI_HAVE_INCREMENTAL_ALTER_CONFIGS */

/* The topic-level entries to send with AlterConfigs. */
struct config_set {
    char **names;
    char **values;
    size_t n;
};

static ssize_t config_set_find(const struct config_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name))
            return (ssize_t)i;
    return -1;
}

static void config_set_put(struct config_set *s, const char *name,
                           const char *value)
{
    ssize_t i = config_set_find(s, name);

    if (i < 0) {
        i = (ssize_t)s->n++;
        s->names[i] = xstrdup(name);
    } else {
        free(s->values[i]);
    }
    s->values[i] = xstrdup(value);
}

static bool config_set_remove(struct config_set *s, const char *name)
{
    ssize_t i = config_set_find(s, name);

    if (i < 0)
        return false;
    free(s->names[i]);
    free(s->values[i]);
    s->n--;
    s->names[i] = s->names[s->n];
    s->values[i] = s->values[s->n];
    return true;
}

static void config_set_free(struct config_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->names[i]);
        free(s->values[i]);
    }
    free(s->names);
    free(s->values);
}

/* Whether a --delete list names KEY. */
static bool deletes_name(const char *const *deletes, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(deletes[i], key))
            return true;
    return false;
}

/* An entry set on the topic itself. Brokers answering DescribeConfigs v0
 * give no source, only is_default: a non-default, writable entry of
 * unknown source is then taken to be a topic override too. */
static bool is_topic_override(const rd_kafka_ConfigEntry_t *e)
{
    rd_kafka_ConfigSource_t src = rd_kafka_ConfigEntry_source(e);

    if (src == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG)
        return true;
    return src == RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG &&
           !rd_kafka_ConfigEntry_is_default(e) &&
           !rd_kafka_ConfigEntry_is_read_only(e);
}

/* Copies the topic's current overrides, except those about to change. A
 * sensitive override has no readable value and could not be sent back,
 * so it makes the change impossible. */
static bool take_current_overrides(struct topic_run *t,
                                   const rd_kafka_ConfigResource_t *cr,
                                   struct config_set *s)
{
    const struct topic_opts *o = &t->opts;
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries =
        rd_kafka_ConfigResource_configs(cr, &n);

    s->names = xcalloc(n + o->nsets + 1, sizeof(*s->names));
    s->values = xcalloc(n + o->nsets + 1, sizeof(*s->values));
    for (size_t i = 0; i < n; i++) {
        const char *name = rd_kafka_ConfigEntry_name(entries[i]);
        const char *value = rd_kafka_ConfigEntry_value(entries[i]);

        if (!is_topic_override(entries[i]))
            continue;
        if (!value) {
            if (sets_name(o->sets, o->nsets, name) ||
                deletes_name(o->deletes, o->ndeletes, name))
                continue;
            cli_error(&t->common, "topic override '%s' has a hidden value that "
                      "AlterConfigs would lose; not altering", name);
            return false;
        }
        config_set_put(s, name, value);
    }
    return true;
}

/* Applies --delete, then --set. Deleting an entry the topic does not set
 * changes nothing, as with IncrementalAlterConfigs; it is only noted. */
static void apply_changes(struct topic_run *t, struct config_set *s)
{
    const struct topic_opts *o = &t->opts;

    for (size_t i = 0; i < o->ndeletes; i++)
        if (!config_set_remove(s, o->deletes[i]))
            cli_error(&t->common, "note: '%s' is not set on topic '%s'",
                      o->deletes[i], o->names[0]);
    for (size_t i = 0; i < o->nsets; i++) {
        const char *value = "";
        char *key = cli_split_kv(o->sets[i], &value);

        config_set_put(s, key, value);
        free(key);
    }
}

static int send_alter_configs(struct topic_run *t, const struct config_set *s)
{
    rd_kafka_ConfigResource_t *cr =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t->opts.names[0]);
    rd_kafka_AdminOptions_t *ao = admin_options(t, RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
    rd_kafka_event_t *ev;
    const rd_kafka_ConfigResource_t **res;
    size_t n = 0;

    for (size_t i = 0; i < s->n; i++)
        rd_kafka_ConfigResource_set_config(cr, s->names[i], s->values[i]);
    rd_kafka_AlterConfigs(t->rk, &cr, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_ConfigResource_destroy(cr);
    ev = wait_result(t, "cannot alter config");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_AlterConfigs_result_resources(
        rd_kafka_event_AlterConfigs_result(ev), &n);
    return check_alter_result(t, ev, res, n);
}

/* AlterConfigs replaces the topic's whole set of overrides, reverting any
 * entry not sent to its default. So: read the current overrides, apply the
 * changes, and send the complete result. Not atomic: a change made by
 * someone else between the read and the write is lost. */
static int run_alter_config(struct topic_run *t)
{
    const rd_kafka_ConfigResource_t *current = NULL;
    rd_kafka_event_t *ev = describe_configs(t, t->opts.names[0], &current);
    struct config_set s = {NULL, NULL, 0};
    int rc = CLI_EXIT_ERROR;

    if (!ev)
        return CLI_EXIT_ERROR;
    if (take_current_overrides(t, current, &s)) {
        apply_changes(t, &s);
        rc = send_alter_configs(t, &s);
    }
    config_set_free(&s);
    rd_kafka_event_destroy(ev);
    return rc;
}

#endif /* CLI_HAVE_INCREMENTAL_ALTER_CONFIGS */

/* ---- argument parsing and dispatch ---- */

static const struct topic_action topic_actions[] = {
    {"create",
     OPT_BIT(OPT_PARTITIONS) | OPT_BIT(OPT_REPLICATION) | OPT_BIT(OPT_CONFIG) |
         OPT_BIT(OPT_VALIDATE_ONLY),
     1, 1, run_create},
    {"list", OPT_BIT(OPT_ALL), 0, 0, run_list},
    {"describe", OPT_BIT(OPT_JSON), 1, 1, run_describe},
    {"configs", OPT_BIT(OPT_JSON), 1, 1, run_configs},
    {"alter", OPT_BIT(OPT_PARTITIONS) | OPT_BIT(OPT_VALIDATE_ONLY), 1, 1,
     run_alter},
    {"delete", 0, 1, -1, run_delete},
    {"alter-config",
     OPT_BIT(OPT_SET) | OPT_BIT(OPT_DELETE) | OPT_BIT(OPT_VALIDATE_ONLY), 1, 1,
     run_alter_config},
};

static const struct option topic_longopts[] = {
    CLI_COMMON_LONG_OPTS,
    {"partitions", required_argument, NULL, OPT_PARTITIONS},
    {"replication-factor", required_argument, NULL, OPT_REPLICATION},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"validate-only", no_argument, NULL, OPT_VALIDATE_ONLY},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {"set", required_argument, NULL, OPT_SET},
    {"delete", required_argument, NULL, OPT_DELETE},
    {"timeout-ms", required_argument, NULL, OPT_TIMEOUT_MS},
    {NULL, 0, NULL, 0},
};

/* The short forms, the same letters as in the other subcommands. */
static int short_option(int opt)
{
    switch (opt) {
    case 'P':
        return OPT_PARTITIONS;
    case 't':
        return OPT_TIMEOUT_MS;
    default:
        return opt;
    }
}

static bool needs_kv(struct cli_common *c, const char *opt, const char *arg)
{
    const char *eq = strchr(arg, '=');

    if (eq && eq != arg)
        return true;
    return cli_invalid(c, "%s expects KEY=VALUE, got '%s'", opt, arg);
}

/* Count limits: a partition count must fit the int librdkafka takes, and
 * -1 asks for the broker's default. */
static bool take_count(struct cli_common *c, const char *name,
                       const char *arg, int64_t *out)
{
    if (!cli_parse_int(c, name, arg, -1, INT32_MAX, out))
        return false;
    if (*out == 0)
        return cli_invalid(c, "%s cannot be 0", name);
    return true;
}

static bool take_topic_option(struct cli_common *c, void *opts, int opt,
                              const char *arg)
{
    struct topic_opts *o = opts;

    opt = short_option(opt);
    if (opt >= OPT_PARTITIONS && opt <= OPT_TIMEOUT_MS)
        o->given |= OPT_BIT(opt);
    switch (opt) {
    case OPT_PARTITIONS:
        return take_count(c, "--partitions", arg, &o->partitions);
    case OPT_REPLICATION:
        return take_count(c, "--replication-factor", arg, &o->replication);
    case OPT_CONFIG:
        if (!needs_kv(c, "--config", arg))
            return false;
        o->configs[o->nconfigs++] = arg;
        return true;
    case OPT_SET:
        if (!needs_kv(c, "--set", arg))
            return false;
        o->sets[o->nsets++] = arg;
        return true;
    case OPT_DELETE:
        if (!*arg || strchr(arg, '='))
            return cli_invalid(c, "--delete expects a KEY, got '%s'", arg);
        o->deletes[o->ndeletes++] = arg;
        return true;
    case OPT_VALIDATE_ONLY:
        o->validate_only = true;
        return true;
    case OPT_ALL:
        o->all = true;
        return true;
    case OPT_JSON:
        o->json = true;
        return true;
    case OPT_TIMEOUT_MS:
        if (!cli_parse_int(c, "--timeout-ms", arg, 1, INT32_MAX - 10000,
                           &o->timeout_ms))
            return false;
        c->connect_timeout_ms = o->timeout_ms;
        return true;
    default:
        return cli_invalid(c, "unexpected option");
    }
}

static const char *option_name(int opt)
{
    for (const struct option *lo = topic_longopts; lo->name; lo++)
        if (lo->val == opt)
            return lo->name;
    return "?";
}

static int check_alter_args(struct cli_common *c, const struct topic_opts *o)
{
    if (!o->nsets && !o->ndeletes)
        return cli_usage_error(c, "nothing to change: give --set or --delete");
    for (size_t i = 0; i < o->ndeletes; i++)
        if (sets_name(o->sets, o->nsets, o->deletes[i]))
            return cli_usage_error(c, "'%s' is both set and deleted",
                                   o->deletes[i]);
    return CLI_EXIT_OK;
}

/* Checks the options and names against what the action takes. */
static int check_topic_args(struct cli_common *c, const struct topic_action *a,
                            const struct topic_opts *o)
{
    unsigned extra = o->given & ~a->options & ~OPT_BIT(OPT_TIMEOUT_MS);

    for (int opt = OPT_PARTITIONS; extra; opt++)
        if (extra & OPT_BIT(opt))
            return cli_usage_error(c, "option --%s does not apply to %s",
                                   option_name(opt), a->name);
    if (o->nnames < a->min_names)
        return cli_usage_error(c, "missing topic NAME");
    if (a->max_names >= 0 && o->nnames > a->max_names)
        return cli_usage_error(c, "unexpected argument '%s'",
                               o->names[a->max_names]);
    if (a->run == run_alter_config)
        return check_alter_args(c, o);
    if (a->run == run_alter &&
        (!(o->given & OPT_BIT(OPT_PARTITIONS)) || o->partitions < 1))
        return cli_usage_error(c, "alter needs --partitions N, the new total");
    return CLI_EXIT_OK;
}

static const struct topic_action *find_action(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(topic_actions); i++)
        if (!strcmp(topic_actions[i].name, name))
            return &topic_actions[i];
    return NULL;
}

/* Options may come before or after the action; the first non-option
 * argument is the action and the rest are topic names. Returns
 * CLI_EXIT_OK with *action set, -1 after --help, or an exit status. */
static int parse_topic_args(struct topic_run *t, int argc, char **argv,
                            const struct topic_action **action)
{
    struct cli_common *c = &t->common;
    struct topic_opts *o = &t->opts;
    int rc;

    /* Name the action in messages about its options, when it comes first. */
    if (argc > 1 && find_action(argv[1])) {
        snprintf(t->cmd, sizeof(t->cmd), "topic %s", argv[1]);
        c->cmd = t->cmd;
    }
    rc = cli_parse_options(c, argc, argv, CLI_COMMON_SHORT_OPTS "P:t:",
                           topic_longopts, take_topic_option, o);
    if (rc)
        return rc;
    if (c->help) {
        fputs(topic_help, stdout);
        return -1;
    }
    if (optind >= argc)
        return cli_usage_error(c, "missing action: create, list, describe, "
                                  "configs, alter, delete or alter-config");
    *action = find_action(argv[optind]);
    if (!*action)
        return cli_usage_error(c, "unknown action '%s'", argv[optind]);
    snprintf(t->cmd, sizeof(t->cmd), "topic %s", (*action)->name);
    c->cmd = t->cmd;
    o->names = argv + optind + 1;
    o->nnames = argc - optind - 1;
    return check_topic_args(c, *action, o);
}

static int run_action(struct topic_run *t, const struct topic_action *a)
{
    rd_kafka_conf_t *conf = cli_conf_new(&t->common);
    int rc;

    if (!conf)
        return CLI_EXIT_ERROR;
    if (!cli_conf_apply_props(&t->common, conf)) {
        rd_kafka_conf_destroy(conf);
        return CLI_EXIT_USAGE;
    }
    /* Admin requests can be sent from any client type. */
    t->rk = cli_client_new(&t->common, RD_KAFKA_PRODUCER, conf);
    if (!t->rk)
        return CLI_EXIT_ERROR;
    t->queue = rd_kafka_queue_new(t->rk);
    rc = a->run(t);
    rd_kafka_queue_destroy(t->queue);
    rd_kafka_destroy(t->rk);
    return rc;
}

int cli_topic_main(int argc, char **argv)
{
    struct topic_run t;
    struct topic_opts *o = &t.opts;
    const struct topic_action *action = NULL;
    int rc;

    memset(&t, 0, sizeof(t));
    cli_common_init(&t.common, "topic", argc);
    o->partitions = 1;
    o->replication = 1;
    o->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    o->configs = xcalloc((size_t)argc + 1, sizeof(*o->configs));
    o->sets = xcalloc((size_t)argc + 1, sizeof(*o->sets));
    o->deletes = xcalloc((size_t)argc + 1, sizeof(*o->deletes));
    rc = parse_topic_args(&t, argc, argv, &action);
    if (rc == CLI_EXIT_OK && action)
        rc = run_action(&t, action);
    else if (rc < 0) /* --help */
        rc = CLI_EXIT_OK;
    free(o->configs);
    free(o->sets);
    free(o->deletes);
    cli_common_free(&t.common);
    return rc;
}
