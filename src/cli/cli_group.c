/* sluice group: list, describe, delete and reset-offsets, on librdkafka's
 * admin API (ListConsumerGroups, DescribeConsumerGroups, DeleteGroups,
 * ListConsumerGroupOffsets, AlterConsumerGroupOffsets) plus watermark and
 * timestamp queries for lag and resets. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "cli/cli_group.h"
#include "cli/cli_time.h"
#include "core/util.h"

static const char group_help[] =
    "Usage: sluice group list [--state STATE]...\n"
    "       sluice group describe GROUP\n"
    "       sluice group delete GROUP...\n"
    "       sluice group reset-offsets GROUP (--topic TOPIC[:P,P...]... |\n"
    "                          --all-topics) TARGET [--execute | --dry-run]\n"
    "\n"
    "Actions:\n"
    "  list           print the groups, one per line: GROUP STATE, sorted\n"
    "  describe       print the group's state, assignor and members with their\n"
    "                 partitions, then per partition the committed offset, the\n"
    "                 log end offset and the lag; exit 1 if it does not exist\n"
    "  delete         delete empty groups and their committed offsets\n"
    "  reset-offsets  print the plan, kafka-consumer-groups' table GROUP TOPIC\n"
    "                 PARTITION NEW-OFFSET with CURRENT-OFFSET after it, and,\n"
    "                 with --execute, commit the new offsets; only for a group\n"
    "                 without active members, as kafka-consumer-groups\n"
    "                 --reset-offsets\n"
    "\n"
    "Options:\n"
    "      --state STATE     (list) only groups in this state: Empty, Stable,\n"
    "                        PreparingRebalance, CompletingRebalance (repeatable)\n"
    "      --topic TOPIC[:P,P...]\n"
    "                        (reset-offsets) every partition of TOPIC, or the\n"
    "                        partitions listed (repeatable); never creates it\n"
    "      --all-topics      (reset-offsets) every partition the group has a\n"
    "                        committed offset for\n"
    "  TARGET, one of (reset-offsets; new offsets are kept within the log):\n"
    "      --to-earliest     each partition's log start\n"
    "      --to-latest       each partition's log end\n"
    "      --to-current      the committed offset (log end if none)\n"
    "      --to-offset N     offset N\n"
    "      --shift-by N      the committed offset plus N (may be negative)\n"
    "      --to-datetime T   the first record at or after T, else the end;\n"
    "                        T is YYYY-MM-DDTHH:MM:SS[.sss][Z|+HH:MM] (local\n"
    "                        time without a zone) or ms since the epoch\n"
    "      --by-duration D   the first record at or after now minus D, an\n"
    "                        ISO-8601 duration such as PT1H or P1DT12H\n"
    "      --execute         (reset-offsets) commit the new offsets\n"
    "      --dry-run         (reset-offsets) print the plan only (the default)\n"
    "  -t, --timeout-ms N    how long to wait for the broker (default: 4000 to\n"
    "                        connect, 30000 for each request)\n"
    CLI_COMMON_HELP
    "\n"
    "Examples:\n"
    "  sluice group describe my-app\n"
    "  sluice group reset-offsets my-app --topic orders --to-earliest\n"
    "  sluice group reset-offsets my-app --topic orders:0,2 --shift-by -10 --execute\n"
    "  sluice group reset-offsets my-app --all-topics --by-duration PT1H --execute\n"
    "\n"
    "Exit status: 0 success, 1 error, 2 usage error.\n";

enum {
    OPT_STATE = 256,
    OPT_TOPIC,
    OPT_ALL_TOPICS,
    OPT_TO_EARLIEST,
    OPT_TO_LATEST,
    OPT_TO_CURRENT,
    OPT_TO_DATETIME,
    OPT_BY_DURATION,
    OPT_TO_OFFSET,
    OPT_SHIFT_BY,
    OPT_DRY_RUN,
    OPT_EXECUTE,
};

static const struct option group_longopts[] = {
    CLI_COMMON_LONG_OPTS,
    {"state", required_argument, NULL, OPT_STATE},
    {"topic", required_argument, NULL, OPT_TOPIC},
    {"all-topics", no_argument, NULL, OPT_ALL_TOPICS},
    {"to-earliest", no_argument, NULL, OPT_TO_EARLIEST},
    {"to-latest", no_argument, NULL, OPT_TO_LATEST},
    {"to-current", no_argument, NULL, OPT_TO_CURRENT},
    {"to-datetime", required_argument, NULL, OPT_TO_DATETIME},
    {"by-duration", required_argument, NULL, OPT_BY_DURATION},
    {"to-offset", required_argument, NULL, OPT_TO_OFFSET},
    {"shift-by", required_argument, NULL, OPT_SHIFT_BY},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"execute", no_argument, NULL, OPT_EXECUTE},
    {"timeout-ms", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

/* Records one reset target; exactly one must be given. */
static bool take_target(struct group_opts *o, enum reset_to to)
{
    o->to = to;
    o->nresets++;
    return true;
}

static bool take_group_option(struct cli_common *c, void *opts, int opt, const char *arg)
{
    struct group_opts *o = opts;

    switch (opt) {
    case OPT_STATE:
        if (rd_kafka_consumer_group_state_code(arg) == RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN)
            return cli_invalid(c, "unknown group state '%s'", arg);
        o->states[o->nstates++] = arg;
        return true;
    case OPT_TOPIC:
        if (!*arg || *arg == ':')
            return cli_invalid(c, "--topic needs a topic name");
        o->topics[o->ntopics++] = arg;
        return true;
    case OPT_ALL_TOPICS:
        o->all_topics = true;
        return true;
    case OPT_TO_EARLIEST:
        return take_target(o, RESET_EARLIEST);
    case OPT_TO_LATEST:
        return take_target(o, RESET_LATEST);
    case OPT_TO_CURRENT:
        return take_target(o, RESET_CURRENT);
    case OPT_TO_DATETIME:
        if (!cli_parse_datetime_ms(arg, &o->to_value))
            return cli_invalid(c, "--to-datetime takes YYYY-MM-DDTHH:MM:SS[.sss] with an optional "
                                  "zone (Z, +HH:MM) or ms since the epoch, not '%s'", arg);
        return take_target(o, RESET_DATETIME);
    case OPT_BY_DURATION:
        if (!cli_parse_duration_ms(arg, &o->to_value))
            return cli_invalid(c, "--by-duration takes an ISO-8601 duration such as PT1H or "
                                  "P1DT12H, not '%s'", arg);
        return take_target(o, RESET_DURATION);
    case OPT_TO_OFFSET:
        return cli_parse_int(c, "--to-offset", arg, 0, INT64_MAX, &o->to_value) &&
               take_target(o, RESET_OFFSET);
    case OPT_SHIFT_BY:
        return cli_parse_int(c, "--shift-by", arg, -INT64_MAX / 2, INT64_MAX / 2, &o->to_value) &&
               take_target(o, RESET_SHIFT);
    case OPT_DRY_RUN:
        o->dry_run = true;
        return true;
    case OPT_EXECUTE:
        o->execute = true;
        return true;
    case 't':
        if (!cli_parse_int(c, "--timeout-ms", arg, 1, INT32_MAX - 10000, &o->timeout_ms))
            return false;
        c->connect_timeout_ms = o->timeout_ms;
        return true;
    default:
        return cli_invalid(c, "unexpected option");
    }
}

/* ---- admin plumbing ---- */

rd_kafka_AdminOptions_t *group_admin_options(struct group_run *g, rd_kafka_admin_op_t op)
{
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(g->rk, op);
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(ao, (int)g->opts.timeout_ms, errstr, sizeof(errstr));
    return ao;
}

rd_kafka_event_t *group_wait_result(struct group_run *g, const char *what)
{
    return cli_admin_wait(&g->common, g->queue, g->opts.timeout_ms, what);
}

/* ---- list ---- */

struct listed {
    const char *id;
    const char *state;
};

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct listed *)a)->id, ((const struct listed *)b)->id);
}

static int group_list(struct group_run *g)
{
    rd_kafka_AdminOptions_t *ao = group_admin_options(g, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    if (g->opts.nstates) {
        rd_kafka_consumer_group_state_t st[8];
        size_t n = 0;
        for (size_t i = 0; i < g->opts.nstates && n < 8; i++)
            st[n++] = rd_kafka_consumer_group_state_code(g->opts.states[i]);
        rd_kafka_error_t *err = rd_kafka_AdminOptions_set_match_consumer_group_states(ao, st, n);
        if (err) {
            cli_error(&g->common, "%s", rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
            rd_kafka_AdminOptions_destroy(ao);
            return CLI_EXIT_USAGE;
        }
    }
    rd_kafka_ListConsumerGroups(g->rk, ao, g->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_event_t *ev = group_wait_result(g, "cannot list groups");
    if (!ev)
        return CLI_EXIT_ERROR;
    const rd_kafka_ListConsumerGroups_result_t *res = rd_kafka_event_ListConsumerGroups_result(ev);
    size_t n = 0, nerr = 0;
    const rd_kafka_ConsumerGroupListing_t **valid = rd_kafka_ListConsumerGroups_result_valid(res, &n);
    const rd_kafka_error_t **errs = rd_kafka_ListConsumerGroups_result_errors(res, &nerr);
    struct listed *v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        v[i].id = rd_kafka_ConsumerGroupListing_group_id(valid[i]);
        v[i].state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i]));
    }
    qsort(v, n, sizeof(*v), by_id);
    for (size_t i = 0; i < n; i++)
        printf("%s %s\n", v[i].id, v[i].state);
    for (size_t i = 0; i < nerr; i++)
        cli_error(&g->common, "%s", rd_kafka_error_string(errs[i]));
    free(v);
    rd_kafka_event_destroy(ev);
    return nerr ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

/* ---- shared: committed offsets and describe ---- */

/* The group's committed offsets (all partitions); NULL on error (reported). */
rd_kafka_topic_partition_list_t *group_committed_offsets(struct group_run *g, const char *group)
{
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, NULL);
    rd_kafka_AdminOptions_t *ao = group_admin_options(g, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_ListConsumerGroupOffsets(g->rk, &req, 1, ao, g->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_event_t *ev = group_wait_result(g, "cannot fetch committed offsets");
    if (!ev)
        return NULL;
    size_t n = 0;
    const rd_kafka_group_result_t **gr =
        rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
    rd_kafka_topic_partition_list_t *out = NULL;
    if (n == 1 && !rd_kafka_group_result_error(gr[0]))
        out = rd_kafka_topic_partition_list_copy(rd_kafka_group_result_partitions(gr[0]));
    else if (n == 1)
        cli_error(&g->common, "cannot fetch committed offsets of %s: %s", group,
                  rd_kafka_error_string(rd_kafka_group_result_error(gr[0])));
    rd_kafka_event_destroy(ev);
    if (out)
        rd_kafka_topic_partition_list_sort(out, NULL, NULL);
    return out;
}

/* The group's description (caller destroys the event); NULL on error. */
const rd_kafka_ConsumerGroupDescription_t *group_describe_one(struct group_run *g, const char *group,
                                                             rd_kafka_event_t **evp)
{
    const char *groups[1] = {group};
    rd_kafka_AdminOptions_t *ao = group_admin_options(g, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    rd_kafka_DescribeConsumerGroups(g->rk, groups, 1, ao, g->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_event_t *ev = group_wait_result(g, "cannot describe the group");
    if (!ev)
        return NULL;
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t **d =
        rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
    if (n != 1 || rd_kafka_ConsumerGroupDescription_error(d[0])) {
        cli_error(&g->common, "cannot describe %s: %s", group,
                  n == 1 ? rd_kafka_error_string(rd_kafka_ConsumerGroupDescription_error(d[0])) : "no result");
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    *evp = ev;
    return d[0];
}

static const char *owner_of(const rd_kafka_ConsumerGroupDescription_t *d, const char *topic, int32_t partition)
{
    size_t n = rd_kafka_ConsumerGroupDescription_member_count(d);
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_MemberDescription_t *m = rd_kafka_ConsumerGroupDescription_member(d, i);
        const rd_kafka_topic_partition_list_t *a =
            rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
        for (int k = 0; a && k < a->cnt; k++)
            if (a->elems[k].partition == partition && strcmp(a->elems[k].topic, topic) == 0)
                return rd_kafka_MemberDescription_consumer_id(m);
    }
    return "-";
}

static int group_describe(struct group_run *g)
{
    const char *group = g->opts.names[0];
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_ConsumerGroupDescription_t *d = group_describe_one(g, group, &ev);
    if (!d)
        return CLI_EXIT_ERROR;
    size_t nm = rd_kafka_ConsumerGroupDescription_member_count(d);
    /* Brokers describe a group they do not know as Dead, without error. */
    if (rd_kafka_ConsumerGroupDescription_state(d) == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD && nm == 0) {
        cli_error(&g->common, "group '%s' does not exist", group);
        rd_kafka_event_destroy(ev);
        return CLI_EXIT_ERROR;
    }
    const char *assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(d);
    printf("group %s\nstate %s\nassignor %s\nmembers %zu\n", group,
           rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d)),
           assignor && *assignor ? assignor : "-", nm);
    for (size_t i = 0; i < nm; i++) {
        const rd_kafka_MemberDescription_t *m = rd_kafka_ConsumerGroupDescription_member(d, i);
        const char *inst = rd_kafka_MemberDescription_group_instance_id(m);
        printf("  member %s client-id=%s host=%s%s%s partitions=", rd_kafka_MemberDescription_consumer_id(m),
               rd_kafka_MemberDescription_client_id(m), rd_kafka_MemberDescription_host(m),
               inst ? " instance-id=" : "", inst ? inst : "");
        const rd_kafka_topic_partition_list_t *a =
            rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
        for (int k = 0; a && k < a->cnt; k++)
            printf("%s%s-%d", k ? "," : "", a->elems[k].topic, a->elems[k].partition);
        printf("%s\n", a && a->cnt ? "" : "-");
    }
    rd_kafka_topic_partition_list_t *offs = group_committed_offsets(g, group);
    int rc = offs ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    if (offs) {
        printf("%-30s %9s %12s %12s %8s  %s\n", "TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "MEMBER");
        for (int i = 0; i < offs->cnt; i++) {
            const rd_kafka_topic_partition_t *p = &offs->elems[i];
            if (p->offset < 0)
                continue;
            int64_t lo = -1, hi = -1;
            rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(g->rk, p->topic, p->partition, &lo, &hi,
                                                                       (int)g->opts.timeout_ms);
            char end[32] = "-", lag[32] = "-";
            if (!err) {
                snprintf(end, sizeof(end), "%" PRId64, hi);
                snprintf(lag, sizeof(lag), "%" PRId64, hi > p->offset ? hi - p->offset : 0);
            }
            printf("%-30s %9d %12" PRId64 " %12s %8s  %s\n", p->topic, p->partition, p->offset, end, lag,
                   owner_of(d, p->topic, p->partition));
        }
        rd_kafka_topic_partition_list_destroy(offs);
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- delete ---- */

static int group_delete(struct group_run *g)
{
    int n = g->opts.nnames;
    rd_kafka_DeleteGroup_t **dg = xcalloc((size_t)n, sizeof(*dg));
    for (int i = 0; i < n; i++)
        dg[i] = rd_kafka_DeleteGroup_new(g->opts.names[i]);
    rd_kafka_AdminOptions_t *ao = group_admin_options(g, RD_KAFKA_ADMIN_OP_DELETEGROUPS);
    rd_kafka_DeleteGroups(g->rk, dg, (size_t)n, ao, g->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_DeleteGroup_destroy_array(dg, (size_t)n);
    free(dg);
    rd_kafka_event_t *ev = group_wait_result(g, "cannot delete groups");
    if (!ev)
        return CLI_EXIT_ERROR;
    size_t cnt = 0;
    const rd_kafka_group_result_t **res =
        rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &cnt);
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < cnt; i++) {
        const rd_kafka_error_t *err = rd_kafka_group_result_error(res[i]);
        if (err) {
            cli_error(&g->common, "cannot delete group %s: %s", rd_kafka_group_result_name(res[i]),
                      rd_kafka_error_string(err));
            rc = CLI_EXIT_ERROR;
        } else {
            printf("deleted group %s\n", rd_kafka_group_result_name(res[i]));
        }
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- actions ---- */

struct group_action {
    const char *name;
    int min_names, max_names;   /* -1: any number */
    int (*run)(struct group_run *g);
};

static const struct group_action actions[] = {
    {"list", 0, 0, group_list},
    {"describe", 1, 1, group_describe},
    {"delete", 1, -1, group_delete},
    {"reset-offsets", 1, 1, group_reset_offsets},
};

static const struct group_action *find_action(const char *name)
{
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(actions[i].name, name) == 0)
            return &actions[i];
    return NULL;
}

static int check_args(struct group_run *g, const struct group_action *a)
{
    struct cli_common *c = &g->common;
    struct group_opts *o = &g->opts;
    if (o->nnames < a->min_names)
        return cli_usage_error(c, "missing group name");
    if (a->max_names >= 0 && o->nnames > a->max_names)
        return cli_usage_error(c, "too many arguments");
    bool reset = a->run == group_reset_offsets;
    if (!reset && (o->ntopics || o->all_topics || o->nresets || o->dry_run || o->execute))
        return cli_usage_error(c, "--topic, --all-topics, the targets, --execute and --dry-run "
                                  "are for reset-offsets");
    if (a->run != group_list && o->nstates)
        return cli_usage_error(c, "--state is for list");
    if (reset && !o->ntopics == !o->all_topics)
        return cli_usage_error(c, "reset-offsets needs --topic or --all-topics (one of them)");
    if (reset && o->nresets != 1)
        return cli_usage_error(c, "reset-offsets needs exactly one of --to-earliest, --to-latest, "
                                  "--to-current, --to-offset, --shift-by, --to-datetime, --by-duration");
    if (reset && o->dry_run && o->execute)
        return cli_usage_error(c, "--dry-run and --execute exclude each other");
    return CLI_EXIT_OK;
}

int cli_group_main(int argc, char **argv)
{
    struct group_run g;
    struct group_opts *o = &g.opts;
    memset(&g, 0, sizeof(g));
    cli_common_init(&g.common, "group", argc);
    o->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    o->states = xcalloc((size_t)argc + 1, sizeof(*o->states));
    o->topics = xcalloc((size_t)argc + 1, sizeof(*o->topics));
    if (argc > 1 && find_action(argv[1])) {
        snprintf(g.cmd, sizeof(g.cmd), "group %s", argv[1]);
        g.common.cmd = g.cmd;
    }
    int rc = cli_parse_options(&g.common, argc, argv, CLI_COMMON_SHORT_OPTS "t:", group_longopts, take_group_option, o);
    const struct group_action *a = NULL;
    if (rc == CLI_EXIT_OK && g.common.help) {
        fputs(group_help, stdout);
    } else if (rc == CLI_EXIT_OK && optind >= argc) {
        rc = cli_usage_error(&g.common, "missing action: list, describe, delete or reset-offsets");
    } else if (rc == CLI_EXIT_OK && !(a = find_action(argv[optind]))) {
        rc = cli_usage_error(&g.common, "unknown action '%s'", argv[optind]);
    } else if (rc == CLI_EXIT_OK) {
        snprintf(g.cmd, sizeof(g.cmd), "group %s", a->name);
        g.common.cmd = g.cmd;
        o->names = argv + optind + 1;
        o->nnames = argc - optind - 1;
        rc = check_args(&g, a);
    }
    if (rc == CLI_EXIT_OK && a) {
        rd_kafka_conf_t *conf = cli_conf_new(&g.common);
        if (!conf) {
            rc = CLI_EXIT_ERROR;
        } else if (!cli_conf_apply_props(&g.common, conf)) {
            rd_kafka_conf_destroy(conf);
            rc = CLI_EXIT_USAGE;
        } else if (!(g.rk = cli_client_new(&g.common, RD_KAFKA_PRODUCER, conf))) {
            rc = CLI_EXIT_ERROR;
        } else {
            g.queue = rd_kafka_queue_new(g.rk);
            rc = a->run(&g);
            rd_kafka_queue_destroy(g.queue);
            rd_kafka_destroy(g.rk);
        }
    }
    free(o->states);
    free(o->topics);
    cli_common_free(&g.common);
    return rc;
}
