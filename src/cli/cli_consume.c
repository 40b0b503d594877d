/* sluice consume: print the records of a topic, one per line. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "cli/cli_consume.h"
#include "core/util.h"

/* ---- end-of-partition tracking, for --timeout-ms ---- */

static void set_at_end(struct consume_run *r, int32_t partition, bool value)
{
    size_t p = (size_t)partition;

    if (partition < 0)
        return;
    if (p >= r->at_end_len) {
        size_t len = p + 16;

        r->at_end = xrealloc(r->at_end, len * sizeof(*r->at_end));
        memset(r->at_end + r->at_end_len, 0,
               (len - r->at_end_len) * sizeof(*r->at_end));
        r->at_end_len = len;
    }
    r->at_end[p] = value;
}

static bool is_at_end(const struct consume_run *r, int32_t partition)
{
    return partition >= 0 && (size_t)partition < r->at_end_len &&
           r->at_end[partition];
}

/* Counts the partitions being read and those not yet at their end. */
static void count_behind(struct consume_run *r, size_t *total, size_t *behind)
{
    rd_kafka_topic_partition_list_t *assigned = NULL;

    *total = *behind = 0;
    if (!r->opts.group) {
        for (size_t i = 0; i < r->nstarted; i++)
            *behind += !is_at_end(r, r->started[i]);
        *total = r->nstarted;
        return;
    }
    if (rd_kafka_assignment(r->rk, &assigned))
        return;
    for (int i = 0; i < assigned->cnt; i++)
        *behind += !is_at_end(r, assigned->elems[i].partition);
    *total = (size_t)assigned->cnt;
    rd_kafka_topic_partition_list_destroy(assigned);
}

/* Group membership changes: forget what we knew about partition ends, since
 * a partition may have grown while another member had it. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct consume_run *r = opaque;
    bool cooperative = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    rd_kafka_error_t *error = NULL;

    for (int i = 0; i < parts->cnt; i++)
        set_at_end(r, parts->elems[i].partition, false);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        /* --timeout-ms counts from here: the join itself may take the
         * broker's group.initial.rebalance.delay.ms and more. */
        r->assigned = true;
        r->last_record_ms = mono_ms();
        if (cooperative)
            error = rd_kafka_incremental_assign(rk, parts);
        else
            rd_kafka_assign(rk, parts);
    } else {
        if (cooperative)
            error = rd_kafka_incremental_unassign(rk, parts);
        else
            rd_kafka_assign(rk, NULL);
    }
    if (error) {
        cli_error(&r->common, "rebalance failed: %s",
                  rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
}

/* ---- the consumer ---- */

/* Returns CLI_EXIT_OK with r->rk set, or the exit status to stop with. */
static int new_consumer(struct consume_run *r)
{
    struct cli_common *c = &r->common;
    const struct consume_opts *o = &r->opts;
    rd_kafka_conf_t *conf = cli_conf_new(c);
    bool ok = conf != NULL;

    if (!ok)
        return CLI_EXIT_ERROR;
    if (o->timeout_ms >= 0)
        ok = cli_conf_set(c, conf, "enable.partition.eof", "true");
    if (ok && o->group) {
        ok = cli_conf_set(c, conf, "group.id", o->group) &&
             cli_conf_set(c, conf, "auto.offset.reset",
                          o->start == START_END ? "latest" : "earliest");
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    } else if (ok) {
        /* Reading without a group: there is nowhere to commit to. */
        ok = cli_conf_set(c, conf, "enable.auto.commit", "false") &&
             cli_conf_set(c, conf, "enable.auto.offset.store", "false");
    }
    if (ok)
        ok = cli_conf_apply_props(c, conf);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return CLI_EXIT_USAGE;
    }
    r->rk = cli_client_new(c, RD_KAFKA_CONSUMER, conf);
    return r->rk ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

/* How long to wait for the broker's answer while setting up: no longer
 * than the idle timeout, if one was given. */
static int broker_timeout_ms(const struct consume_run *r)
{
    if (r->opts.timeout_ms < 0)
        return CLI_DEFAULT_TIMEOUT_MS;
    return (int)MAX(r->opts.timeout_ms, 1000);
}

/* Looks the topic up, so that a missing topic is an error rather than a
 * consumer waiting forever. */
static int fetch_partition_count(struct consume_run *r, int *count)
{
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err;
    const rd_kafka_metadata_topic_t *t;

    r->rkt = rd_kafka_topic_new(r->rk, r->opts.topic, NULL);
    if (!r->rkt) {
        cli_error(&r->common, "invalid topic '%s': %s", r->opts.topic,
                  rd_kafka_err2str(rd_kafka_last_error()));
        return CLI_EXIT_ERROR;
    }
    err = rd_kafka_metadata(r->rk, 0, r->rkt, &md, broker_timeout_ms(r));
    if (err) {
        cli_error(&r->common, "cannot get metadata of topic '%s': %s",
                  r->opts.topic, rd_kafka_err2str(err));
        return CLI_EXIT_ERROR;
    }
    t = md->topic_cnt == 1 ? &md->topics[0] : NULL;
    if (!t || (t->err && t->partition_cnt == 0)) {
        cli_error(&r->common, "topic '%s': %s", r->opts.topic,
                  rd_kafka_err2str(t ? t->err
                                     : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
        rd_kafka_metadata_destroy(md);
        return CLI_EXIT_ERROR;
    }
    *count = t->partition_cnt;
    rd_kafka_metadata_destroy(md);
    return CLI_EXIT_OK;
}

/* Turns --from @TIMESTAMP into offsets; partitions with no record that
 * recent start at their end. */
static int resolve_timestamps(struct consume_run *r,
                              rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_resp_err_t err;

    for (int i = 0; i < parts->cnt; i++)
        parts->elems[i].offset = r->opts.start_value;
    err = rd_kafka_offsets_for_times(r->rk, parts, broker_timeout_ms(r));
    if (err) {
        cli_error(&r->common, "cannot look up offsets by time: %s",
                  rd_kafka_err2str(err));
        return CLI_EXIT_ERROR;
    }
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];

        if (p->err) {
            cli_error(&r->common, "partition %d: cannot look up offset by "
                      "time: %s", (int)p->partition, rd_kafka_err2str(p->err));
            return CLI_EXIT_ERROR;
        }
        if (p->offset < 0)
            p->offset = RD_KAFKA_OFFSET_END;
    }
    return CLI_EXIT_OK;
}

static int64_t start_offset(const struct consume_opts *o)
{
    switch (o->start) {
    case START_END:
        return RD_KAFKA_OFFSET_END;
    case START_OFFSET:
        return o->start_value;
    case START_TAIL:
        return RD_KAFKA_OFFSET_TAIL(o->start_value);
    default:
        return RD_KAFKA_OFFSET_BEGINNING;
    }
}

/* The partitions to read without a group, each with its start offset. */
static int plan_partitions(struct consume_run *r, int count,
                           rd_kafka_topic_partition_list_t **out)
{
    const struct consume_opts *o = &r->opts;
    rd_kafka_topic_partition_list_t *parts;

    if (o->partition >= count) {
        cli_error(&r->common, "topic '%s' has no partition %d (it has %d)",
                  o->topic, (int)o->partition, count);
        return CLI_EXIT_ERROR;
    }
    parts = rd_kafka_topic_partition_list_new(count);
    for (int p = 0; p < count; p++)
        if (o->partition < 0 || o->partition == p)
            rd_kafka_topic_partition_list_add(parts, o->topic, p)->offset =
                start_offset(o);
    if (o->start == START_TIMESTAMP && resolve_timestamps(r, parts)) {
        rd_kafka_topic_partition_list_destroy(parts);
        return CLI_EXIT_ERROR;
    }
    *out = parts;
    return CLI_EXIT_OK;
}

/* Without a group, librdkafka's KafkaConsumer cannot assign(), so the
 * partitions are read with the simple consumer API into one queue. */
static int start_partitions(struct consume_run *r, int count)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    int rc = plan_partitions(r, count, &parts);

    if (rc)
        return rc;
    r->queue = rd_kafka_queue_new(r->rk);
    r->started = xcalloc((size_t)parts->cnt + 1, sizeof(*r->started));
    for (int i = 0; i < parts->cnt && !rc; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];

        if (rd_kafka_consume_start_queue(r->rkt, p->partition, p->offset,
                                         r->queue) == -1) {
            cli_error(&r->common, "cannot start partition %d: %s",
                      (int)p->partition,
                      rd_kafka_err2str(rd_kafka_last_error()));
            rc = CLI_EXIT_ERROR;
        } else {
            r->started[r->nstarted++] = p->partition;
        }
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return rc;
}

static int subscribe(struct consume_run *r)
{
    rd_kafka_topic_partition_list_t *topics =
        rd_kafka_topic_partition_list_new(1);
    rd_kafka_resp_err_t err;

    rd_kafka_poll_set_consumer(r->rk);
    rd_kafka_topic_partition_list_add(topics, r->opts.topic,
                                      RD_KAFKA_PARTITION_UA);
    err = rd_kafka_subscribe(r->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        cli_error(&r->common, "cannot subscribe to '%s': %s", r->opts.topic,
                  rd_kafka_err2str(err));
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

static rd_kafka_message_t *next_message(struct consume_run *r, int wait_ms)
{
    rd_kafka_message_t *m;

    if (r->opts.group)
        return rd_kafka_consumer_poll(r->rk, wait_ms);
    m = rd_kafka_consume_queue(r->queue, wait_ms);
    rd_kafka_poll(r->rk, 0); /* serves error_cb */
    return m;
}

/* Errors that mean the topic cannot be read at all end the run; the rest
 * (connection trouble and the like) are retried by librdkafka. */
static int handle_consumer_error(struct consume_run *r,
                                 const rd_kafka_message_t *m)
{
    switch (m->err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__FATAL:
        cli_error(&r->common, "%s", rd_kafka_message_errstr(m));
        return CLI_EXIT_ERROR;
    default:
        cli_warn_once(&r->common, m->err, rd_kafka_message_errstr(m));
        return CLI_EXIT_OK;
    }
}

/* Whether standard output is a pipe whose reader has gone: such a pipe
 * reports POLLERR even while we have nothing to write. */
static bool reader_gone(void)
{
    struct pollfd p = {.fd = STDOUT_FILENO, .events = 0, .revents = 0};

    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/* Returns CLI_EXIT_OK while standard output works. A reader that went
 * away (EPIPE, as with `| head`) ends the run normally, returning -1. */
static int check_output(struct consume_run *r)
{
    if (!ferror(stdout))
        return CLI_EXIT_OK;
    if (errno == EPIPE)
        return -1;
    cli_error(&r->common, "cannot write output: %s", strerror(errno));
    return CLI_EXIT_ERROR;
}

/* Returns CLI_EXIT_OK to go on, -1 when --count is reached or the reader
 * has gone, or an error. */
static int handle_message(struct consume_run *r, const rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        set_at_end(r, m->partition, true);
        return CLI_EXIT_OK;
    }
    if (m->err)
        return handle_consumer_error(r, m);
    set_at_end(r, m->partition, false);
    r->last_record_ms = mono_ms();
    if (r->opts.json)
        cli_consume_print_json(stdout, r->opts.topic, m);
    else if (r->opts.fields)
        cli_consume_print_text(stdout, m, r->opts.fields);
    else
        cli_consume_print_value(stdout, m);
    r->records++;
    if (r->opts.count && r->records >= (uint64_t)r->opts.count)
        return -1;
    return check_output(r);
}

/* --timeout-ms ran out: a clean end if every partition was read to its
 * end, otherwise the broker never let us get there. */
static int idle_timeout(struct consume_run *r)
{
    size_t total, behind;

    count_behind(r, &total, &behind);
    if (total && !behind)
        return CLI_EXIT_OK;
    if (!total)
        cli_error(&r->common, "no record for %lld ms and no partition of '%s' "
                  "assigned", (long long)r->opts.timeout_ms, r->opts.topic);
    else
        cli_error(&r->common, "no record for %lld ms, but %zu of %zu "
                  "partitions of '%s' not read to the end",
                  (long long)r->opts.timeout_ms, behind, total, r->opts.topic);
    return CLI_EXIT_ERROR;
}

/* Whether --timeout-ms has run out. A group member's clock starts when it
 * is assigned its partitions; a join that never completes is given up
 * after CLI_DEFAULT_TIMEOUT_MS more. */
static bool timed_out(const struct consume_run *r)
{
    int64_t idle = mono_ms() - r->last_record_ms;

    if (r->opts.timeout_ms < 0)
        return false;
    if (r->opts.group && !r->assigned)
        return idle >= r->opts.timeout_ms + CLI_DEFAULT_TIMEOUT_MS;
    return idle >= r->opts.timeout_ms;
}

static int consume_loop(struct consume_run *r)
{
    r->last_record_ms = mono_ms();
    while (!cli_stop_requested) {
        rd_kafka_message_t *m;
        int rc;

        if (timed_out(r))
            return idle_timeout(r);
        m = next_message(r, 100);
        if (m) {
            rc = handle_message(r, m);
            rd_kafka_message_destroy(m);
        } else {
            fflush(stdout); /* idle: let a reader see what we have */
            rc = reader_gone() ? -1 : check_output(r);
        }
        if (rc)
            return rc < 0 ? CLI_EXIT_OK : rc;
    }
    return CLI_EXIT_OK;
}

static void close_consumer(struct consume_run *r)
{
    if (!r->rk)
        return;
    if (r->opts.group)
        rd_kafka_consumer_close(r->rk); /* leaves the group, commits */
    for (size_t i = 0; i < r->nstarted; i++)
        rd_kafka_consume_stop(r->rkt, r->started[i]);
    if (r->queue)
        rd_kafka_queue_destroy(r->queue);
    if (r->rkt)
        rd_kafka_topic_destroy(r->rkt);
    rd_kafka_destroy(r->rk);
    r->rk = NULL;
}

static int run_consumer(struct consume_run *r)
{
    int partitions = 0;
    int rc = new_consumer(r);

    if (rc)
        return rc;
    cli_catch_stop_signals();
    /* A closed output pipe is noticed as EPIPE, so that a group member
     * still leaves its group properly. */
    signal(SIGPIPE, SIG_IGN);
    rc = fetch_partition_count(r, &partitions);
    if (!rc)
        rc = r->opts.group ? subscribe(r) : start_partitions(r, partitions);
    if (!rc)
        rc = consume_loop(r);
    close_consumer(r);
    if (rc == CLI_EXIT_OK && fflush(stdout) && errno != EPIPE) {
        cli_error(&r->common, "cannot write output: %s", strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    if (r->common.verbose)
        cli_error(&r->common, "consumed %llu records from %s",
                  (unsigned long long)r->records, r->opts.topic);
    return rc;
}

int cli_consume_main(int argc, char **argv)
{
    struct consume_run r;
    int rc;

    memset(&r, 0, sizeof(r));
    cli_common_init(&r.common, "consume", argc);
    r.opts.partition = -1;
    r.opts.timeout_ms = -1;
    rc = cli_consume_parse_args(&r.common, &r.opts, argc, argv);
    if (rc == CLI_EXIT_OK)
        rc = run_consumer(&r);
    else if (rc < 0) /* --help */
        rc = CLI_EXIT_OK;
    free(r.started);
    free(r.at_end);
    cli_common_free(&r.common);
    return rc;
}
