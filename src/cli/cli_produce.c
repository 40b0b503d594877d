/* sluice produce: every line of stdin becomes one record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "cli/cli_producer_opts.h"
#include "core/util.h"

static const char produce_help[] =
    "Usage: sluice produce TOPIC [OPTIONS] < LINES\n"
    "\n"
    "Send each line of standard input (without its newline) as one record to\n"
    "TOPIC. An empty line is a record with an empty value. At end of input,\n"
    "wait until every record is acknowledged; exit 1 if any was not.\n"
    "\n"
    "Options:\n"
    "  -k, --key-separator SEP\n"
    "                        the text before the first SEP of a line is the\n"
    "                        record key, the rest the value; lines without\n"
    "                        SEP get a null key\n"
    "  -H, --header KEY=VALUE\n"
    "                        add this header to every record (repeatable)\n"
    "  -p, --partition N     send to partition N (default: records with a key\n"
    "                        go by key hash, the others spread at random)\n"
    "  -z, --compression none|gzip|snappy|lz4|zstd\n"
    "                        compress record batches (default: none)\n"
    "      --acks 0|1|all    acknowledgement level (default: all)\n"
    "      --linger-ms N     wait up to N ms to fill batches (default: 5)\n"
    "      --idempotent      enable the idempotent producer (needs acks=all)\n"
    CLI_COMMON_HELP
    "\n"
    "A topic that does not exist is created if the broker creates topics on\n"
    "use (auto.create.topics.enable); otherwise produce fails at once.\n"
    "\n"
    "Examples:\n"
    "  echo hello | sluice produce orders\n"
    "  printf 'k1:hello\\nk2:world\\n' | sluice produce orders -k : -H source=cli\n"
    "\n"
    "Exit status: 0 all records delivered, 1 error, 2 usage error.\n";

/* Option values that have no short form. */
enum { OPT_IDEMPOTENT = CLI_OPT_PRODUCER_END };

struct produce_opts {
    const char *topic;
    const char *key_sep;
    size_t key_sep_len;
    const char **headers;     /* KEY=VALUE strings */
    size_t nheaders;
    int32_t partition;
    struct cli_producer_opts producer; /* --acks, --compression, --linger-ms */
    bool idempotent;
};

/* Delivery bookkeeping, updated from the delivery report callback. */
struct produce_stats {
    uint64_t sent;
    uint64_t delivered;
    uint64_t failed;
    char first_error[512];
};

static bool take_produce_option(struct cli_common *c, void *opts, int opt,
                                const char *arg)
{
    struct produce_opts *o = opts;
    int64_t n;

    switch (opt) {
    case 'k':
        if (!*arg)
            return cli_invalid(c, "--key-separator must not be empty");
        o->key_sep = arg;
        o->key_sep_len = strlen(arg);
        return true;
    case 'H':
        if (!strchr(arg, '=') || *arg == '=')
            return cli_invalid(c, "--header expects KEY=VALUE, got '%s'", arg);
        o->headers[o->nheaders++] = arg;
        return true;
    case 'p':
        if (!cli_parse_int(c, "--partition", arg, 0, INT32_MAX, &n))
            return false;
        o->partition = (int32_t)n;
        return true;
    case OPT_IDEMPOTENT:
        o->idempotent = true;
        return true;
    default:
        return cli_take_producer_option(c, &o->producer, opt, arg);
    }
}

/* Returns CLI_EXIT_OK to go on, or the exit status to stop with. */
static int parse_produce_args(struct cli_common *c, struct produce_opts *o,
                              int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTS,
        {"key-separator", required_argument, NULL, 'k'},
        {"header", required_argument, NULL, 'H'},
        {"partition", required_argument, NULL, 'p'},
        CLI_PRODUCER_LONG_OPTS,
        {"idempotent", no_argument, NULL, OPT_IDEMPOTENT},
        {NULL, 0, NULL, 0},
    };
    int rc = cli_parse_options(c, argc, argv, CLI_COMMON_SHORT_OPTS CLI_PRODUCER_SHORT_OPTS "k:H:p:",
                               longopts, take_produce_option, o);

    if (rc)
        return rc;
    if (c->help) {
        fputs(produce_help, stdout);
        return -1;
    }
    o->topic = cli_one_topic(c, argc, argv);
    if (!o->topic)
        return CLI_EXIT_USAGE;
    return CLI_EXIT_OK;
}

/* Called from rd_kafka_poll()/flush() on this thread for every record. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque)
{
    struct produce_stats *st = m->_private;

    if (!m->err) {
        st->delivered++;
        return;
    }
    if (!st->failed++)
        snprintf(st->first_error, sizeof(st->first_error), "%s",
                 rd_kafka_err2str(m->err));
}

/* Returns CLI_EXIT_OK with *rkp set, or the exit status to stop with. */
static int new_producer(struct cli_common *c, const struct produce_opts *o,
                        rd_kafka_t **rkp)
{
    rd_kafka_conf_t *conf = cli_conf_new(c);
    bool ok = conf != NULL;

    if (!ok)
        return CLI_EXIT_ERROR;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    ok = cli_conf_set_producer(c, conf, &o->producer, "5");
    if (ok && o->idempotent)
        ok = cli_conf_set(c, conf, "enable.idempotence", "true");
    if (ok)
        ok = cli_conf_apply_props(c, conf);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return CLI_EXIT_USAGE;
    }
    *rkp = cli_client_new(c, RD_KAFKA_PRODUCER, conf);
    return *rkp ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

/* The argument list for rd_kafka_produceva(). What is the same for every
 * record (topic, partition, headers, ...) is filled in once; the key and
 * value go in the slots after nfixed. */
struct record_args {
    rd_kafka_vu_t *vu;
    size_t nfixed;
    char **header_names;
    size_t nheaders;
};

static void record_args_init(struct record_args *a,
                             const struct produce_opts *o,
                             struct produce_stats *st)
{
    size_t n = 0;

    a->vu = xcalloc(o->nheaders + 6, sizeof(*a->vu));
    a->header_names = xcalloc(o->nheaders + 1, sizeof(*a->header_names));
    a->nheaders = o->nheaders;
    a->vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
    a->vu[n++].u.cstr = o->topic;
    a->vu[n].vtype = RD_KAFKA_VTYPE_PARTITION;
    a->vu[n++].u.i32 = o->partition;
    a->vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    a->vu[n++].u.i = RD_KAFKA_MSG_F_COPY; /* the line buffer is reused */
    a->vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
    a->vu[n++].u.ptr = st;
    for (size_t i = 0; i < o->nheaders; i++) {
        const char *value = "";

        /* VTYPE_HEADER entries are copied by librdkafka per record. */
        a->header_names[i] = cli_split_kv(o->headers[i], &value);
        a->vu[n].vtype = RD_KAFKA_VTYPE_HEADER;
        a->vu[n].u.header.name = a->header_names[i];
        a->vu[n].u.header.val = value;
        a->vu[n++].u.header.size = (ssize_t)strlen(value);
    }
    a->nfixed = n;
}

static void record_args_free(struct record_args *a)
{
    for (size_t i = 0; i < a->nheaders; i++)
        free(a->header_names[i]);
    free(a->header_names);
    free(a->vu);
}

/* Fills in the key and value of one line; returns the argument count. A
 * line without the key separator (or with none configured) has no key,
 * which librdkafka sends as a null key. */
static size_t set_key_value(struct record_args *a, const struct produce_opts *o,
                            char *line, size_t len)
{
    size_t n = a->nfixed;
    char *sep = o->key_sep ? memmem(line, len, o->key_sep, o->key_sep_len)
                           : NULL;
    char *value = line;

    if (sep) {
        a->vu[n].vtype = RD_KAFKA_VTYPE_KEY;
        a->vu[n].u.mem.ptr = line;
        a->vu[n++].u.mem.size = (size_t)(sep - line);
        value = sep + o->key_sep_len;
    }
    a->vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
    a->vu[n].u.mem.ptr = value;
    a->vu[n++].u.mem.size = len - (size_t)(value - line);
    return n;
}

/* Queues one line, waiting for room while librdkafka's queue is full.
 * Returns NULL or an error for the caller to destroy. */
static rd_kafka_error_t *send_line(rd_kafka_t *rk, struct record_args *a,
                                   const struct produce_opts *o, char *line,
                                   size_t len)
{
    size_t n = set_key_value(a, o, line, len);

    for (;;) {
        rd_kafka_error_t *err = rd_kafka_produceva(rk, a->vu, n);

        if (!err || rd_kafka_error_code(err) != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
            cli_stop_requested)
            return err;
        rd_kafka_error_destroy(err);
        rd_kafka_poll(rk, 100); /* delivery reports free queue room */
    }
}

/* Sends stdin line by line until EOF, Ctrl-C or the first failure (an
 * immediate one, or a delivery report already seen), so a broken setup
 * does not produce one error per input line. */
static int send_stdin(struct cli_common *c, rd_kafka_t *rk,
                      const struct produce_opts *o, struct produce_stats *st)
{
    struct record_args args;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = CLI_EXIT_OK;

    record_args_init(&args, o, st);
    while (!cli_stop_requested && !st->failed) {
        rd_kafka_error_t *err;

        errno = 0;
        len = getline(&line, &cap, stdin);
        if (len < 0) {
            if (ferror(stdin) && !cli_stop_requested) {
                cli_error(c, "cannot read standard input: %s", strerror(errno));
                rc = CLI_EXIT_ERROR;
            }
            break;
        }
        if (len > 0 && line[len - 1] == '\n')
            len--;
        err = send_line(rk, &args, o, line, (size_t)len);
        if (err) {
            cli_error(c, "cannot send line %llu: %s",
                      (unsigned long long)st->sent + 1,
                      rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
            rc = CLI_EXIT_ERROR;
            break;
        }
        st->sent++;
        rd_kafka_poll(rk, 0);
    }
    free(line);
    record_args_free(&args);
    return rc;
}

/* Waits for the delivery report of every queued record. Ctrl-C here
 * abandons the records still queued; they are then reported as failed. */
static void wait_for_deliveries(rd_kafka_t *rk)
{
    bool purged = false;

    while (rd_kafka_outq_len(rk) > 0) {
        if (cli_stop_requested && !purged) {
            rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE |
                                   RD_KAFKA_PURGE_F_INFLIGHT);
            purged = true;
        }
        rd_kafka_flush(rk, 200);
    }
}

static int report_outcome(const struct cli_common *c,
                          const struct produce_opts *o,
                          const struct produce_stats *st, int rc)
{
    if (st->failed) {
        cli_error(c, "%llu of %llu records not delivered: %s",
                  (unsigned long long)st->failed,
                  (unsigned long long)st->sent, st->first_error);
        rc = CLI_EXIT_ERROR;
    } else if (cli_stop_requested && rc == CLI_EXIT_OK) {
        cli_error(c, "interrupted; stopped reading input");
        rc = CLI_EXIT_ERROR;
    }
    if (c->verbose)
        cli_error(c, "produced %llu records to %s",
                  (unsigned long long)st->delivered, o->topic);
    return rc;
}

/* Looks the topic up before reading input. A producer asks with
 * auto-creation allowed, so a broker that creates topics on use creates
 * it now; one that does not answers UNKNOWN_TOPIC_OR_PART, which would
 * otherwise only surface as a delivery timeout minutes later. */
static int check_topic(struct cli_common *c, rd_kafka_t *rk,
                       const struct produce_opts *o)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err;
    int rc = CLI_EXIT_OK;

    err = rd_kafka_metadata(rk, 0, rkt, &md, CLI_DEFAULT_TIMEOUT_MS);
    rd_kafka_topic_destroy(rkt);
    if (err) {
        cli_error(c, "cannot get metadata of topic '%s': %s", o->topic,
                  rd_kafka_err2str(err));
        return CLI_EXIT_ERROR;
    }
    if (md->topic_cnt == 1 &&
        md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        cli_error(c, "topic '%s' does not exist and the broker does not "
                  "create topics on use (auto.create.topics.enable=false); "
                  "create it with 'sluice topic create %s'", o->topic,
                  o->topic);
        rc = CLI_EXIT_ERROR;
    } else if (md->topic_cnt == 1 && md->topics[0].err &&
               md->topics[0].err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) {
        /* LEADER_NOT_AVAILABLE: being created; librdkafka waits for it. */
        cli_error(c, "topic '%s': %s", o->topic,
                  rd_kafka_err2str(md->topics[0].err));
        rc = CLI_EXIT_ERROR;
    }
    rd_kafka_metadata_destroy(md);
    return rc;
}

static int run_producer(struct cli_common *c, const struct produce_opts *o)
{
    struct produce_stats st;
    rd_kafka_t *rk = NULL;
    int rc = new_producer(c, o, &rk);

    if (rc != CLI_EXIT_OK)
        return rc;
    rc = check_topic(c, rk, o);
    if (rc != CLI_EXIT_OK) {
        rd_kafka_destroy(rk);
        return rc;
    }
    memset(&st, 0, sizeof(st));
    cli_catch_stop_signals();
    rc = send_stdin(c, rk, o, &st);
    wait_for_deliveries(rk);
    rc = report_outcome(c, o, &st, rc);
    rd_kafka_destroy(rk);
    return rc;
}

int cli_produce_main(int argc, char **argv)
{
    struct cli_common c;
    struct produce_opts o;
    int rc;

    memset(&o, 0, sizeof(o));
    o.partition = RD_KAFKA_PARTITION_UA;
    cli_common_init(&c, "produce", argc);
    o.headers = xcalloc((size_t)argc + 1, sizeof(*o.headers));
    rc = parse_produce_args(&c, &o, argc, argv);
    if (rc == CLI_EXIT_OK)
        rc = run_producer(&c, &o);
    else if (rc < 0) /* --help */
        rc = CLI_EXIT_OK;
    free(o.headers);
    cli_common_free(&c);
    return rc;
}
