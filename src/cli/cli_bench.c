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
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
/* after rdkafka.h, which cli_common.h includes */
#include <librdkafka/rdkafka_mock.h>
#include "cli/hdr_hist.h"
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

enum { OPT_ACKS = 256, OPT_LINGER_MS, OPT_BATCH_SIZE, OPT_KEYS, OPT_IDLE_MS,
       OPT_JSON, OPT_TOPIC, OPT_BROKERS, OPT_PRODUCERS, OPT_VALUE_FILE };

enum bench_mode { MODE_PRODUCE, MODE_CONSUME, MODE_LATENCY, MODE_MOCK };

struct bench_opts {
    enum bench_mode mode;
    const char *mode_name;
    const char *topic;
    int64_t size;
    const char *value_file;
    char *value;            /* --value-file's bytes (size of them), else NULL */
    int64_t count;          /* -1: the mode's default */
    int64_t duration_s;     /* 0: by count */
    int64_t keys;
    int64_t partitions;     /* 0: don't create */
    const char *acks;
    const char *compression;
    const char *linger_ms;
    const char *batch_size;
    int64_t producers;
    int64_t idle_ms;
    int64_t brokers;
    bool json;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool is_one_of(const char *s, const char *const *choices)
{
    for (; *choices; choices++)
        if (!strcmp(s, *choices))
            return true;
    return false;
}

static bool take_bench_option(struct cli_common *c, void *opts, int opt,
                              const char *arg)
{
    struct bench_opts *o = opts;
    static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};
    static const char *const acks[] = {"0", "1", "all", "-1", NULL};
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
    case OPT_ACKS:
        if (!is_one_of(arg, acks))
            return cli_invalid(c, "--acks must be 0, 1 or all");
        o->acks = arg;
        return true;
    case 'z':
        if (!is_one_of(arg, codecs))
            return cli_invalid(c, "unknown compression '%s'", arg);
        o->compression = arg;
        return true;
    case OPT_LINGER_MS:
        if (!cli_parse_int(c, "--linger-ms", arg, 0, 900000, &n))
            return false;
        o->linger_ms = arg;
        return true;
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
        return cli_invalid(c, "unexpected option");
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
        {"acks", required_argument, NULL, OPT_ACKS},
        {"compression", required_argument, NULL, 'z'},
        {"linger-ms", required_argument, NULL, OPT_LINGER_MS},
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
    int rc = cli_parse_options(c, argc - 1, argv + 1, CLI_COMMON_SHORT_OPTS "s:n:d:P:z:",
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
    if (optind >= argc)
        return cli_usage_error(c, "missing TOPIC");
    if (argc - optind > 1)
        return cli_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);
    o->topic = argv[optind];
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

/* ---- output ---- */

struct bench_result {
    uint64_t messages;
    uint64_t bytes;          /* values (and keys) */
    uint64_t failed;
    double seconds;
    const struct hdr_hist *lat;   /* NULL: no latency figures */
    double first_s;          /* consume: from the assignment to the first record */
};

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

static void print_result(const struct bench_opts *o, const struct bench_result *r)
{
    double mps = r->seconds > 0 ? (double)r->messages / r->seconds : 0;
    double mbs = r->seconds > 0 ? (double)r->bytes / r->seconds / 1e6 : 0;

    if (o->json) {
        printf("{\"mode\":\"%s\",\"topic\":\"%s\",\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64
               ",\"failed\":%" PRIu64 ",\"seconds\":%.6f,\"msgs_per_s\":%.1f,\"mb_per_s\":%.3f",
               o->mode_name, o->topic, r->messages, r->bytes, r->failed, r->seconds, mps, mbs);
        if (r->first_s > 0)
            printf(",\"first_ms\":%.3f", r->first_s * 1e3);
        if (r->lat && r->lat->count)
            printf(",\"lat_count\":%" PRIu64 ",\"lat_mean_ms\":%.4f,\"lat_p50_ms\":%.4f,"
                   "\"lat_p99_ms\":%.4f,\"lat_p999_ms\":%.4f,\"lat_max_ms\":%.4f",
                   r->lat->count, hdr_mean(r->lat) / 1e6, ms(hdr_percentile(r->lat, 50)),
                   ms(hdr_percentile(r->lat, 99)), ms(hdr_percentile(r->lat, 99.9)),
                   ms(r->lat->max));
        printf("}\n");
    } else {
        printf("%s %s: %" PRIu64 " messages, %" PRIu64 " bytes in %.3f s%s\n", o->mode_name,
               o->topic, r->messages, r->bytes, r->seconds, r->failed ? " (some FAILED)" : "");
        printf("  %.0f msgs/s  %.2f MB/s\n", mps, mbs);
        if (r->failed)
            printf("  failed: %" PRIu64 "\n", r->failed);
        if (r->first_s > 0)
            printf("  first record after %.3f ms\n", r->first_s * 1e3);
        if (r->lat && r->lat->count)
            printf("  latency ms: p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f (%" PRIu64
                   " samples)\n",
                   ms(hdr_percentile(r->lat, 50)), ms(hdr_percentile(r->lat, 99)),
                   ms(hdr_percentile(r->lat, 99.9)), ms(r->lat->max), hdr_mean(r->lat) / 1e6,
                   r->lat->count);
    }
    fflush(stdout);
}

/* ---- producing ---- */

struct producer {
    struct cli_common *c;
    const struct bench_opts *o;
    rd_kafka_t *rk;
    pthread_t thread;
    uint64_t to_send;        /* 0: until deadline */
    uint64_t deadline_ns;
    uint64_t sent, delivered, failed, bytes;
    uint64_t rejected;       /* refused by rd_kafka_producev() itself */
    uint64_t last_ack_ns;
    struct hdr_hist hist;
    char first_error[256];
    int rc;
};

/* The message's opaque carries its send time, so every message can share
 * one constant value buffer that librdkafka need not copy; the producer
 * is the topic's opaque (set_topic_opaque). */
static void on_bench_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct producer *p = rd_kafka_topic_opaque(m->rkt);
    uint64_t t = now_ns(), sent_at = (uint64_t)(uintptr_t)m->_private;

    if (m->err) {
        if (!p->failed++)
            snprintf(p->first_error, sizeof(p->first_error), "%s", rd_kafka_err2str(m->err));
        return;
    }
    p->delivered++;
    p->bytes += m->len + m->key_len;
    p->last_ack_ns = t;
    hdr_record(&p->hist, t - sent_at);
}

static rd_kafka_conf_t *producer_conf(struct cli_common *c, const struct bench_opts *o,
                                      const char *default_linger)
{
    rd_kafka_conf_t *conf = cli_conf_new(c);
    if (!conf)
        return NULL;
    rd_kafka_conf_set_dr_msg_cb(conf, on_bench_delivery);
    bool ok = cli_conf_set(c, conf, "linger.ms", o->linger_ms ? o->linger_ms : default_linger) &&
              cli_conf_set(c, conf, "acks", o->acks ? o->acks : "all") &&
              cli_conf_set(c, conf, "compression.codec", o->compression ? o->compression : "none") &&
              cli_conf_set(c, conf, "queue.buffering.max.messages", "1000000");
    if (ok && o->batch_size)
        ok = cli_conf_set(c, conf, "batch.size", o->batch_size);
    if (ok)
        ok = cli_conf_apply_props(c, conf);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

/* CreateTopics with o->partitions; an existing topic is fine. */
static bool create_topic(struct cli_common *c, rd_kafka_t *rk, const struct bench_opts *o)
{
    char errstr[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(o->topic, (int)o->partitions, 1,
                                                    errstr, sizeof(errstr));
    if (!nt) {
        cli_error(c, "cannot create topic '%s': %s", o->topic, errstr);
        return false;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(ao, CLI_DEFAULT_TIMEOUT_MS, NULL, 0);
    rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, CLI_DEFAULT_TIMEOUT_MS + 5000);
    bool ok = false;
    if (!ev) {
        cli_error(c, "cannot create topic '%s': timed out", o->topic);
    } else if (rd_kafka_event_error(ev)) {
        cli_error(c, "cannot create topic '%s': %s", o->topic, rd_kafka_event_error_string(ev));
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rd_kafka_resp_err_t err = n ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        ok = !err || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
        if (!ok)
            cli_error(c, "cannot create topic '%s': %s", o->topic,
                      rd_kafka_topic_result_error_string(res[0]) ? rd_kafka_topic_result_error_string(res[0])
                                                                 : rd_kafka_err2str(err));
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return ok;
}

/* Waits until the client has the topic's metadata, so connecting and the
 * first Metadata round trip are not timed. */
static bool warm_up(struct cli_common *c, rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    bool ok = false;

    uint64_t deadline = now_ns() + 10 * 1000000000ull;   /* a topic being created, a broker starting */

    while (!ok && !cli_stop_requested && now_ns() < deadline) {
        err = rd_kafka_metadata(rk, 0, rkt, &md, 2000);
        if (!err) {
            ok = md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt > 0;
            if (!ok)
                err = md->topic_cnt ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
            rd_kafka_metadata_destroy(md);
        }
        if (!ok)
            usleep(100000);
    }
    if (!ok)
        cli_error(c, "no metadata for topic '%s': %s", topic, rd_kafka_err2str(err));
    rd_kafka_topic_destroy(rkt);
    return ok;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* Topics this producer makes get the producer as their opaque, which
 * the delivery callback reads back. The default topic configuration
 * already holds topic-level settings such as acks, so it is amended,
 * not replaced. */
static void set_topic_opaque(rd_kafka_conf_t *conf, struct producer *p)
{
    rd_kafka_topic_conf_t *tconf = rd_kafka_conf_get_default_topic_conf(conf);
    if (!tconf) {
        tconf = rd_kafka_topic_conf_new();
        rd_kafka_conf_set_default_topic_conf(conf, tconf);
    }
    rd_kafka_topic_conf_set_opaque(tconf, p);
}

static void *producer_thread(void *arg)
{
    struct producer *p = arg;
    const struct bench_opts *o = p->o;
    size_t size = (size_t)o->size;
    char *value = xcalloc(size ? size : 1, 1);
    char key[32];
    uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)p;

    for (size_t i = 0; i < size; i++)
        value[i] = o->value ? o->value[i] : (char)('a' + i % 26);
    while (!cli_stop_requested && !p->failed) {
        if (p->to_send ? p->sent >= p->to_send : now_ns() >= p->deadline_ns)
            break;
        uint64_t t = now_ns();
        size_t klen = 0;
        if (o->keys > 0)
            klen = (size_t)snprintf(key, sizeof(key), "key-%" PRIu64, xorshift(&seed) % (uint64_t)o->keys);
        rd_kafka_resp_err_t err;
        for (;;) {
            err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(o->topic),
                                    RD_KAFKA_V_VALUE(value, size),
                                    RD_KAFKA_V_KEY(klen ? key : NULL, klen),
                                    RD_KAFKA_V_MSGFLAGS(0),
                                    RD_KAFKA_V_OPAQUE((void *)(uintptr_t)t), RD_KAFKA_V_END);
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || cli_stop_requested)
                break;
            rd_kafka_poll(p->rk, 1);
        }
        if (err) {
            if (!p->failed && !p->rejected)
                snprintf(p->first_error, sizeof(p->first_error), "%s", rd_kafka_err2str(err));
            p->rejected++;
            p->rc = CLI_EXIT_ERROR;
            break;
        }
        p->sent++;
        if ((p->sent & 63) == 0)
            rd_kafka_poll(p->rk, 0);
    }
    while (rd_kafka_outq_len(p->rk) > 0 && !cli_stop_requested)
        rd_kafka_flush(p->rk, 100);
    free(value);
    return NULL;
}

static int run_produce(struct cli_common *c, struct bench_opts *o)
{
    int np = (int)(o->producers ? o->producers : 1);
    struct producer *ps = xcalloc((size_t)np, sizeof(*ps));
    int rc = CLI_EXIT_OK;
    uint64_t total = o->duration_s ? 0 : (uint64_t)(o->count > 0 ? o->count : 1000000);
    int made = 0;

    for (int i = 0; i < np; i++) {
        rd_kafka_conf_t *conf = producer_conf(c, o, "5");
        if (!conf) {
            rc = CLI_EXIT_USAGE;
            goto out;
        }
        ps[i].c = c;
        ps[i].o = o;
        hdr_init(&ps[i].hist);
        set_topic_opaque(conf, &ps[i]);
        ps[i].rk = cli_client_new(c, RD_KAFKA_PRODUCER, conf);
        if (!ps[i].rk) {
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        made++;
        ps[i].to_send = total ? total / (uint64_t)np + ((uint64_t)i < total % (uint64_t)np) : 0;
    }
    if (o->partitions && !create_topic(c, ps[0].rk, o)) {
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    for (int i = 0; i < np; i++)
        if (!warm_up(c, ps[i].rk, o->topic)) {
            rc = CLI_EXIT_ERROR;
            goto out;
        }
    cli_catch_stop_signals();
    uint64_t t0 = now_ns();
    for (int i = 0; i < np; i++) {
        ps[i].deadline_ns = t0 + (uint64_t)o->duration_s * 1000000000u;
        if (pthread_create(&ps[i].thread, NULL, producer_thread, &ps[i])) {
            cli_error(c, "cannot start a producer thread");
            np = i;
            rc = CLI_EXIT_ERROR;
            break;
        }
    }
    struct hdr_hist *all = xcalloc(1, sizeof(*all));
    hdr_init(all);
    struct bench_result r = {0};
    uint64_t t_end = t0;
    const char *err = NULL;
    for (int i = 0; i < np; i++) {
        pthread_join(ps[i].thread, NULL);
        hdr_merge(all, &ps[i].hist);
        r.messages += ps[i].delivered;
        r.bytes += ps[i].bytes;
        /* Whatever was queued and not acknowledged failed, reported or not. */
        r.failed += ps[i].sent - ps[i].delivered + ps[i].rejected;
        if (ps[i].last_ack_ns > t_end)
            t_end = ps[i].last_ack_ns;
        if ((ps[i].failed || ps[i].rejected) && !err)
            err = ps[i].first_error;
        if (ps[i].rc)
            rc = ps[i].rc;
    }
    r.seconds = (double)(t_end - t0) / 1e9;
    r.lat = all;
    print_result(o, &r);
    if (r.failed) {
        cli_error(c, "%" PRIu64 " records not delivered%s%s", r.failed, err ? ": " : "", err ? err : "");
        rc = CLI_EXIT_ERROR;
    } else if (cli_stop_requested) {
        rc = CLI_EXIT_ERROR;
    }
    free(all);
out:
    for (int i = 0; i < made; i++)
        rd_kafka_destroy(ps[i].rk);
    free(ps);
    return rc;
}

/* ---- latency: one record in flight at a time ---- */

static int run_latency(struct cli_common *c, struct bench_opts *o)
{
    struct producer p;
    int rc = CLI_EXIT_OK;
    uint64_t count = (uint64_t)(o->count > 0 ? o->count : 10000);
    size_t size = (size_t)(o->size >= 8 ? o->size : 8);
    rd_kafka_conf_t *conf = producer_conf(c, o, "0");

    if (!conf)
        return CLI_EXIT_USAGE;
    memset(&p, 0, sizeof(p));
    p.c = c;
    p.o = o;
    set_topic_opaque(conf, &p);
    p.rk = cli_client_new(c, RD_KAFKA_PRODUCER, conf);
    if (!p.rk)
        return CLI_EXIT_ERROR;
    struct hdr_hist *hist = xcalloc(1, sizeof(*hist));
    char *value = xcalloc(size, 1);
    memset(value + 8, 'x', size - 8);
    if ((o->partitions && !create_topic(c, p.rk, o)) || !warm_up(c, p.rk, o->topic)) {
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    cli_catch_stop_signals();
    /* A few untimed round trips open the connection to the leader. */
    uint64_t warm = count / 100 < 10 ? 10 : count / 100, t0 = 0;
    for (uint64_t i = 0; i < warm + count && !cli_stop_requested && !p.failed; i++) {
        if (i == warm) {
            hdr_init(&p.hist);
            p.bytes = 0;
            p.delivered = 0;
            t0 = now_ns();
        }
        uint64_t before = p.delivered + p.failed;
        uint64_t t = now_ns();
        rd_kafka_resp_err_t err = rd_kafka_producev(
            p.rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_VALUE(value, size),
            RD_KAFKA_V_MSGFLAGS(0), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)t), RD_KAFKA_V_END);
        if (err) {
            cli_error(c, "cannot send: %s", rd_kafka_err2str(err));
            rc = CLI_EXIT_ERROR;
            break;
        }
        p.sent++;
        while (p.delivered + p.failed == before && !cli_stop_requested)
            rd_kafka_poll(p.rk, 1000);
    }
    struct bench_result r = {0};
    r.messages = p.delivered;
    r.bytes = p.bytes;
    r.failed = p.failed;
    r.seconds = t0 ? (double)(now_ns() - t0) / 1e9 : 0;
    memcpy(hist, &p.hist, sizeof(*hist));
    r.lat = hist;
    print_result(o, &r);
    if (p.failed) {
        cli_error(c, "%" PRIu64 " records not delivered: %s", p.failed, p.first_error);
        rc = CLI_EXIT_ERROR;
    } else if (cli_stop_requested) {
        rc = CLI_EXIT_ERROR;
    }
out:
    free(value);
    free(hist);
    rd_kafka_destroy(p.rk);
    return rc;
}

/* ---- consuming ---- */

static int run_consume(struct cli_common *c, struct bench_opts *o)
{
    rd_kafka_conf_t *conf = cli_conf_new(c);
    int rc = CLI_EXIT_OK;
    uint64_t want = o->count > 0 ? (uint64_t)o->count : 0;
    int64_t idle_ms = o->idle_ms ? o->idle_ms : 5000;

    if (!conf)
        return CLI_EXIT_ERROR;
    if (!cli_conf_set(c, conf, "group.id", "sluice-bench") ||
        !cli_conf_set(c, conf, "enable.auto.commit", "false") ||
        !cli_conf_set(c, conf, "enable.auto.offset.store", "false") ||
        !cli_conf_set(c, conf, "enable.partition.eof", "false") ||
        !cli_conf_apply_props(c, conf)) {
        rd_kafka_conf_destroy(conf);
        return CLI_EXIT_USAGE;
    }
    rd_kafka_t *rk = cli_client_new(c, RD_KAFKA_CONSUMER, conf);
    if (!rk)
        return CLI_EXIT_ERROR;
    if (!warm_up(c, rk, o->topic)) {
        rd_kafka_destroy(rk);
        return CLI_EXIT_ERROR;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, CLI_DEFAULT_TIMEOUT_MS);
    rd_kafka_topic_destroy(rkt);
    if (err) {
        cli_error(c, "cannot get metadata of topic '%s': %s", o->topic, rd_kafka_err2str(err));
        rd_kafka_destroy(rk);
        return CLI_EXIT_ERROR;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
    for (int i = 0; i < md->topics[0].partition_cnt; i++)
        rd_kafka_topic_partition_list_add(parts, o->topic, md->topics[0].partitions[i].id)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(md);
    cli_catch_stop_signals();
    uint64_t t_assign = now_ns();
    err = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err) {
        cli_error(c, "cannot assign partitions: %s", rd_kafka_err2str(err));
        rd_kafka_destroy(rk);
        return CLI_EXIT_ERROR;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *batch[1024];
    struct bench_result r = {0};
    uint64_t t_first = 0, t_last = 0, t_idle = now_ns();
    while (!cli_stop_requested && (!want || r.messages < want)) {
        ssize_t n = rd_kafka_consume_batch_queue(q, 100, batch, 1024);
        uint64_t t = now_ns();
        if (n <= 0) {
            if ((int64_t)(t - t_idle) / 1000000 >= idle_ms)
                break;
            continue;
        }
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = batch[i];
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    cli_warn_once(c, m->err, rd_kafka_message_errstr(m));
            } else {
                r.messages++;
                r.bytes += m->len + m->key_len;
            }
            rd_kafka_message_destroy(m);
        }
        if (!t_first)
            t_first = t;
        t_last = t_idle = t;
    }
    /* Timed from the assignment (the first fetch is part of consuming) to
     * the last record. */
    r.seconds = t_last ? (double)(t_last - t_assign) / 1e9 : 0;
    r.first_s = t_first ? (double)(t_first - t_assign) / 1e9 : 0;
    print_result(o, &r);
    if (want && r.messages < want) {
        cli_error(c, "read %" PRIu64 " of %" PRIu64 " records", r.messages, want);
        rc = CLI_EXIT_ERROR;
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
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
        case MODE_PRODUCE:
            rc = run_produce(&c, &o);
            break;
        case MODE_CONSUME:
            rc = run_consume(&c, &o);
            break;
        case MODE_LATENCY:
            rc = run_latency(&c, &o);
            break;
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
