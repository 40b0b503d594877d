/* sluice bench consume: the throughput of reading a topic from the start. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_bench.h"
#include "core/util.h"

int bench_run_consume(struct cli_common *c, struct bench_opts *o)
{
    rd_kafka_conf_t *conf = cli_conf_new(c);
    int rc = CLI_EXIT_OK;
    uint64_t want = o->count > 0 ? (uint64_t)o->count : 0;
    int64_t idle_ms = o->idle_ms ? o->idle_ms : 5000;

    if (!conf)
        return CLI_EXIT_ERROR;
    if (!cli_conf_set(c, conf, "group.id", "sluice-bench") || !cli_conf_set(c, conf, "enable.auto.commit", "false") ||
        !cli_conf_set(c, conf, "enable.auto.offset.store", "false") ||
        !cli_conf_set(c, conf, "enable.partition.eof", "false") || !cli_conf_apply_props(c, conf)) {
        rd_kafka_conf_destroy(conf);
        return CLI_EXIT_USAGE;
    }
    rd_kafka_t *rk = cli_client_new(c, RD_KAFKA_CONSUMER, conf);
    if (!rk)
        return CLI_EXIT_ERROR;
    if (!bench_warm_up(c, rk, o->topic)) {
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
    uint64_t t_assign = bench_now_ns();
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
    uint64_t t_first = 0, t_last = 0, t_idle = bench_now_ns();
    while (!cli_stop_requested && (!want || r.messages < want)) {
        ssize_t n = rd_kafka_consume_batch_queue(q, 100, batch, 1024);
        uint64_t t = bench_now_ns();
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
    bench_print_result(o, &r);
    if (want && r.messages < want) {
        cli_error(c, "read %" PRIu64 " of %" PRIu64 " records", r.messages, want);
        rc = CLI_EXIT_ERROR;
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}
