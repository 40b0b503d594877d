/* The producer options that sluice produce and sluice bench both take
 * (--acks, -z/--compression, --linger-ms): one parser, one help wording
 * of the choices, one way to put them into a librdkafka configuration. */
#ifndef SLUICE_CLI_PRODUCER_OPTS_H
#define SLUICE_CLI_PRODUCER_OPTS_H
#include <stdbool.h>

#include "cli/cli_common.h"

struct cli_producer_opts {
    const char *acks;        /* NULL: all */
    const char *compression; /* NULL: none */
    const char *linger_ms;   /* NULL: the command's default */
};

/* Option values without a short form; a command numbers its own from
 * CLI_OPT_PRODUCER_END on. */
enum { CLI_OPT_ACKS = 256, CLI_OPT_LINGER_MS, CLI_OPT_PRODUCER_END };

#define CLI_PRODUCER_SHORT_OPTS "z:"
#define CLI_PRODUCER_LONG_OPTS                                \
    {"compression", required_argument, NULL, 'z'},            \
    {"acks", required_argument, NULL, CLI_OPT_ACKS},          \
    {"linger-ms", required_argument, NULL, CLI_OPT_LINGER_MS}

/* Takes opt if it is one of the producer options; any other opt is a
 * usage error. Returns false after printing the usage error. */
bool cli_take_producer_option(struct cli_common *c, struct cli_producer_opts *p,
                              int opt, const char *arg);

/* Sets linger.ms (default_linger when not given), acks and
 * compression.codec on conf; false, reported, on a bad value. */
bool cli_conf_set_producer(const struct cli_common *c, rd_kafka_conf_t *conf,
                           const struct cli_producer_opts *p,
                           const char *default_linger);
#endif
