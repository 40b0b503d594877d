/* sluice topic create, delete and alter (more partitions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_topic.h"
#include "core/util.h"

/* ---- create ---- */

static rd_kafka_NewTopic_t *new_topic_spec(struct topic_run *t)
{
    const struct topic_opts *o = &t->opts;
    char errstr[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(o->names[0], (int)o->partitions, (int)o->replication, errstr, sizeof(errstr));

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
    printf("%s topic %s (%s partition%s)%s\n", o->validate_only ? "validated" : "created", o->names[0], parts,
           o->partitions == 1 ? "" : "s", o->validate_only ? "; not created (--validate-only)" : "");
}

int cli_topic_create(struct topic_run *t)
{
    rd_kafka_NewTopic_t *nt = new_topic_spec(t);
    rd_kafka_AdminOptions_t *ao;
    rd_kafka_event_t *ev;
    const rd_kafka_topic_result_t **res;
    size_t n = 0;
    int rc;

    if (!nt)
        return CLI_EXIT_ERROR;
    ao = cli_topic_admin_options(t, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_CreateTopics(t->rk, &nt, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_NewTopic_destroy(nt);
    ev = cli_topic_wait_result(t, "cannot create topic");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    rc = cli_topic_report_errors(t, res, n, "create");
    if (rc == CLI_EXIT_OK)
        print_created(&t->opts);
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- delete ---- */

int cli_topic_delete(struct topic_run *t)
{
    int n = t->opts.nnames;
    rd_kafka_DeleteTopic_t **dts = xcalloc((size_t)n, sizeof(*dts));
    rd_kafka_AdminOptions_t *ao = cli_topic_admin_options(t, RD_KAFKA_ADMIN_OP_DELETETOPICS);
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
    ev = cli_topic_wait_result(t, "cannot delete topics");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &nres);
    for (size_t i = 0; i < nres; i++) {
        const char *name = rd_kafka_topic_result_name(res[i]);

        if (rd_kafka_topic_result_error(res[i])) {
            cli_error(&t->common, "cannot delete topic '%s': %s", name, cli_topic_result_reason(res[i]));
            rc = CLI_EXIT_ERROR;
        } else {
            printf("deleted topic %s\n", name);
        }
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- alter: CreatePartitions ---- */

int cli_topic_alter(struct topic_run *t)
{
    const struct topic_opts *o = &t->opts;
    char errstr[512];
    rd_kafka_NewPartitions_t *np =
        rd_kafka_NewPartitions_new(o->names[0], (size_t)o->partitions, errstr, sizeof(errstr));
    rd_kafka_AdminOptions_t *ao;
    rd_kafka_event_t *ev;
    const rd_kafka_topic_result_t **res;
    size_t n = 0;
    int rc;

    if (!np) {
        cli_error(&t->common, "%s", errstr);
        return CLI_EXIT_ERROR;
    }
    ao = cli_topic_admin_options(t, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
    rd_kafka_CreatePartitions(t->rk, &np, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_NewPartitions_destroy(np);
    ev = cli_topic_wait_result(t, "cannot add partitions");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
    rc = cli_topic_report_errors(t, res, n, "alter");
    if (rc == CLI_EXIT_OK)
        printf("%s topic %s: %lld partitions\n", o->validate_only ? "validated" : "altered", o->names[0],
               (long long)o->partitions);
    rd_kafka_event_destroy(ev);
    return rc;
}
