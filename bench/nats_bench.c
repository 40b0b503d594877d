/* NATS JetStream driver for bench/compare (nats.c): asynchronous publish
 * with a bounded window of un-acked messages, and pull-consumer fetches,
 * printing the same JSON keys as `sluice bench --json`.
 *
 *   nats_bench pub   HOST PORT STREAM COUNT SIZE
 *   nats_bench fetch HOST PORT STREAM COUNT BATCH
 *   nats_bench lat   HOST PORT STREAM COUNT SIZE      one js_Publish at a time
 *   nats_bench del   HOST PORT STREAM                 delete the stream
 *
 * STREAM is both the stream's name and its one subject; pub and lat create
 * it (file storage, one replica) or reuse it. pub keeps at most MAX_PENDING
 * (4096; 1000 was slower here, 16384 and 65536 no faster)
 * publishes un-acked (js_PublishAsync) and times from the first publish to
 * the last PubAck. fetch reads COUNT messages from the start of STREAM
 * through an ephemeral pull consumer with AckPolicy none, BATCH per
 * natsSubscription_Fetch. */
#define _POSIX_C_SOURCE 200809L
#include <nats/nats.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "driver_common.h"

#ifndef MAX_PENDING
#define MAX_PENDING 4096
#endif

static void die(const char *what, natsStatus s, jsErrCode jerr)
{
    fprintf(stderr, "nats_bench: %s: %s (jetstream error %d) %s\n", what, natsStatus_GetText(s), (int)jerr,
            nats_GetLastError(NULL) ? nats_GetLastError(NULL) : "");
    exit(1);
}

/* Publishes that failed; on_pub_err runs on the library's thread. */
static _Atomic uint64_t failed;

/* A negative PubAck. */
static void on_pub_err(jsCtx *js, jsPubAckErr *pae, void *closure)
{
    (void)js;
    (void)pae;
    (void)closure;
    failed++;
}

static void add_stream(jsCtx *js, const char *stream)
{
    jsStreamConfig sc;
    const char *subjects[1] = {stream};
    jsErrCode jerr = 0;
    jsStreamConfig_Init(&sc);
    sc.Name = stream;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Replicas = 1;
    natsStatus s = js_AddStream(NULL, js, &sc, NULL, &jerr);
    if (s != NATS_OK && jerr != JSStreamNameExistErr)
        die("js_AddStream", s, jerr);
}

int main(int argc, char **argv)
{
    if (argc < 5 || (argc < 7 && strcmp(argv[1], "del"))) {
        fprintf(stderr, "usage: nats_bench pub|fetch|lat|del HOST PORT STREAM [COUNT SIZE|BATCH]\n");
        return 2;
    }
    const char *mode = argv[1], *stream = argv[4];
    uint64_t count = argc > 5 ? strtoull(argv[5], NULL, 10) : 0, arg = argc > 6 ? strtoull(argv[6], NULL, 10) : 0;
    char url[256];
    snprintf(url, sizeof(url), "nats://%s:%s", argv[2], argv[3]);

    natsConnection *nc = NULL;
    natsOptions *no = NULL;
    jsCtx *js = NULL;
    jsOptions jo;
    jsErrCode jerr = 0;
    natsStatus s = natsOptions_Create(&no);
    if (s == NATS_OK)
        s = natsOptions_SetURL(no, url);
    if (s == NATS_OK)
        s = natsOptions_SetIOBufSize(no, 1 << 20);
    if (s == NATS_OK)
        s = natsConnection_Connect(&nc, no);
    if (s != NATS_OK)
        die("connect", s, 0);
    jsOptions_Init(&jo);
    jo.Wait = 30000;
    jo.PublishAsync.MaxPending = MAX_PENDING;
    jo.PublishAsync.StallWait = 30000;
    jo.PublishAsync.ErrHandler = on_pub_err;
    if ((s = natsConnection_JetStream(&js, nc, &jo)) != NATS_OK)
        die("jetstream", s, 0);

    if (!strcmp(mode, "pub") || !strcmp(mode, "lat")) {
        int size = (int)arg, is_lat = !strcmp(mode, "lat");
        char *value = malloc((size_t)size + 1);
        memset(value, 'v', (size_t)size);
        uint64_t *lat = is_lat ? calloc(count, sizeof(uint64_t)) : NULL;
        add_stream(js, stream);
        uint64_t t0 = now_ns();
        for (uint64_t i = 0; i < count; i++) {
            if (is_lat) {
                jsPubAck *pa = NULL;
                uint64_t t = now_ns();
                s = js_Publish(&pa, js, stream, value, size, NULL, &jerr);
                lat[i] = now_ns() - t;
                jsPubAck_Destroy(pa);
            } else {
                s = js_PublishAsync(js, stream, value, size, NULL);
            }
            if (s != NATS_OK)
                failed++;
        }
        if (!is_lat) {
            jsPubOptions po;
            jsPubOptions_Init(&po);
            po.MaxWait = 60000;
            if ((s = js_PublishAsyncComplete(js, &po)) != NATS_OK) {
                natsMsgList pending;
                if (js_PublishAsyncGetPendingList(&pending, js) == NATS_OK) {
                    failed += (uint64_t)pending.Count;
                    natsMsgList_Destroy(&pending);
                }
            }
        }
        print_result(is_lat ? "latency" : "produce", stream, count, count * (uint64_t)size, failed, now_ns() - t0,
                     lat, lat ? count : 0);
    } else if (!strcmp(mode, "fetch")) {
        natsSubscription *sub = NULL;
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = stream;
        so.Config.DeliverPolicy = js_DeliverAll;
        so.Config.AckPolicy = js_AckNone;
        if ((s = js_PullSubscribe(&sub, js, stream, NULL, NULL, &so, &jerr)) != NATS_OK)
            die("js_PullSubscribe", s, jerr);
        uint64_t n = 0, bytes = 0, t0 = now_ns();
        while (n < count) {
            natsMsgList list;
            int want = count - n < arg ? (int)(count - n) : (int)arg;
            if ((s = natsSubscription_Fetch(&list, sub, want, 10000, &jerr)) != NATS_OK) {
                fprintf(stderr, "nats_bench: fetch ended at %" PRIu64 " of %" PRIu64 "\n", n, count);
                die("natsSubscription_Fetch", s, jerr);
            }
            for (int i = 0; i < list.Count; i++)
                bytes += (uint64_t)natsMsg_GetDataLength(list.Msgs[i]);
            n += (uint64_t)list.Count;
            natsMsgList_Destroy(&list);
        }
        print_result("consume", stream, n, bytes, 0, now_ns() - t0, NULL, 0);
        natsSubscription_Destroy(sub);
    } else if (!strcmp(mode, "del")) {
        if ((s = js_DeleteStream(js, stream, NULL, &jerr)) != NATS_OK)
            die("js_DeleteStream", s, jerr);
    } else {
        fprintf(stderr, "nats_bench: unknown mode %s\n", mode);
        return 2;
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    natsOptions_Destroy(no);
    nats_Close();
    return 0;
}
