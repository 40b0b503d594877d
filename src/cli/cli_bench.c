/* sluice bench: a load generator on librdkafka, in the spirit of
 * kafka-producer-perf-test and rdkafka_performance.
 *
 *   bench produce TOPIC   throughput of N producers, send-to-ack latency
 *   bench consume TOPIC   throughput of reading a topic from the start
 *   bench latency TOPIC   one record at a time, each after the previous ack
 *   bench mock-cluster    librdkafka's in-memory mock cluster in this
 *                         process, as a reference peer for the above
 *
 * Every figure is printed as text, or with --json as one JSON object on one
 * line, which bench/compare reads. Latencies go into an HDR-style
 * histogram (hdr_hist.h). The send time of a record travels in the first 8
 * bytes of its value, so the delivery report needs no per-record state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_bench.h"
/* after rdkafka.h, which cli_common.h includes */
#include <librdkafka/rdkafka_mock.h>
#include "core/util.h"

static const char bench_help[] =
    "Usage: sluice bench produce|consume|latency TOPIC [OPTIONS]\n"
    "       sluice bench mock-cluster [OPTIONS]\n"
    "\n"
    "Load generator. Prints messages/s, MB/s (10^6 bytes) and latency\n"
    "percentiles (p50, p99, p99.9, max) from an HDR-style histogram.\n"
    "\n"
    "  produce   send --count records (or for --duration seconds) from\n"
    "            --producers clients; latency is send to acknowledgement\n"
    "  consume   read TOPIC from the beginning of every partition until\n"
    "            --count records arrived, or none for --idle-ms\n"
    "  latency   send --count records one at a time, each after the previous\n"
    "            one's acknowledgement (linger 0 unless -X says otherwise)\n"
    "  mock-cluster\n"
    "            run librdkafka's in-memory mock cluster; prints\n"
    "            'bootstrap=HOST:PORT,...' and serves until SIGTERM/SIGINT;\n"
    "            it keeps only about the last 5 MB of each partition\n"
    "\n"
    "Options:\n"
    "  -s, --size N          value size in bytes (default: 100)\n"
    "      --value-file F    produce: every value is F's bytes (e.g. a record\n"
    "                        framed for a schema registry), not --size filler\n"
    "  -n, --count N         records to send or read (default: produce\n"
    "                        1000000, latency 10000, consume: all)\n"
    "  -d, --duration S      produce: send for S seconds instead of --count\n"
    "      --keys N          produce: keys drawn uniformly from N distinct\n"
    "                        keys (default 0: null keys)\n"
    "  -P, --partitions N    produce/latency: create TOPIC with N partitions\n"
    "                        first (an existing topic is used as it is);\n"
    "                        mock-cluster: partitions of --topic\n"
    "      --acks 0|1|all    (default: all)\n"
    "  -z, --compression none|gzip|snappy|lz4|zstd (default: none)\n"
    "      --linger-ms N     (default: produce 5, latency 0)\n"
    "      --batch-size N    bytes per partition batch (default: librdkafka's)\n"
    "      --producers N     produce: parallel producer clients (default: 1)\n"
    "      --idle-ms N       consume: stop after N ms without a record\n"
    "                        (default: 5000)\n"
    "      --topic T[,T...]  mock-cluster: create these topics up front (the\n"
    "                        mock has no CreateTopics; others get 4 partitions)\n"
    "      --brokers N       mock-cluster: brokers (default: 1)\n"
    "      --json            one JSON object on one line instead of text\n"
    CLI_COMMON_HELP
    "\n"
    "Examples:\n"
    "  sluice bench produce bench-topic -P 3 --size 1000 -n 200000 --acks all\n"
    "  sluice bench consume bench-topic -n 200000\n"
    "  sluice bench latency lat-topic -n 10000 --acks 1\n"
    "\n"
    "Exit status: 0 success, 1 error (e.g. a record not delivered), 2 usage.\n";

enum { OPT_BATCH_SIZE = CLI_OPT_PRODUCER_END, OPT_KEYS, OPT_IDLE_MS,
       OPT_JSON, OPT_TOPIC, OPT_BROKERS, OPT_PRODUCERS, OPT_VALUE_FILE };

static bool take_bench_option(struct cli_common *c, void *opts, int opt,
                              const char *arg)
{
    struct bench_opts *o = opts;
    int64_t n;

    switch (opt) {
    case 's':
        return cli_parse_int(c, "--size", arg, 0, 100 * 1024 * 1024, &o->size);
    case 'n':
        return cli_parse_int(c, "--count", arg, 1, INT64_MAX / 2, &o->count);
    case 'd':
        return cli_parse_int(c, "--duration", arg, 1, 86400, &o->duration_s);
    case OPT_KEYS:
        return cli_parse_int(c, "--keys", arg, 0, INT32_MAX, &o->keys);
    case 'P':
        return cli_parse_int(c, "--partitions", arg, 1, 1000000, &o->partitions);
    case OPT_PRODUCERS:
        return cli_parse_int(c, "--producers", arg, 1, 256, &o->producers);
    case OPT_IDLE_MS:
        return cli_parse_int(c, "--idle-ms", arg, 1, 3600000, &o->idle_ms);
    case OPT_BROKERS:
        return cli_parse_int(c, "--brokers", arg, 1, 16, &o->brokers);
    case OPT_BATCH_SIZE:
        if (!cli_parse_int(c, "--batch-size", arg, 1, INT32_MAX, &n))
            return false;
        o->batch_size = arg;
        return true;
    case OPT_JSON:
        o->json = true;
        return true;
    case OPT_TOPIC:
        o->topic = arg;
        return true;
    case OPT_VALUE_FILE:
        o->value_file = arg;
        return true;
    default:
        return cli_take_producer_option(c, &o->producer, opt, arg);
    }
}

static int parse_bench_args(struct cli_common *c, struct bench_opts *o,
                            int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTS,
        {"size", required_argument, NULL, 's'},
        {"count", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 'd'},
        {"keys", required_argument, NULL, OPT_KEYS},
        {"partitions", required_argument, NULL, 'P'},
        CLI_PRODUCER_LONG_OPTS,
        {"batch-size", required_argument, NULL, OPT_BATCH_SIZE},
        {"producers", required_argument, NULL, OPT_PRODUCERS},
        {"idle-ms", required_argument, NULL, OPT_IDLE_MS},
        {"json", no_argument, NULL, OPT_JSON},
        {"topic", required_argument, NULL, OPT_TOPIC},
        {"brokers", required_argument, NULL, OPT_BROKERS},
        {"value-file", required_argument, NULL, OPT_VALUE_FILE},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(bench_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : -1;
    }
    const char *m = argv[1];
    if (!strcmp(m, "produce"))
        o->mode = MODE_PRODUCE;
    else if (!strcmp(m, "consume"))
        o->mode = MODE_CONSUME;
    else if (!strcmp(m, "latency"))
        o->mode = MODE_LATENCY;
    else if (!strcmp(m, "mock-cluster"))
        o->mode = MODE_MOCK;
    else
        return cli_usage_error(c, "unknown mode '%s': produce, consume, latency or mock-cluster", m);
    o->mode_name = m;
    int rc = cli_parse_options(c, argc - 1, argv + 1, CLI_COMMON_SHORT_OPTS CLI_PRODUCER_SHORT_OPTS "s:n:d:P:",
                               longopts, take_bench_option, o);
    if (rc)
        return rc;
    if (c->help) {
        fputs(bench_help, stdout);
        return -1;
    }
    argc--;
    argv++;
    if (o->mode == MODE_MOCK) {
        if (optind < argc)
            return cli_usage_error(c, "unexpected argument '%s'", argv[optind]);
        return CLI_EXIT_OK;
    }
    o->topic = cli_one_topic(c, argc, argv);
    if (!o->topic)
        return CLI_EXIT_USAGE;
    if (o->value_file && o->mode != MODE_PRODUCE)
        return cli_usage_error(c, "--value-file applies to produce only");
    if (o->value_file) {
        size_t len;
        if (!(o->value = cli_read_file(c, o->value_file, &len)))
            return CLI_EXIT_ERROR;
        o->size = (int64_t)len;
    }
    if (o->mode == MODE_PRODUCE && o->size < 8)
        return cli_usage_error(c, "--size must be at least 8 (the send time travels in the value)");
    return CLI_EXIT_OK;
}

/* ---- the mock cluster ---- */

static int run_mock(struct cli_common *c, struct bench_opts *o)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *rk;

    /* The handle only hosts the cluster: no bootstrap.servers warning. */
    rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));

    if (!rk) {
        rd_kafka_conf_destroy(conf);
        cli_error(c, "cannot create client: %s", errstr);
        return CLI_EXIT_ERROR;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, (int)(o->brokers ? o->brokers : 1));
    if (!mc) {
        cli_error(c, "cannot create the mock cluster");
        rd_kafka_destroy(rk);
        return CLI_EXIT_ERROR;
    }
    /* The mock has no CreateTopics: --topic A,B,... makes them here.
     * Others are auto-created with the mock's default of 4 partitions. */
    for (const char *t = o->topic; t && *t;) {
        size_t len = strcspn(t, ",");
        char *name = xstrndup(t, len);
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mc, name, (int)(o->partitions ? o->partitions : 1), 1);
        if (err)
            cli_error(c, "cannot create topic '%s': %s", name, rd_kafka_err2str(err));
        free(name);
        t += len + (t[len] == ',');
    }
    cli_catch_stop_signals();
    printf("bootstrap=%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    while (!cli_stop_requested)
        pause();
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return CLI_EXIT_OK;
}

int cli_bench_main(int argc, char **argv)
{
    struct cli_common c;
    struct bench_opts o;
    int rc;

    memset(&o, 0, sizeof(o));
    o.size = 100;
    o.count = -1;
    cli_common_init(&c, "bench", argc);
    rc = parse_bench_args(&c, &o, argc, argv);
    if (rc == CLI_EXIT_OK) {
        switch (o.mode) {
        case MODE_PRODUCE: rc = bench_run_produce(&c, &o); break;
        case MODE_CONSUME: rc = bench_run_consume(&c, &o); break;
        case MODE_LATENCY: rc = bench_run_latency(&c, &o); break;
        case MODE_MOCK:
            rc = run_mock(&c, &o);
            break;
        }
    } else if (rc < 0) {
        rc = CLI_EXIT_OK;
    }
    free(o.value);
    cli_common_free(&c);
    return rc;
}
