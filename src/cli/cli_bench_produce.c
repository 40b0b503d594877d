/* sluice bench produce and latency: N producers at full speed, and one
 * record in flight at a time. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_bench.h"
#include "core/util.h"

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
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
        if (p->to_send ? p->sent >= p->to_send : bench_now_ns() >= p->deadline_ns)
            break;
        uint64_t t = bench_now_ns();
        size_t klen = 0;
        if (o->keys > 0)
            klen = (size_t)snprintf(key, sizeof(key), "key-%" PRIu64, xorshift(&seed) % (uint64_t)o->keys);
        rd_kafka_resp_err_t err;
        for (;;) {
            err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_VALUE(value, size),
                                    RD_KAFKA_V_KEY(klen ? key : NULL, klen), RD_KAFKA_V_MSGFLAGS(0),
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

int bench_run_produce(struct cli_common *c, struct bench_opts *o)
{
    int np = (int)(o->producers ? o->producers : 1);
    struct producer *ps = xcalloc((size_t)np, sizeof(*ps));
    int rc = CLI_EXIT_OK;
    uint64_t total = o->duration_s ? 0 : (uint64_t)(o->count > 0 ? o->count : 1000000);
    int made = 0;

    for (int i = 0; i < np; i++) {
        rd_kafka_conf_t *conf = bench_producer_conf(c, o, "5");
        if (!conf) {
            rc = CLI_EXIT_USAGE;
            goto out;
        }
        ps[i].c = c;
        ps[i].o = o;
        hdr_init(&ps[i].hist);
        bench_set_topic_opaque(conf, &ps[i]);
        ps[i].rk = cli_client_new(c, RD_KAFKA_PRODUCER, conf);
        if (!ps[i].rk) {
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        made++;
        ps[i].to_send = total ? total / (uint64_t)np + ((uint64_t)i < total % (uint64_t)np) : 0;
    }
    if (o->partitions && !bench_create_topic(c, ps[0].rk, o)) {
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    for (int i = 0; i < np; i++)
        if (!bench_warm_up(c, ps[i].rk, o->topic)) {
            rc = CLI_EXIT_ERROR;
            goto out;
        }
    cli_catch_stop_signals();
    uint64_t t0 = bench_now_ns();
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
    bench_print_result(o, &r);
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

int bench_run_latency(struct cli_common *c, struct bench_opts *o)
{
    struct producer p;
    int rc = CLI_EXIT_OK;
    uint64_t count = (uint64_t)(o->count > 0 ? o->count : 10000);
    size_t size = (size_t)(o->size >= 8 ? o->size : 8);
    rd_kafka_conf_t *conf = bench_producer_conf(c, o, "0");

    if (!conf)
        return CLI_EXIT_USAGE;
    memset(&p, 0, sizeof(p));
    p.c = c;
    p.o = o;
    bench_set_topic_opaque(conf, &p);
    p.rk = cli_client_new(c, RD_KAFKA_PRODUCER, conf);
    if (!p.rk)
        return CLI_EXIT_ERROR;
    struct hdr_hist *hist = xcalloc(1, sizeof(*hist));
    char *value = xcalloc(size, 1);
    memset(value + 8, 'x', size - 8);
    if ((o->partitions && !bench_create_topic(c, p.rk, o)) || !bench_warm_up(c, p.rk, o->topic)) {
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
            t0 = bench_now_ns();
        }
        uint64_t before = p.delivered + p.failed;
        uint64_t t = bench_now_ns();
        rd_kafka_resp_err_t err =
            rd_kafka_producev(p.rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_VALUE(value, size), RD_KAFKA_V_MSGFLAGS(0),
                              RD_KAFKA_V_OPAQUE((void *)(uintptr_t)t), RD_KAFKA_V_END);
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
    r.seconds = t0 ? (double)(bench_now_ns() - t0) / 1e9 : 0;
    memcpy(hist, &p.hist, sizeof(*hist));
    r.lat = hist;
    bench_print_result(o, &r);
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
