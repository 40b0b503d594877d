/* sluice topic: what its files share (cli_topic.c parses the arguments
 * and runs an action from cli_topic_change.c, cli_topic_describe.c or
 * cli_topic_config.c; cli_topic_admin.c sends and waits for their admin
 * requests). */
#ifndef SLUICE_CLI_TOPIC_H
#define SLUICE_CLI_TOPIC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli_common.h"

/* IncrementalAlterConfigs arrived in librdkafka 2.2.0; older versions
 * only have AlterConfigs, which replaces a topic's whole configuration. */
#if RD_KAFKA_VERSION >= 0x020200ff
#define CLI_HAVE_INCREMENTAL_ALTER_CONFIGS 1
#else
#define CLI_HAVE_INCREMENTAL_ALTER_CONFIGS 0
#endif

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
#define OPT_BIT(opt) (1u << ((opt)-OPT_PARTITIONS))

struct topic_opts {
    char **names;
    int nnames;
    int64_t partitions;
    int64_t replication;
    const char **configs; /* --config KEY=VALUE */
    size_t nconfigs;
    const char **sets; /* --set KEY=VALUE */
    size_t nsets;
    const char **deletes; /* --delete KEY */
    size_t ndeletes;
    bool validate_only;
    bool all;
    bool json;
    int64_t timeout_ms;
    unsigned given; /* OPT_BIT of every option used */
};

struct topic_run {
    struct cli_common common;
    char cmd[32]; /* "topic ACTION", the message prefix */
    struct topic_opts opts;
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue; /* receives our admin results only */
};

struct topic_action {
    const char *name;
    unsigned options; /* OPT_BITs allowed */
    int min_names;
    int max_names; /* -1: any number */
    int (*run)(struct topic_run *t);
};

/* ---- admin request plumbing (cli_topic_admin.c) ---- */

rd_kafka_AdminOptions_t *cli_topic_admin_options(struct topic_run *t, rd_kafka_admin_op_t op);
/* Waits for the result of the request just sent; NULL (reported) when the
 * request as a whole failed. */
rd_kafka_event_t *cli_topic_wait_result(struct topic_run *t, const char *what);
const char *cli_topic_result_reason(const rd_kafka_topic_result_t *res);
const char *cli_config_result_reason(const rd_kafka_ConfigResource_t *res);
/* Reports each topic the request failed for; CLI_EXIT_ERROR if any. */
int cli_topic_report_errors(struct topic_run *t, const rd_kafka_topic_result_t **res, size_t n, const char *verb);
/* Fetches the configuration of topic NAME; NULL (reported) on failure.
 * The returned event owns the entries. */
rd_kafka_event_t *cli_topic_describe_configs(struct topic_run *t, const char *name,
                                             const rd_kafka_ConfigResource_t **out);
/* Whether a --set list (KEY=VALUE) names KEY. */
bool cli_topic_sets_name(const char *const *sets, size_t n, const char *key);

/* ---- the actions ---- */

int cli_topic_create(struct topic_run *t); /* cli_topic_change.c */
int cli_topic_delete(struct topic_run *t);
int cli_topic_alter(struct topic_run *t);
int cli_topic_list(struct topic_run *t); /* cli_topic_describe.c */
int cli_topic_describe(struct topic_run *t);
int cli_topic_configs(struct topic_run *t);
int cli_topic_alter_config(struct topic_run *t); /* cli_topic_config.c */
#endif
