/* What the group subcommand's actions share: the parsed options, the run's
 * client, and the admin calls more than one action makes. Internal to
 * cli_group*.c. */
#ifndef SLUICE_CLI_GROUP_H
#define SLUICE_CLI_GROUP_H

#include "cli/cli_common.h"

/* The reset-offsets targets, as kafka-consumer-groups names them. */
enum reset_to {
    RESET_NONE,
    RESET_EARLIEST,
    RESET_LATEST,
    RESET_CURRENT,
    RESET_OFFSET,
    RESET_SHIFT,
    RESET_DATETIME,   /* to_value: ms since the epoch */
    RESET_DURATION,   /* to_value: ms before now */
};

struct group_opts {
    const char **states;
    size_t nstates;
    const char **topics;      /* --topic NAME or NAME:P,P... */
    size_t ntopics;
    bool all_topics;
    enum reset_to to;
    int nresets;              /* target options given */
    int64_t to_value;
    bool dry_run;
    bool execute;
    int64_t timeout_ms;
    char **names;
    int nnames;
};

struct group_run {
    struct cli_common common;
    char cmd[40];
    struct group_opts opts;
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue;
};

rd_kafka_AdminOptions_t *group_admin_options(struct group_run *g,
                                             rd_kafka_admin_op_t op);
/* Waits for the admin result just requested; NULL (reported) on failure. */
rd_kafka_event_t *group_wait_result(struct group_run *g, const char *what);
/* The group's committed offsets, sorted; NULL (reported) on failure. */
rd_kafka_topic_partition_list_t *group_committed_offsets(struct group_run *g,
                                                         const char *group);
/* The group's description, owned by *evp; NULL (reported) on failure. */
const rd_kafka_ConsumerGroupDescription_t *
group_describe_one(struct group_run *g, const char *group,
                   rd_kafka_event_t **evp);

int group_reset_offsets(struct group_run *g);

#endif
