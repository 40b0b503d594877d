/* sluice topic: sending admin requests and waiting for their results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_topic.h"

/* ---- admin request plumbing ---- */

rd_kafka_AdminOptions_t *cli_topic_admin_options(struct topic_run *t, rd_kafka_admin_op_t op)
{
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(t->rk, op);
    int timeout = (int)t->opts.timeout_ms;
    char errstr[256];

    rd_kafka_AdminOptions_set_request_timeout(ao, timeout, errstr, sizeof(errstr));
    /* Wait for the broker to finish creating or deleting, so that the
     * topic is usable (or gone) when we report success. */
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
        op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS)
        rd_kafka_AdminOptions_set_operation_timeout(ao, timeout, errstr, sizeof(errstr));
    /* Only the requests that change something can be validated. */
    if (t->opts.validate_only && op != RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)
        rd_kafka_AdminOptions_set_validate_only(ao, 1, errstr, sizeof(errstr));
    return ao;
}

/* Waits for the result of the request just sent; NULL (reported) when the
 * request as a whole failed. */
rd_kafka_event_t *cli_topic_wait_result(struct topic_run *t, const char *what)
{
    return cli_admin_wait(&t->common, t->queue, t->opts.timeout_ms, what);
}

const char *cli_topic_result_reason(const rd_kafka_topic_result_t *res)
{
    const char *s = rd_kafka_topic_result_error_string(res);

    return s && *s ? s : rd_kafka_err2str(rd_kafka_topic_result_error(res));
}

const char *cli_config_result_reason(const rd_kafka_ConfigResource_t *res)
{
    const char *s = rd_kafka_ConfigResource_error_string(res);

    return s && *s ? s : rd_kafka_err2str(rd_kafka_ConfigResource_error(res));
}

/* Reports each topic the request failed for; CLI_EXIT_ERROR if any. */
int cli_topic_report_errors(struct topic_run *t, const rd_kafka_topic_result_t **res, size_t n, const char *verb)
{
    int rc = CLI_EXIT_OK;

    for (size_t i = 0; i < n; i++) {
        if (rd_kafka_topic_result_error(res[i])) {
            cli_error(&t->common, "cannot %s topic '%s': %s", verb, rd_kafka_topic_result_name(res[i]),
                      cli_topic_result_reason(res[i]));
            rc = CLI_EXIT_ERROR;
        }
    }
    return rc;
}

/* Fetches the configuration of topic NAME; NULL (reported) on failure.
 * The returned event owns the entries. */
rd_kafka_event_t *cli_topic_describe_configs(struct topic_run *t, const char *name,
                                             const rd_kafka_ConfigResource_t **out)
{
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
    rd_kafka_AdminOptions_t *ao = cli_topic_admin_options(t, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    const rd_kafka_ConfigResource_t **res;
    rd_kafka_event_t *ev;
    size_t n = 0;

    rd_kafka_DescribeConfigs(t->rk, &cr, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_ConfigResource_destroy(cr);
    ev = cli_topic_wait_result(t, "cannot describe configs");
    if (!ev)
        return NULL;
    res = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    if (n != 1 || rd_kafka_ConfigResource_error(res[0])) {
        cli_error(&t->common, "cannot describe configs of '%s': %s", name,
                  n == 1 ? cli_config_result_reason(res[0]) : "no result");
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    *out = res[0];
    return ev;
}

/* What describe prints for one partition. */

/* Whether a --set list (KEY=VALUE) names KEY. */
bool cli_topic_sets_name(const char *const *sets, size_t n, const char *key)
{
    size_t len = strlen(key);

    for (size_t i = 0; i < n; i++)
        if (!strncmp(sets[i], key, len) && sets[i][len] == '=')
            return true;
    return false;
}
