#include "cli/cli_common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sbuf.h"
#include "core/util.h"

volatile sig_atomic_t cli_stop_requested;

void cli_common_init(struct cli_common *c, const char *cmd, int argc)
{
    const char *env = getenv("SLUICE_BOOTSTRAP");

    memset(c, 0, sizeof(*c));
    c->cmd = cmd;
    c->bootstrap = env && *env ? env : CLI_DEFAULT_BOOTSTRAP;
    c->bootstrap_from = env && *env ? "from SLUICE_BOOTSTRAP" : "the default";
    c->connect_timeout_ms = CLI_CONNECT_TIMEOUT_MS;
    /* There can be no more -X options than arguments. */
    c->props = xcalloc((size_t)argc + 1, sizeof(*c->props));
}

void cli_common_free(struct cli_common *c)
{
    free(c->props);
    c->props = NULL;
}

__attribute__((format(printf, 2, 0)))
static void vreport(const struct cli_common *c, const char *fmt, va_list ap)
{
    fprintf(stderr, "sluice %s: ", c->cmd);
    vfprintf(stderr, fmt, ap);
}

void cli_error(const struct cli_common *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(c, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

__attribute__((format(printf, 2, 0)))
static void vusage(const struct cli_common *c, const char *fmt, va_list ap)
{
    vreport(c, fmt, ap);
    fprintf(stderr, " (see 'sluice %s --help')\n", c->cmd);
}

int cli_usage_error(const struct cli_common *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vusage(c, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

bool cli_invalid(const struct cli_common *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vusage(c, fmt, ap);
    va_end(ap);
    return false;
}

/* Names the option getopt complained about: "-p" or "--partition". */
static void describe_bad_option(char *buf, size_t size, char **argv)
{
    const char *word = optind > 0 ? argv[optind - 1] : "";

    if (strncmp(word, "--", 2) == 0)
        snprintf(buf, size, "%.*s", (int)strcspn(word, "="), word);
    else if (optopt > 0 && optopt < 256)
        snprintf(buf, size, "-%c", optopt);
    else
        snprintf(buf, size, "%s", word);
}

static bool take_property(struct cli_common *c, const char *arg)
{
    const char *eq = strchr(arg, '=');

    if (!eq || eq == arg)
        return cli_invalid(c, "-X expects KEY=VALUE, got '%s'", arg);
    /* librdkafka's debug output is log lines: don't swallow them. */
    if ((size_t)(eq - arg) == strlen("debug") && !strncmp(arg, "debug", 5))
        c->show_logs = true;
    c->props[c->nprops++] = arg;
    return true;
}

static bool is_common_option(int opt)
{
    switch (opt) {
    case 'b':
    case 'X':
    case 'v':
    case 'h':
    case ':': /* getopt: missing value */
    case '?': /* getopt: unknown option */
        return true;
    default:
        return false;
    }
}

/* Handles one option that every subcommand has, or getopt's complaint. */
static bool take_common_option(struct cli_common *c, int opt, const char *arg,
                               char **argv)
{
    char name[64];

    switch (opt) {
    case 'b':
        c->bootstrap = arg;
        c->bootstrap_from = "from --bootstrap-server";
        return true;
    case 'X':
        return take_property(c, arg);
    case 'v':
        c->verbose = true;
        c->show_logs = true;
        return true;
    case 'h':
        c->help = true;
        return true;
    case ':':
        describe_bad_option(name, sizeof(name), argv);
        return cli_invalid(c, "option '%s' needs a value", name);
    default: /* '?' */
        describe_bad_option(name, sizeof(name), argv);
        return cli_invalid(c, "unknown option '%s'", name);
    }
}

int cli_parse_options(struct cli_common *c, int argc, char **argv,
                      const char *shortopts, const struct option *longopts,
                      cli_option_fn take, void *opts)
{
    int opt;

    optind = 0; /* a full reset: the caller may have used getopt before */
    opterr = 0; /* we word the messages ourselves */
    while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        bool ok = is_common_option(opt)
                      ? take_common_option(c, opt, optarg, argv)
                      : take(c, opts, opt, optarg);

        if (!ok)
            return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

bool cli_parse_int(const struct cli_common *c, const char *name,
                   const char *arg, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || v < min || v > max) {
        cli_usage_error(c, "%s must be an integer from %lld to %lld, not '%s'",
                        name, (long long)min, (long long)max, arg);
        return false;
    }
    *out = v;
    return true;
}

char *cli_split_kv(const char *s, const char **value)
{
    const char *eq = strchr(s, '=');

    if (!eq || eq == s)
        return NULL;
    *value = eq + 1;
    return xstrndup(s, (size_t)(eq - s));
}

char *cli_read_file(const struct cli_common *c, const char *path, size_t *len)
{
    bool use_stdin = !path || strcmp(path, "-") == 0;
    FILE *f = use_stdin ? stdin : fopen(path, "rb");
    struct sbuf text = {0};
    char buf[8192];
    size_t n;

    if (!f) {
        cli_error(c, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        sbuf_add(&text, buf, n);
    bool failed = ferror(f);
    if (!use_stdin)
        fclose(f);
    if (failed) {
        cli_error(c, "cannot read %s", use_stdin ? "stdin" : path);
        free(text.p);
        return NULL;
    }
    *len = text.len;
    return text.p ? text.p : xstrdup("");
}

/* librdkafka reports connection trouble here; it is usually transient, so
 * it is only a warning. */
static void on_client_error(rd_kafka_t *rk, int err, const char *reason,
                            void *opaque)
{
    struct cli_common *c = opaque;
    char fatal[512];

    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
        cli_error(c, "fatal error: %s", fatal);
        return;
    }
    if (c->connecting) {
        /* "1/1 brokers are down" follows the reason: keep the reason. */
        if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
            c->brokers_down = true;
        else
            snprintf(c->connect_error, sizeof(c->connect_error), "%s", reason);
        return;
    }
    cli_warn_once(c, (rd_kafka_resp_err_t)err, reason);
}

/* Without -v, librdkafka's own log lines would duplicate what error_cb and
 * the result codes already report, so they are dropped. */
static void on_client_log(const rd_kafka_t *rk, int level, const char *fac,
                          const char *buf)
{
}

void cli_warn_once(struct cli_common *c, rd_kafka_resp_err_t err,
                   const char *reason)
{
    for (size_t i = 0; i < c->nwarned; i++)
        if (c->warned[i] == err)
            return;
    if (c->nwarned < ARRAY_LEN(c->warned))
        c->warned[c->nwarned++] = err;
    cli_error(c, "warning: %s", reason);
}

rd_kafka_conf_t *cli_conf_new(struct cli_common *c)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();

    if (!cli_conf_set(c, conf, "bootstrap.servers", c->bootstrap) ||
        !cli_conf_set(c, conf, "client.id", CLI_CLIENT_ID)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_error_cb(conf, on_client_error);
    if (!c->show_logs)
        rd_kafka_conf_set_log_cb(conf, on_client_log);
    return conf;
}

bool cli_conf_set(const struct cli_common *c, rd_kafka_conf_t *conf,
                  const char *key, const char *value)
{
    char errstr[512];

    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) ==
        RD_KAFKA_CONF_OK)
        return true;
    cli_error(c, "cannot set %s=%s: %s", key, value, errstr);
    return false;
}

bool cli_conf_apply_props(const struct cli_common *c, rd_kafka_conf_t *conf)
{
    for (size_t i = 0; i < c->nprops; i++) {
        const char *value = NULL;
        char *key = cli_split_kv(c->props[i], &value);
        bool ok = key && cli_conf_set(c, conf, key, value);

        free(key);
        if (!ok)
            return false;
    }
    return true;
}

/* Waits until a broker answers a Metadata request, every broker has
 * failed to connect, or the time is up. Short requests in a loop, so that
 * error_cb is served in between and a refused connection ends the wait. */
static bool wait_for_broker(struct cli_common *c, rd_kafka_t *rk)
{
    int64_t deadline = mono_ms() + c->connect_timeout_ms;
    rd_kafka_resp_err_t err;

    c->connecting = true;
    c->brokers_down = false;
    c->connect_error[0] = '\0';
    do {
        const rd_kafka_metadata_t *md = NULL;
        int64_t left = MAX(deadline - mono_ms(), 1);

        err = rd_kafka_metadata(rk, 0, NULL, &md, (int)MIN(left, 200));
        if (!err)
            rd_kafka_metadata_destroy(md);
        rd_kafka_poll(rk, 0); /* serves error_cb */
    } while (err && !c->brokers_down && !cli_stop_requested &&
             mono_ms() < deadline);
    c->connecting = false;
    if (!err)
        return true;
    if (c->brokers_down)
        cli_error(c, "cannot connect to the broker at %s (%s): %s",
                  c->bootstrap, c->bootstrap_from, c->connect_error);
    else
        cli_error(c, "no broker answered at %s (%s) within %lld ms",
                  c->bootstrap, c->bootstrap_from,
                  (long long)c->connect_timeout_ms);
    fprintf(stderr, "  give the broker's address with --bootstrap-server "
                    "HOST:PORT (-b) or SLUICE_BOOTSTRAP\n");
    return false;
}

rd_kafka_t *cli_client_new(struct cli_common *c, rd_kafka_type_t type,
                           rd_kafka_conf_t *conf)
{
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));

    if (!rk) {
        rd_kafka_conf_destroy(conf);
        cli_error(c, "cannot create client: %s", errstr);
        return NULL;
    }
    if (!wait_for_broker(c, rk)) {
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

const rd_kafka_metadata_t *cli_all_metadata(const struct cli_common *c,
                                            rd_kafka_t *rk, int timeout_ms)
{
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);

    if (err) {
        cli_error(c, "cannot get metadata: %s", rd_kafka_err2str(err));
        return NULL;
    }
    return md;
}

const rd_kafka_metadata_topic_t *cli_find_topic(const rd_kafka_metadata_t *md,
                                                const char *name)
{
    for (int i = 0; i < md->topic_cnt; i++)
        if (!strcmp(md->topics[i].topic, name) &&
            md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            return &md->topics[i];
    return NULL;
}

static void on_stop_signal(int sig)
{
    cli_stop_requested = 1;
}

void cli_catch_stop_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART, so a blocked read of stdin returns; a second Ctrl-C
     * gets the default action and kills a stuck process. */
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

rd_kafka_event_t *cli_admin_wait(const struct cli_common *c, rd_kafka_queue_t *queue, int64_t timeout_ms,
                                 const char *what)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, (int)timeout_ms + 5000);
    if (!ev) {
        cli_error(c, "%s: no answer from the broker", what);
        return NULL;
    }
    if (rd_kafka_event_error(ev)) {
        cli_error(c, "%s: %s", what, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

const char *cli_one_topic(const struct cli_common *c, int argc, char **argv)
{
    if (optind >= argc) {
        cli_usage_error(c, "missing TOPIC");
        return NULL;
    }
    if (argc - optind > 1) {
        cli_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);
        return NULL;
    }
    return argv[optind];
}
