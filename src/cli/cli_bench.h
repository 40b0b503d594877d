/* sluice bench: what its files share. cli_bench.c reads the options and
 * runs a mode (the mock cluster itself); cli_bench_produce.c measures
 * producing (throughput, and latency one record at a time),
 * cli_bench_consume.c consuming; cli_bench_common.c has the producer
 * set-up both producing modes use and prints the figures. */
#ifndef SLUICE_CLI_BENCH_H
#define SLUICE_CLI_BENCH_H
#include <stdbool.h>
#include <stdint.h>

#include "cli/cli_common.h"
#include "cli/cli_producer_opts.h"
#include "cli/hdr_hist.h"

enum bench_mode { MODE_PRODUCE, MODE_CONSUME, MODE_LATENCY, MODE_MOCK };

struct bench_opts {
    enum bench_mode mode;
    const char *mode_name;
    const char *topic;
    int64_t size;
    const char *value_file;
    char *value;        /* --value-file's bytes (size of them), else NULL */
    int64_t count;      /* -1: the mode's default */
    int64_t duration_s; /* 0: by count */
    int64_t keys;
    int64_t partitions; /* 0: don't create */
    struct cli_producer_opts producer; /* --acks, --compression, --linger-ms */
    const char *batch_size;
    int64_t producers;
    int64_t idle_ms;
    int64_t brokers;
    bool json;
};

struct bench_result {
    uint64_t messages;
    uint64_t bytes; /* values (and keys) */
    uint64_t failed;
    double seconds;
    const struct hdr_hist *lat; /* NULL: no latency figures */
    double first_s;             /* consume: from the assignment to the first record */
};

struct producer {
    struct cli_common *c;
    const struct bench_opts *o;
    rd_kafka_t *rk;
    pthread_t thread;
    uint64_t to_send; /* 0: until deadline */
    uint64_t deadline_ns;
    uint64_t sent, delivered, failed, bytes;
    uint64_t rejected; /* refused by rd_kafka_producev() itself */
    uint64_t last_ack_ns;
    struct hdr_hist hist;
    char first_error[256];
    int rc;
};

uint64_t bench_now_ns(void); /* CLOCK_MONOTONIC */
double bench_ms(uint64_t ns);
void bench_print_result(const struct bench_opts *o, const struct bench_result *r);

/* The producer set-up the produce and latency modes share. */
rd_kafka_conf_t *bench_producer_conf(struct cli_common *c, const struct bench_opts *o, const char *default_linger);
/* CreateTopics with o->partitions; an existing topic is fine. */
bool bench_create_topic(struct cli_common *c, rd_kafka_t *rk, const struct bench_opts *o);
/* Waits until the client has the topic's metadata, so connecting and the
 * first Metadata round trip are not timed. */
bool bench_warm_up(struct cli_common *c, rd_kafka_t *rk, const char *topic);
/* Topics this producer makes get the producer as their opaque, which
 * the delivery callback reads back. */
void bench_set_topic_opaque(rd_kafka_conf_t *conf, struct producer *p);

int bench_run_produce(struct cli_common *c, struct bench_opts *o); /* cli_bench_produce.c */
int bench_run_latency(struct cli_common *c, struct bench_opts *o);
int bench_run_consume(struct cli_common *c, struct bench_opts *o); /* cli_bench_consume.c */
#endif
