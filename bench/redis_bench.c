/* Redis Streams driver for bench/compare (hiredis): pipelined XADD and
 * batched XREAD, printing the same JSON keys as `sluice bench --json`.
 *
 *   redis_bench xadd  HOST PORT STREAM COUNT SIZE PIPELINE
 *   redis_bench xread HOST PORT STREAM COUNT BATCH
 *   redis_bench lat   HOST PORT STREAM COUNT SIZE      one XADD at a time
 *
 * xadd keeps PIPELINE commands in flight (it sends the next PIPELINE/2
 * once the oldest PIPELINE/2 are answered); xread reads COUNT entries from
 * the start of STREAM, BATCH entries per XREAD. */
#define _POSIX_C_SOURCE 200809L
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "driver_common.h"

static void die(const char *what, redisContext *c)
{
    fprintf(stderr, "redis_bench: %s: %s\n", what, c && c->errstr[0] ? c->errstr : "error");
    exit(1);
}

static void check(redisContext *c, redisReply *r)
{
    if (!r)
        die("reply", c);
    if (r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "redis_bench: %s\n", r->str);
        exit(1);
    }
    freeReplyObject(r);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: redis_bench xadd|xread|lat HOST PORT STREAM COUNT [SIZE PIPELINE | BATCH | SIZE]\n");
        return 2;
    }
    const char *mode = argv[1], *stream = argv[4];
    uint64_t count = strtoull(argv[5], NULL, 10);
    redisContext *c = redisConnect(argv[2], atoi(argv[3]));
    if (!c || c->err)
        die("connect", c);

    if (!strcmp(mode, "xadd") || !strcmp(mode, "lat")) {
        size_t size = argc > 6 ? strtoull(argv[6], NULL, 10) : 100;
        uint64_t depth = !strcmp(mode, "lat") ? 1 : (argc > 7 ? strtoull(argv[7], NULL, 10) : 1000);
        char *value = malloc(size + 1);
        memset(value, 'v', size);
        const char *av[5] = {"XADD", stream, "*", "v", value};
        size_t al[5] = {4, strlen(stream), 1, 1, size};
        uint64_t *lat = !strcmp(mode, "lat") ? calloc(count, sizeof(uint64_t)) : NULL;
        uint64_t sent = 0, got = 0, half = depth > 1 ? depth / 2 : 1, t0 = now_ns();
        redisReply *r;
        while (got < count) {
            while (sent < count && sent - got < depth) {
                redisAppendCommandArgv(c, 5, av, al);
                sent++;
            }
            uint64_t until = got + half < sent ? got + half : sent;
            uint64_t t = lat ? now_ns() : 0;
            while (got < until) {
                if (redisGetReply(c, (void **)&r) != REDIS_OK)
                    die("XADD", c);
                check(c, r);
                got++;
            }
            if (lat)
                lat[got - 1] = now_ns() - t;
        }
        print_result(!strcmp(mode, "lat") ? "latency" : "produce", stream, count, count * size, 0,
                     now_ns() - t0, lat, lat ? count : 0);
        return 0;
    }
    if (!strcmp(mode, "xread")) {
        const char *batch = argc > 6 ? argv[6] : "1000";
        char last[64] = "0-0";
        uint64_t n = 0, bytes = 0, t0 = now_ns();
        while (n < count) {
            redisReply *r = redisCommand(c, "XREAD COUNT %s STREAMS %s %s", batch, stream, last);
            if (!r)
                die("XREAD", c);
            if (r->type != REDIS_REPLY_ARRAY || r->elements < 1) {
                fprintf(stderr, "redis_bench: XREAD ended at %" PRIu64 " of %" PRIu64 "\n", n, count);
                return 1;
            }
            redisReply *entries = r->element[0]->element[1];
            for (size_t i = 0; i < entries->elements; i++) {
                redisReply *e = entries->element[i];
                redisReply *fields = e->element[1];
                for (size_t f = 0; f < fields->elements; f += 2)
                    bytes += fields->element[f + 1]->len;
                if (i + 1 == entries->elements)
                    snprintf(last, sizeof(last), "%s", e->element[0]->str);
            }
            n += entries->elements;
            freeReplyObject(r);
        }
        print_result("consume", stream, n, bytes, 0, now_ns() - t0, NULL, 0);
        return 0;
    }
    fprintf(stderr, "redis_bench: unknown mode %s\n", mode);
    return 2;
}
