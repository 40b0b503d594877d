/* What the whole-broker fuzz targets (fuzz_broker, fuzz_http) share: a
 * broker opened per input in a fresh directory with no listener at all
 * (server.h's broker_open), turns of its event loop that never wait, and
 * the teardown a clean shutdown does; and libFuzzer's initialisation.
 * Static functions: each target is one translation unit (scripts/run-fuzz). */
#ifndef SLUICE_FUZZ_BROKER_HOST_H
#define SLUICE_FUZZ_BROKER_HOST_H
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "broker/broker.h"
#include "net/loop.h"
#include "server/server.h"
#include "fuzz_check.h"

static char host_dir[512];

static bool verbose; /* FUZZ_VERBOSE=1: the target says what each input did */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer's start: the data directory, named after the program, under
 * FUZZ_WORK_DIR (scripts/run-fuzz sets it, on tmpfs), else TMPDIR. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    const char *base = getenv("FUZZ_WORK_DIR");
    if (!base)
        base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    const char *name = strrchr((*argv)[0], '/');
    snprintf(host_dir, sizeof(host_dir), "%s/%s.%d", base, name ? name + 1 : (*argv)[0], (int)getpid());
    return 0;
}

static int host_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* No Kafka, HTTP or schema registry listener; verbose logs at info. */
static struct broker *host_open(struct config *cfg)
{
    config_init(cfg);
    char err[512];
    const char *props[][2] = {
        {"log.dirs", host_dir},
        {"log.level", verbose ? "info" : "error"},
        {"http.listeners", ""},
        {"schema.registry.listeners", ""},
        /* A first JoinGroup completes within the input, not 3 s later. */
        {"group.initial.rebalance.delay.ms", "0"},
    };
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
        CHECK(config_set(cfg, props[i][0], props[i][1], ORIGIN_FLAG, err, sizeof(err)), err);
    CHECK(config_finish(cfg, err, sizeof(err)), err);
    struct broker *b = broker_open(cfg, err, sizeof(err));
    if (!b)
        fprintf(stderr, "fuzz: cannot open a broker in %s: %s\n", host_dir, err);
    CHECK(b != NULL, "broker_open");
    /* No listener is bound: what Metadata and FindCoordinator advertise. */
    snprintf(b->listeners[0].adv_host, sizeof(b->listeners[0].adv_host), "127.0.0.1");
    b->listeners[0].adv_port = 9092;
    return b;
}

static void host_stop_loop(struct loop *l, void *arg)
{
    (void)arg;
    loop_stop(l);
}

/* One iteration of the loop without waiting: before-sleep hooks (woken
 * fetches), ready events (the flusher's completions), due timers. */
static void host_turn(struct broker *b)
{
    struct timer t;
    timer_init(&t, host_stop_loop, NULL);
    loop_timer_at(b->loop, &t, loop_now_ms(b->loop));
    loop_run(b->loop);
    loop_timer_cancel(b->loop, &t);
}

/* As a clean shutdown: flush, checkpoint, stop; then the directory goes. */
static void host_close(struct broker *b, struct config *cfg)
{
    broker_shutdown(b);
    broker_free(b);
    config_free(cfg);
    nftw(host_dir, host_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
#endif
