/* sluice topic: create, list, describe, delete and alter-config. This file
 * reads the arguments and runs the action (cli_topic.h lists the files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_topic.h"
#include "core/util.h"

static const char topic_help[] =
    "Usage: sluice topic create NAME [--partitions N] [--replication-factor N]\n"
    "                          [--config KEY=VALUE]... [--validate-only]\n"
    "       sluice topic list [--all]\n"
    "       sluice topic describe NAME [--json]\n"
    "       sluice topic configs NAME [--json]\n"
    "       sluice topic alter NAME --partitions N [--validate-only]\n"
    "       sluice topic delete NAME...\n"
    "       sluice topic alter-config NAME [--set KEY=VALUE]... [--delete KEY]...\n"
    "                          [--validate-only]\n"
    "\n"
    "Actions:\n"
    "  create        create topic NAME\n"
    "  list          print the topic names, one per line, sorted; internal\n"
    "                topics (names starting with \"__\") only with --all\n"
    "  describe      print the partitions (leader, replicas, in-sync\n"
    "                replicas, low and high watermark) and the topic's\n"
    "                configuration, each entry with where its value comes from\n"
    "  configs       print the topic's configuration as kafka-configs\n"
    "                --describe --all does: each entry's value, its source\n"
    "                and the synonyms it falls back to\n"
    "  alter         raise the topic's partition count to N (existing\n"
    "                records stay where they are; keyed records may now go\n"
    "                to other partitions)\n"
    "  delete        delete the named topics\n"
    "  alter-config  set or remove topic-level configuration entries; the\n"
    "                entries not named keep their values\n"
    "\n"
    "Options:\n"
    "  -P, --partitions N    (create) number of partitions (default 1;\n"
    "                        -1: the broker's default); (alter) the new total\n"
    "      --replication-factor N\n"
    "                        (create) copies of each partition (default 1;\n"
    "                        -1: the broker's default)\n"
    "      --config KEY=VALUE\n"
    "                        (create) topic configuration entry (repeatable)\n"
    "      --validate-only   (create, alter, alter-config) let the broker check the\n"
    "                        request without carrying it out\n"
    "      --all             (list) include internal topics\n"
    "      --json            (describe, configs) print one JSON object\n"
    "      --set KEY=VALUE   (alter-config) set KEY (repeatable)\n"
    "      --delete KEY      (alter-config) remove KEY, so the broker default\n"
    "                        applies again (repeatable)\n"
    "  -t, --timeout-ms N    how long to wait for the broker (default: 4000 to\n"
    "                        connect, 30000 for each request)\n"
    CLI_COMMON_HELP
    "\n"
    "Examples:\n"
    "  sluice topic create orders -P 3 --config retention.ms=86400000\n"
    "  sluice topic configs orders\n"
    "  sluice topic alter orders --partitions 6\n"
    "  sluice topic alter-config orders --set retention.ms=3600000\n"
    "\n"
    "Exit status: 0 success, 1 error (also when only part of describe's\n"
    "information could be fetched), 2 usage error.\n";

/* ---- argument parsing and dispatch ---- */

static const struct topic_action topic_actions[] = {
    {"create", OPT_BIT(OPT_PARTITIONS) | OPT_BIT(OPT_REPLICATION) | OPT_BIT(OPT_CONFIG) | OPT_BIT(OPT_VALIDATE_ONLY), 1,
     1, cli_topic_create},
    {"list", OPT_BIT(OPT_ALL), 0, 0, cli_topic_list},
    {"describe", OPT_BIT(OPT_JSON), 1, 1, cli_topic_describe},
    {"configs", OPT_BIT(OPT_JSON), 1, 1, cli_topic_configs},
    {"alter", OPT_BIT(OPT_PARTITIONS) | OPT_BIT(OPT_VALIDATE_ONLY), 1, 1, cli_topic_alter},
    {"delete", 0, 1, -1, cli_topic_delete},
    {"alter-config", OPT_BIT(OPT_SET) | OPT_BIT(OPT_DELETE) | OPT_BIT(OPT_VALIDATE_ONLY), 1, 1, cli_topic_alter_config},
};

static const struct option topic_longopts[] = {
    CLI_COMMON_LONG_OPTS,
    {"partitions", required_argument, NULL, OPT_PARTITIONS},
    {"replication-factor", required_argument, NULL, OPT_REPLICATION},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"validate-only", no_argument, NULL, OPT_VALIDATE_ONLY},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {"set", required_argument, NULL, OPT_SET},
    {"delete", required_argument, NULL, OPT_DELETE},
    {"timeout-ms", required_argument, NULL, OPT_TIMEOUT_MS},
    {NULL, 0, NULL, 0},
};

/* The short forms, the same letters as in the other subcommands. */
static int short_option(int opt)
{
    switch (opt) {
    case 'P':
        return OPT_PARTITIONS;
    case 't':
        return OPT_TIMEOUT_MS;
    default:
        return opt;
    }
}

static bool needs_kv(struct cli_common *c, const char *opt, const char *arg)
{
    const char *eq = strchr(arg, '=');

    if (eq && eq != arg)
        return true;
    return cli_invalid(c, "%s expects KEY=VALUE, got '%s'", opt, arg);
}

/* Count limits: a partition count must fit the int librdkafka takes, and
 * -1 asks for the broker's default. */
static bool take_count(struct cli_common *c, const char *name,
                       const char *arg, int64_t *out)
{
    if (!cli_parse_int(c, name, arg, -1, INT32_MAX, out))
        return false;
    if (*out == 0)
        return cli_invalid(c, "%s cannot be 0", name);
    return true;
}

static bool take_topic_option(struct cli_common *c, void *opts, int opt,
                              const char *arg)
{
    struct topic_opts *o = opts;

    opt = short_option(opt);
    if (opt >= OPT_PARTITIONS && opt <= OPT_TIMEOUT_MS)
        o->given |= OPT_BIT(opt);
    switch (opt) {
    case OPT_PARTITIONS:
        return take_count(c, "--partitions", arg, &o->partitions);
    case OPT_REPLICATION:
        return take_count(c, "--replication-factor", arg, &o->replication);
    case OPT_CONFIG:
        if (!needs_kv(c, "--config", arg))
            return false;
        o->configs[o->nconfigs++] = arg;
        return true;
    case OPT_SET:
        if (!needs_kv(c, "--set", arg))
            return false;
        o->sets[o->nsets++] = arg;
        return true;
    case OPT_DELETE:
        if (!*arg || strchr(arg, '='))
            return cli_invalid(c, "--delete expects a KEY, got '%s'", arg);
        o->deletes[o->ndeletes++] = arg;
        return true;
    case OPT_VALIDATE_ONLY:
        o->validate_only = true;
        return true;
    case OPT_ALL:
        o->all = true;
        return true;
    case OPT_JSON:
        o->json = true;
        return true;
    case OPT_TIMEOUT_MS:
        if (!cli_parse_int(c, "--timeout-ms", arg, 1, INT32_MAX - 10000,
                           &o->timeout_ms))
            return false;
        c->connect_timeout_ms = o->timeout_ms;
        return true;
    default:
        return cli_invalid(c, "unexpected option");
    }
}

static const char *option_name(int opt)
{
    for (const struct option *lo = topic_longopts; lo->name; lo++)
        if (lo->val == opt)
            return lo->name;
    return "?";
}

static int check_alter_args(struct cli_common *c, const struct topic_opts *o)
{
    if (!o->nsets && !o->ndeletes)
        return cli_usage_error(c, "nothing to change: give --set or --delete");
    for (size_t i = 0; i < o->ndeletes; i++)
        if (cli_topic_sets_name(o->sets, o->nsets, o->deletes[i]))
            return cli_usage_error(c, "'%s' is both set and deleted",
                                   o->deletes[i]);
    return CLI_EXIT_OK;
}

/* Checks the options and names against what the action takes. */
static int check_topic_args(struct cli_common *c, const struct topic_action *a,
                            const struct topic_opts *o)
{
    unsigned extra = o->given & ~a->options & ~OPT_BIT(OPT_TIMEOUT_MS);

    for (int opt = OPT_PARTITIONS; extra; opt++)
        if (extra & OPT_BIT(opt))
            return cli_usage_error(c, "option --%s does not apply to %s",
                                   option_name(opt), a->name);
    if (o->nnames < a->min_names)
        return cli_usage_error(c, "missing topic NAME");
    if (a->max_names >= 0 && o->nnames > a->max_names)
        return cli_usage_error(c, "unexpected argument '%s'",
                               o->names[a->max_names]);
    if (a->run == cli_topic_alter_config)
        return check_alter_args(c, o);
    if (a->run == cli_topic_alter && (!(o->given & OPT_BIT(OPT_PARTITIONS)) || o->partitions < 1))
        return cli_usage_error(c, "alter needs --partitions N, the new total");
    return CLI_EXIT_OK;
}

static const struct topic_action *find_action(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(topic_actions); i++)
        if (!strcmp(topic_actions[i].name, name))
            return &topic_actions[i];
    return NULL;
}

/* Options may come before or after the action; the first non-option
 * argument is the action and the rest are topic names. Returns
 * CLI_EXIT_OK with *action set, -1 after --help, or an exit status. */
static int parse_topic_args(struct topic_run *t, int argc, char **argv,
                            const struct topic_action **action)
{
    struct cli_common *c = &t->common;
    struct topic_opts *o = &t->opts;
    int rc;

    /* Name the action in messages about its options, when it comes first. */
    if (argc > 1 && find_action(argv[1])) {
        snprintf(t->cmd, sizeof(t->cmd), "topic %s", argv[1]);
        c->cmd = t->cmd;
    }
    rc = cli_parse_options(c, argc, argv, CLI_COMMON_SHORT_OPTS "P:t:",
                           topic_longopts, take_topic_option, o);
    if (rc)
        return rc;
    if (c->help) {
        fputs(topic_help, stdout);
        return -1;
    }
    if (optind >= argc)
        return cli_usage_error(c, "missing action: create, list, describe, "
                                  "configs, alter, delete or alter-config");
    *action = find_action(argv[optind]);
    if (!*action)
        return cli_usage_error(c, "unknown action '%s'", argv[optind]);
    snprintf(t->cmd, sizeof(t->cmd), "topic %s", (*action)->name);
    c->cmd = t->cmd;
    o->names = argv + optind + 1;
    o->nnames = argc - optind - 1;
    return check_topic_args(c, *action, o);
}

static int run_action(struct topic_run *t, const struct topic_action *a)
{
    rd_kafka_conf_t *conf = cli_conf_new(&t->common);
    int rc;

    if (!conf)
        return CLI_EXIT_ERROR;
    if (!cli_conf_apply_props(&t->common, conf)) {
        rd_kafka_conf_destroy(conf);
        return CLI_EXIT_USAGE;
    }
    /* Admin requests can be sent from any client type. */
    t->rk = cli_client_new(&t->common, RD_KAFKA_PRODUCER, conf);
    if (!t->rk)
        return CLI_EXIT_ERROR;
    t->queue = rd_kafka_queue_new(t->rk);
    rc = a->run(t);
    rd_kafka_queue_destroy(t->queue);
    rd_kafka_destroy(t->rk);
    return rc;
}

int cli_topic_main(int argc, char **argv)
{
    struct topic_run t;
    struct topic_opts *o = &t.opts;
    const struct topic_action *action = NULL;
    int rc;

    memset(&t, 0, sizeof(t));
    cli_common_init(&t.common, "topic", argc);
    o->partitions = 1;
    o->replication = 1;
    o->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    o->configs = xcalloc((size_t)argc + 1, sizeof(*o->configs));
    o->sets = xcalloc((size_t)argc + 1, sizeof(*o->sets));
    o->deletes = xcalloc((size_t)argc + 1, sizeof(*o->deletes));
    rc = parse_topic_args(&t, argc, argv, &action);
    if (rc == CLI_EXIT_OK && action)
        rc = run_action(&t, action);
    else if (rc < 0) /* --help */
        rc = CLI_EXIT_OK;
    free(o->configs);
    free(o->sets);
    free(o->deletes);
    cli_common_free(&t.common);
    return rc;
}
