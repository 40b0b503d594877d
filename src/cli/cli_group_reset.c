/* sluice group reset-offsets, after kafka-consumer-groups --reset-offsets:
 * work out the plan (which partitions, their committed offset and the new
 * one), print it as Kafka's table, and commit it only with --execute.
 *
 * Topics are looked up in the metadata of every topic, never by name, so
 * a misspelled --topic is reported rather than created. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_group.h"
#include "core/util.h"

/* The partitions to reset, each with its offsets. */
struct reset_plan {
    rd_kafka_topic_partition_list_t *parts; /* offset: the new offset */
    int64_t *current;                       /* committed, -1 if none */
};

/* Offsets can only be reset while no consumer could overwrite them. A
 * group that never existed is described as Dead: nothing to lose. */
static bool group_is_inactive(struct group_run *g, const char *group)
{
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_ConsumerGroupDescription_t *d = group_describe_one(g, group, &ev);
    if (!d)
        return false;
    rd_kafka_consumer_group_state_t state = rd_kafka_ConsumerGroupDescription_state(d);
    size_t members = rd_kafka_ConsumerGroupDescription_member_count(d);
    rd_kafka_event_destroy(ev);
    if (state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY || state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD)
        return true;
    cli_error(&g->common, "group '%s' is %s with %zu active member%s: offsets can only be reset for an "
              "inactive (empty) group; stop its consumers first",
              group, rd_kafka_consumer_group_state_name(state), members, members == 1 ? "" : "s");
    return false;
}

/* Adds the partitions of one --topic NAME[:P,P...] to parts. */
static bool add_topic_spec(struct group_run *g, const rd_kafka_metadata_t *md, const char *spec,
                           rd_kafka_topic_partition_list_t *parts)
{
    const char *colon = strchr(spec, ':');
    char *name = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
    const rd_kafka_metadata_topic_t *mt = cli_find_topic(md, name);
    bool ok = mt != NULL;

    if (!mt)
        cli_error(&g->common, "topic '%s' does not exist", name);
    for (int p = 0; ok && !colon && p < mt->partition_cnt; p++)
        rd_kafka_topic_partition_list_add(parts, name, p);
    for (const char *s = colon ? colon + 1 : NULL; ok && s;) {
        char *end;
        long p = strtol(s, &end, 10);

        if (end == s || (*end && *end != ',') || p < 0) {
            cli_error(&g->common, "--topic %s: partitions are numbers separated by ','", spec);
            ok = false;
        } else if (p >= mt->partition_cnt) {
            cli_error(&g->common, "topic '%s' has no partition %ld (it has %d)", name, p, mt->partition_cnt);
            ok = false;
        } else {
            rd_kafka_topic_partition_list_add(parts, name, (int32_t)p);
        }
        s = *end ? end + 1 : NULL;
    }
    free(name);
    return ok;
}

/* The partitions the options name: those of --topic, or with --all-topics
 * those the group has committed offsets for. NULL (reported) on error. */
static rd_kafka_topic_partition_list_t *scope(struct group_run *g,
                                              const rd_kafka_topic_partition_list_t *committed)
{
    const struct group_opts *o = &g->opts;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);

    if (o->all_topics) {
        for (int i = 0; i < committed->cnt; i++)
            if (committed->elems[i].offset >= 0)
                rd_kafka_topic_partition_list_add(parts, committed->elems[i].topic,
                                                  committed->elems[i].partition);
        return parts;
    }
    const rd_kafka_metadata_t *md = cli_all_metadata(&g->common, g->rk, (int)o->timeout_ms);
    bool ok = md != NULL;
    for (size_t i = 0; ok && i < o->ntopics; i++)
        ok = add_topic_spec(g, md, o->topics[i], parts);
    if (md)
        rd_kafka_metadata_destroy(md);
    if (!ok) {
        rd_kafka_topic_partition_list_destroy(parts);
        return NULL;
    }
    rd_kafka_topic_partition_list_sort(parts, NULL, NULL);
    return parts;
}

/* --to-datetime and --by-duration: the first offset at or after the time,
 * left at -1 where there is none (the caller then takes the log end). */
static bool offsets_for_time(struct group_run *g, rd_kafka_topic_partition_list_t *parts)
{
    int64_t ms = g->opts.to_value;

    if (g->opts.to == RESET_DURATION) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - ms;
    }
    for (int i = 0; i < parts->cnt; i++)
        parts->elems[i].offset = ms;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(g->rk, parts, (int)g->opts.timeout_ms);
    for (int i = 0; !err && i < parts->cnt; i++)
        err = parts->elems[i].err;
    if (err)
        cli_error(&g->common, "cannot look up offsets by time: %s", rd_kafka_err2str(err));
    return !err;
}

/* One partition's new offset from its log range and committed offset, or
 * -1 (reported) when the target cannot apply. */
static int64_t target_offset(struct group_run *g, const rd_kafka_topic_partition_t *p, int64_t by_time,
                             int64_t lo, int64_t hi, int64_t current)
{
    int64_t want = -1;

    switch (g->opts.to) {
    case RESET_EARLIEST: want = lo; break;
    case RESET_LATEST: want = hi; break;
    case RESET_CURRENT: want = current >= 0 ? current : hi; break;
    case RESET_OFFSET: want = g->opts.to_value; break;
    case RESET_DATETIME:
    case RESET_DURATION: want = by_time >= 0 ? by_time : hi; break;
    case RESET_SHIFT:
        if (current < 0) {
            cli_error(&g->common, "cannot shift the offset of %s-%d: the group has no committed offset there",
                      p->topic, p->partition);
            return -1;
        }
        want = current + g->opts.to_value;
        break;
    case RESET_NONE: break;
    }
    return want < lo ? lo : want > hi ? hi : want;
}

static bool make_plan(struct group_run *g, const rd_kafka_topic_partition_list_t *committed,
                      struct reset_plan *plan)
{
    bool by_time = g->opts.to == RESET_DATETIME || g->opts.to == RESET_DURATION;
    rd_kafka_topic_partition_list_t *times = NULL;
    bool ok = true;

    plan->current = xcalloc((size_t)plan->parts->cnt + 1, sizeof(*plan->current));
    if (by_time) {
        times = rd_kafka_topic_partition_list_copy(plan->parts);
        ok = offsets_for_time(g, times);
    }
    for (int i = 0; ok && i < plan->parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &plan->parts->elems[i];
        const rd_kafka_topic_partition_t *c =
            rd_kafka_topic_partition_list_find(committed, p->topic, p->partition);
        int64_t lo = 0, hi = 0;
        rd_kafka_resp_err_t err =
            rd_kafka_query_watermark_offsets(g->rk, p->topic, p->partition, &lo, &hi, (int)g->opts.timeout_ms);

        if (err) {
            cli_error(&g->common, "cannot read the offsets of %s-%d: %s", p->topic, p->partition,
                      rd_kafka_err2str(err));
            ok = false;
            break;
        }
        plan->current[i] = c && c->offset >= 0 ? c->offset : -1;
        p->offset = target_offset(g, p, times ? times->elems[i].offset : -1, lo, hi, plan->current[i]);
        ok = p->offset >= 0;
    }
    if (times)
        rd_kafka_topic_partition_list_destroy(times);
    return ok;
}

/* Kafka's table (GROUP and TOPIC at least 15 wide, or as wide as the
 * longest), so that scripts reading its columns read ours; the committed
 * offset the plan replaces comes after them. */
static void print_plan(const char *group, const struct reset_plan *plan)
{
    int group_w = (int)MAX(strlen(group), 15), topic_w = 15;

    for (int i = 0; i < plan->parts->cnt; i++)
        topic_w = MAX(topic_w, (int)strlen(plan->parts->elems[i].topic));
    printf("%-*s %-*s %-10s %-15s %s\n", group_w, "GROUP", topic_w, "TOPIC", "PARTITION", "NEW-OFFSET",
           "CURRENT-OFFSET");
    for (int i = 0; i < plan->parts->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &plan->parts->elems[i];
        char current[32] = "-";

        if (plan->current[i] >= 0)
            snprintf(current, sizeof(current), "%" PRId64, plan->current[i]);
        printf("%-*s %-*s %-10d %-15" PRId64 " %s\n", group_w, group, topic_w, p->topic, p->partition, p->offset,
               current);
    }
}

static bool commit_plan(struct group_run *g, const char *group, const struct reset_plan *plan)
{
    rd_kafka_AlterConsumerGroupOffsets_t *alter = rd_kafka_AlterConsumerGroupOffsets_new(group, plan->parts);
    rd_kafka_AdminOptions_t *ao = group_admin_options(g, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    rd_kafka_AlterConsumerGroupOffsets(g->rk, &alter, 1, ao, g->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_AlterConsumerGroupOffsets_destroy(alter);
    rd_kafka_event_t *ev = group_wait_result(g, "cannot reset offsets");
    if (!ev)
        return false;
    bool ok = true;
    size_t n = 0;
    const rd_kafka_group_result_t **res =
        rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_topic_partition_list_t *pl = rd_kafka_group_result_partitions(res[i]);
        if (rd_kafka_group_result_error(res[i])) {
            cli_error(&g->common, "cannot reset offsets: %s", rd_kafka_error_string(rd_kafka_group_result_error(res[i])));
            ok = false;
        }
        for (int k = 0; pl && k < pl->cnt; k++)
            if (pl->elems[k].err) {
                cli_error(&g->common, "cannot reset %s-%d: %s", pl->elems[k].topic, pl->elems[k].partition,
                          rd_kafka_err2str(pl->elems[k].err));
                ok = false;
            }
    }
    rd_kafka_event_destroy(ev);
    return ok;
}

int group_reset_offsets(struct group_run *g)
{
    const char *group = g->opts.names[0];
    struct reset_plan plan = {NULL, NULL};
    rd_kafka_topic_partition_list_t *committed = NULL;
    bool ok = group_is_inactive(g, group) && (committed = group_committed_offsets(g, group)) &&
              (plan.parts = scope(g, committed)) && make_plan(g, committed, &plan);

    if (ok && plan.parts->cnt == 0) {
        cli_error(&g->common, "nothing to reset: group '%s' has no committed offsets", group);
        ok = false;
    }
    if (ok)
        print_plan(group, &plan);
    if (ok && g->opts.execute)
        ok = commit_plan(g, group, &plan);
    else if (ok)
        cli_error(&g->common, "dry run: offsets of group '%s' not changed; add --execute to commit them", group);
    if (committed)
        rd_kafka_topic_partition_list_destroy(committed);
    if (plan.parts)
        rd_kafka_topic_partition_list_destroy(plan.parts);
    free(plan.current);
    return ok ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}
