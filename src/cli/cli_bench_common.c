/* sluice bench: the producer set-up the producing modes share, the clock,
 * and the figures every mode prints. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_bench.h"
#include "core/util.h"

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_ms(uint64_t ns) { return (double)ns / 1e6; }

void bench_print_result(const struct bench_opts *o, const struct bench_result *r)
{
    double mps = r->seconds > 0 ? (double)r->messages / r->seconds : 0;
    double mbs = r->seconds > 0 ? (double)r->bytes / r->seconds / 1e6 : 0;

    if (o->json) {
        printf("{\"mode\":\"%s\",\"topic\":\"%s\",\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"failed\":%" PRIu64
               ",\"seconds\":%.6f,\"msgs_per_s\":%.1f,\"mb_per_s\":%.3f",
               o->mode_name, o->topic, r->messages, r->bytes, r->failed, r->seconds, mps, mbs);
        if (r->first_s > 0)
            printf(",\"first_ms\":%.3f", r->first_s * 1e3);
        if (r->lat && r->lat->count)
            printf(",\"lat_count\":%" PRIu64
                   ",\"lat_mean_ms\":%.4f,\"lat_p50_ms\":%.4f,"
                   "\"lat_p99_ms\":%.4f,\"lat_p999_ms\":%.4f,\"lat_max_ms\":%.4f",
                   r->lat->count, hdr_mean(r->lat) / 1e6, bench_ms(hdr_percentile(r->lat, 50)),
                   bench_ms(hdr_percentile(r->lat, 99)), bench_ms(hdr_percentile(r->lat, 99.9)), bench_ms(r->lat->max));
        printf("}\n");
    } else {
        printf("%s %s: %" PRIu64 " messages, %" PRIu64 " bytes in %.3f s%s\n", o->mode_name, o->topic, r->messages,
               r->bytes, r->seconds, r->failed ? " (some FAILED)" : "");
        printf("  %.0f msgs/s  %.2f MB/s\n", mps, mbs);
        if (r->failed)
            printf("  failed: %" PRIu64 "\n", r->failed);
        if (r->first_s > 0)
            printf("  first record after %.3f ms\n", r->first_s * 1e3);
        if (r->lat && r->lat->count)
            printf("  latency ms: p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f (%" PRIu64 " samples)\n",
                   bench_ms(hdr_percentile(r->lat, 50)), bench_ms(hdr_percentile(r->lat, 99)),
                   bench_ms(hdr_percentile(r->lat, 99.9)), bench_ms(r->lat->max), hdr_mean(r->lat) / 1e6,
                   r->lat->count);
    }
    fflush(stdout);
}

/* The message's opaque carries its send time, so every message can share
 * one constant value buffer that librdkafka need not copy; the producer
 * is the topic's opaque (bench_set_topic_opaque). */
static void on_bench_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct producer *p = rd_kafka_topic_opaque(m->rkt);
    uint64_t t = bench_now_ns(), sent_at = (uint64_t)(uintptr_t)m->_private;

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

rd_kafka_conf_t *bench_producer_conf(struct cli_common *c, const struct bench_opts *o, const char *default_linger)
{
    rd_kafka_conf_t *conf = cli_conf_new(c);
    if (!conf)
        return NULL;
    rd_kafka_conf_set_dr_msg_cb(conf, on_bench_delivery);
    bool ok = cli_conf_set_producer(c, conf, &o->producer, default_linger) &&
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
bool bench_create_topic(struct cli_common *c, rd_kafka_t *rk, const struct bench_opts *o)
{
    char errstr[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(o->topic, (int)o->partitions, 1, errstr, sizeof(errstr));
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
bool bench_warm_up(struct cli_common *c, rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    bool ok = false;

    uint64_t deadline = bench_now_ns() + 10 * 1000000000ull; /* a topic being created, a broker starting */

    while (!ok && !cli_stop_requested && bench_now_ns() < deadline) {
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

/* Topics this producer makes get the producer as their opaque, which
 * the delivery callback reads back. The default topic configuration
 * already holds topic-level settings such as acks, so it is amended,
 * not replaced. */
void bench_set_topic_opaque(rd_kafka_conf_t *conf, struct producer *p)
{
    rd_kafka_topic_conf_t *tconf = rd_kafka_conf_get_default_topic_conf(conf);
    if (!tconf) {
        tconf = rd_kafka_topic_conf_new();
        rd_kafka_conf_set_default_topic_conf(conf, tconf);
    }
    rd_kafka_topic_conf_set_opaque(tconf, p);
}
