/* sluice consume: what its files share (cli_consume_args.c reads the
 * options, cli_consume_print.c prints records, cli_consume.c consumes). */
#ifndef SLUICE_CLI_CONSUME_H
#define SLUICE_CLI_CONSUME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli_common.h"

/* The fields of the text format, as bits. */
enum {
    FIELD_PARTITION = 1,
    FIELD_OFFSET = 2,
    FIELD_TIMESTAMP = 4,
    FIELD_KEY = 8,
    FIELD_HEADERS = 16,
    FIELD_ALL = 31,
};

enum start_kind { START_BEGINNING, START_END, START_OFFSET, START_TAIL, START_TIMESTAMP };

struct consume_opts {
    const char *topic;
    enum start_kind start;
    int64_t start_value; /* offset, record count or timestamp */
    int32_t partition;   /* -1: all */
    int64_t count;       /* 0: unlimited */
    int64_t timeout_ms;  /* -1: none */
    bool json;
    const char *format; /* --format, NULL if not given */
    unsigned fields;    /* FIELD_ bits printed before the value */
    const char *group;
};

/* Everything one consume run owns. common comes first because it is the
 * librdkafka opaque: the callbacks of cli_common receive a pointer to it,
 * the rebalance callback here converts it back to the whole run. */
struct consume_run {
    struct cli_common common;
    struct consume_opts opts;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    rd_kafka_queue_t *queue; /* without a group: every partition feeds it */
    int32_t *started;        /* without a group: the partitions read */
    size_t nstarted;
    bool *at_end; /* indexed by partition: reached its end */
    size_t at_end_len;
    uint64_t records;
    int64_t last_record_ms; /* or when the partitions were assigned */
    bool assigned;          /* the group gave us our partitions */
};

/* Reads the command line into o: CLI_EXIT_OK to consume, -1 when --help
 * was printed, else the exit status of a usage error (reported). */
int cli_consume_parse_args(struct cli_common *c, struct consume_opts *o, int argc, char **argv);

/* One record on out, in the format asked for (cli_consume_print.c). */
void cli_consume_print_value(FILE *out, const rd_kafka_message_t *m);
/* The fields asked for, then the value; a field is left out when absent. */
void cli_consume_print_text(FILE *out, const rd_kafka_message_t *m, unsigned fields);
void cli_consume_print_json(FILE *out, const char *topic, const rd_kafka_message_t *m);
#endif
