/* Plumbing shared by the client subcommands: the common options
 * (-b, -X, -v, -h), librdkafka configuration, error reporting and
 * Ctrl-C handling. */
#ifndef SLUICE_CLI_COMMON_H
#define SLUICE_CLI_COMMON_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2 };

#define CLI_DEFAULT_BOOTSTRAP "127.0.0.1:9092"
#define CLI_CLIENT_ID "sluice-cli"
/* How long the admin and metadata calls wait for the broker by default. */
#define CLI_DEFAULT_TIMEOUT_MS 30000
/* How long a command waits for a first answer from the bootstrap broker
 * before it gives up, unless its --timeout-ms says otherwise: a missing
 * broker should be reported at once, not after librdkafka's retries. */
#define CLI_CONNECT_TIMEOUT_MS 4000

/* Every subcommand's getopt tables start with these. The leading ':' makes
 * getopt report a missing argument as ':' so we can word the message. */
#define CLI_COMMON_SHORT_OPTS ":b:X:hv"
#define CLI_COMMON_LONG_OPTS                                  \
    {"bootstrap-server", required_argument, NULL, 'b'},       \
    {"help", no_argument, NULL, 'h'},                         \
    {"verbose", no_argument, NULL, 'v'}

/* The text of the common options for --help screens. */
#define CLI_COMMON_HELP                                                      \
    "  -b, --bootstrap-server HOST:PORT\n"                                   \
    "                        broker to connect to (default: $SLUICE_BOOTSTRAP,\n" \
    "                        else " CLI_DEFAULT_BOOTSTRAP ")\n"                \
    "  -X KEY=VALUE          set a librdkafka property; repeatable, applied\n" \
    "                        after all other options\n"                      \
    "  -v, --verbose         print a summary and librdkafka's log lines\n"   \
    "  -h, --help            show this help\n"

struct cli_common {
    const char *cmd;          /* "produce", "topic create": message prefix */
    const char *bootstrap;    /* -b, else $SLUICE_BOOTSTRAP, else default */
    const char *bootstrap_from; /* where bootstrap came from, for messages */
    int64_t connect_timeout_ms; /* see cli_client_new() */
    const char **props;       /* -X KEY=VALUE arguments, in order given */
    size_t nprops;
    bool verbose;
    bool show_logs;           /* -v or -X debug=...: pass librdkafka logs on */
    bool help;                /* -h seen: the caller prints its help */
    rd_kafka_resp_err_t warned[8];    /* warnings shown: each only once */
    size_t nwarned;
    bool connecting;          /* in cli_client_new(): errors kept, not shown */
    bool brokers_down;        /* ... and every broker has failed */
    char connect_error[256];  /* ... the last connection error */
};

/* Set by SIGINT/SIGTERM once cli_catch_stop_signals() has run. */
extern volatile sig_atomic_t cli_stop_requested;

void cli_common_init(struct cli_common *c, const char *cmd, int argc);
void cli_common_free(struct cli_common *c);

/* A subcommand's handler for its own options: returns false after
 * printing a usage error. opts is the subcommand's option struct. */
typedef bool (*cli_option_fn)(struct cli_common *c, void *opts, int opt,
                              const char *arg);

/* Runs getopt_long over argv (argv[0] is the subcommand name), handling
 * the common options itself and passing the others to take(). Returns
 * CLI_EXIT_OK, with optind at the first operand, or CLI_EXIT_USAGE. */
int cli_parse_options(struct cli_common *c, int argc, char **argv,
                      const char *shortopts, const struct option *longopts,
                      cli_option_fn take, void *opts);
/* The TOPIC operand of produce, consume and bench: the one argument left
 * after the options (argv[optind]); NULL when there is none or more than
 * one, after reporting the usage error. */
const char *cli_one_topic(const struct cli_common *c, int argc, char **argv);

/* "sluice CMD: message" on stderr. */
void cli_error(const struct cli_common *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same, with a pointer to --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_common *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same, returning false: for option handlers. */
bool cli_invalid(const struct cli_common *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a base-10 integer within [min, max] given to option NAME; on
 * failure prints a usage error and returns false. */
bool cli_parse_int(const struct cli_common *c, const char *name,
                   const char *arg, int64_t min, int64_t max, int64_t *out);

/* Splits "KEY=VALUE": returns a malloc'd KEY and points *value into s.
 * NULL when there is no '=' or KEY is empty. */
char *cli_split_kv(const char *s, const char **value);

/* The whole of file PATH (stdin for NULL or "-"), malloc'd with a NUL
 * after its *len bytes; NULL, reported, when it cannot be read. */
char *cli_read_file(const struct cli_common *c, const char *path, size_t *len);

/* A configuration with bootstrap.servers, client.id and the callbacks set.
 * The client handle's opaque is c, which must outlive the handle. */
rd_kafka_conf_t *cli_conf_new(struct cli_common *c);
/* Sets one property; prints the reason and returns false on failure. */
bool cli_conf_set(const struct cli_common *c, rd_kafka_conf_t *conf,
                  const char *key, const char *value);
/* Applies the -X properties (last, so they win); false on a bad one. */
bool cli_conf_apply_props(const struct cli_common *c, rd_kafka_conf_t *conf);
/* rd_kafka_new() that then waits up to c->connect_timeout_ms for the
 * bootstrap broker to answer; on failure it reports the address tried and
 * how to give another, and returns NULL. conf is consumed either way. */
rd_kafka_t *cli_client_new(struct cli_common *c, rd_kafka_type_t type,
                           rd_kafka_conf_t *conf);

/* Metadata of every topic, NULL (reported) on failure. Asking for one
 * topic by name could make a broker with auto.create.topics.enable create
 * it, which an admin command must never do. */
const rd_kafka_metadata_t *cli_all_metadata(const struct cli_common *c,
                                            rd_kafka_t *rk, int timeout_ms);
/* The entry of topic NAME in md, NULL when the broker does not have it. */
const rd_kafka_metadata_topic_t *cli_find_topic(const rd_kafka_metadata_t *md,
                                                const char *name);

/* Prints a client warning, once per error code: librdkafka repeats them
 * on every reconnect attempt. */
void cli_warn_once(struct cli_common *c, rd_kafka_resp_err_t err,
                   const char *reason);

void cli_catch_stop_signals(void);
/* Waits for the result of the admin request just sent to queue (its
 * request timeout bounds the wait; the margin is librdkafka's); NULL
 * (reported, prefixed with what) when the request as a whole failed. */
rd_kafka_event_t *cli_admin_wait(const struct cli_common *c, rd_kafka_queue_t *queue, int64_t timeout_ms,
                                 const char *what);

#endif
