/* A lean Kafka-protocol client for bench/compare: Produce v3 and Fetch v4
 * spoken directly on one TCP connection, no client library, so that the
 * figures measure the broker rather than librdkafka. Prints the same JSON
 * keys as `sluice bench --json`.
 *
 *   kafka_raw produce HOST PORT TOPIC COUNT SIZE RECORDS_PER_BATCH INFLIGHT
 *   kafka_raw fetch   HOST PORT TOPIC COUNT SIZE MAX_BYTES
 *
 * The topic must exist; both modes use partition 0 only.
 *
 * produce builds one record batch (magic 2, no compression, no producer id,
 * RECORDS_PER_BATCH records, each a SIZE-byte value and a null key, CRC-32C
 * computed once) and sends it in Produce v3 requests (acks=1) over and over,
 * with INFLIGHT requests outstanding (pipelined; Kafka answers a connection's
 * requests in order), until COUNT records are acknowledged; when COUNT is not
 * a multiple of RECORDS_PER_BATCH, the last request carries a smaller batch
 * built the same way. The broker assigns offsets, so the same bytes can be
 * sent every time. A batch must fit max.message.bytes (1048588 by default:
 * 63 records of 16 KB). failed counts the records of requests whose partition
 * error code is not 0. Timed from the first send to the last response.
 *
 * fetch reads partition 0 from offset 0 with Fetch v4 (max_wait_ms 500,
 * min_bytes 1, max_bytes and partition_max_bytes MAX_BYTES, read
 * uncommitted), one request at a time, each response into one reused
 * buffer. It walks the batch headers of the records blob (nothing is
 * decoded or copied out), counts their records and fetches next from the
 * offset after the last complete batch (a partial batch at the end of a
 * response is normal, and dropped), until COUNT records are counted.
 * The records are not decoded, so bytes is messages * SIZE: the value bytes,
 * as `sluice bench consume` counts them (value plus key, and the keys are
 * null), which assumes the topic holds SIZE-byte values as produce writes.
 * The socket asks for an 8 MB receive buffer (SO_RCVBUF, capped by
 * net.core.rmem_max). Timed from the first request to the last response. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <isa-l/crc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "driver_common.h"

#define API_PRODUCE 0
#define API_FETCH 1
#define CLIENT_ID "kafka_raw"

static void die(const char *what)
{
    fprintf(stderr, "kafka_raw: %s\n", what);
    exit(1);
}

static void die_sys(const char *what)
{
    fprintf(stderr, "kafka_raw: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* ---- big-endian encoding into a growing buffer ---- */

struct buf {
    uint8_t *p;
    size_t len, cap;
};

static void reserve(struct buf *b, size_t n)
{
    if (b->len + n <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
        cap *= 2;
    if (!(b->p = realloc(b->p, cap)))
        die("out of memory");
    b->cap = cap;
}

static void put(struct buf *b, const void *p, size_t n)
{
    reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_be(struct buf *b, uint64_t v, int bytes)
{
    reserve(b, (size_t)bytes);
    for (int i = bytes - 1; i >= 0; i--)
        b->p[b->len++] = (uint8_t)(v >> (8 * i));
}

#define i8(b, v) put_be(b, (uint64_t)(v), 1)
#define i16(b, v) put_be(b, (uint64_t)(v), 2)
#define i32(b, v) put_be(b, (uint64_t)(v), 4)
#define i64(b, v) put_be(b, (uint64_t)(v), 8)

static void str(struct buf *b, const char *s)
{
    i16(b, strlen(s));
    put(b, s, strlen(s));
}

/* A signed varint (zig-zag, then LEB128), as records use. */
static void varint(struct buf *b, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    do {
        uint8_t c = u & 0x7f;
        u >>= 7;
        i8(b, u ? c | 0x80 : c);
    } while (u);
}

static void patch32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint64_t rd_be(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

/* Bounds-checked reading of a response. */
struct rd {
    const uint8_t *p, *end;
};

static uint64_t take(struct rd *r, int bytes)
{
    if (r->end - r->p < bytes)
        die("response is truncated");
    uint64_t v = rd_be(r->p, bytes);
    r->p += bytes;
    return v;
}

static void skip(struct rd *r, int64_t n)
{
    if (n < 0 || r->end - r->p < n)
        die("response is truncated");
    r->p += n;
}

static void skip_str(struct rd *r)
{
    int16_t len = (int16_t)take(r, 2);
    skip(r, len > 0 ? len : 0);
}

/* Starts a request frame: size (patched by end_request), header v1. */
static void begin_request(struct buf *b, int16_t api, int16_t version)
{
    b->len = 0;
    i32(b, 0);
    i16(b, api);
    i16(b, version);
    i32(b, 0);        /* correlation id, set per send */
    str(b, CLIENT_ID);
}

static void end_request(struct buf *b) { patch32(b->p, (uint32_t)(b->len - 4)); }

/* ---- the socket ---- */

/* rcvbuf: SO_RCVBUF to ask for before connecting (0: the kernel's
 * autotuning); the kernel caps it at net.core.rmem_max, and doubles it. */
static int dial(const char *host, const char *port, int rcvbuf)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc) {
        fprintf(stderr, "kafka_raw: %s:%s: %s\n", host, port, gai_strerror(rc));
        exit(1);
    }
    int fd = -1;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && rcvbuf)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0)
        die_sys("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die_sys("send");
        p += w;
        n -= (size_t)w;
    }
}

static void recv_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            die("the broker closed the connection");
        if (r < 0)
            die_sys("recv");
        p += r;
        n -= (size_t)r;
    }
}

/* Reads one response into b (grown as needed, never shrunk), checks its
 * correlation id and returns a reader positioned after it. */
static struct rd read_response(int fd, struct buf *b, int32_t corr)
{
    uint8_t hdr[4];
    recv_all(fd, hdr, 4);
    size_t size = (uint32_t)rd_be(hdr, 4);
    if (size < 4 || size > (1u << 30))
        die("bad response size");
    b->len = 0;
    reserve(b, size);
    recv_all(fd, b->p, size);
    b->len = size;
    struct rd r = {b->p, b->p + size};
    if ((int32_t)take(&r, 4) != corr)
        die("response out of order (correlation id)");
    return r;
}

/* ---- produce ---- */

/* One record batch of n records, SIZE-byte values, null keys. */
static void build_batch(struct buf *b, int32_t n, const uint8_t *value, int64_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    size_t start = b->len;
    i64(b, 0);               /* base offset: the broker's to assign */
    i32(b, 0);               /* batch length, patched below */
    i32(b, -1);              /* partition leader epoch */
    i8(b, 2);                /* magic */
    i32(b, 0);               /* crc, patched below */
    i16(b, 0);               /* attributes: no compression, create time */
    i32(b, n - 1);           /* last offset delta */
    i64(b, now_ms);          /* base timestamp */
    i64(b, now_ms);          /* max timestamp */
    i64(b, -1);              /* producer id */
    i16(b, -1);              /* producer epoch */
    i32(b, -1);              /* base sequence */
    i32(b, n);               /* records count */
    struct buf rec = {0};
    for (int32_t i = 0; i < n; i++) {
        rec.len = 0;
        i8(&rec, 0);         /* attributes */
        varint(&rec, 0);     /* timestamp delta */
        varint(&rec, i);     /* offset delta */
        varint(&rec, -1);    /* key: null */
        varint(&rec, size);
        put(&rec, value, (size_t)size);
        varint(&rec, 0);     /* headers */
        varint(b, (int64_t)rec.len);
        put(b, rec.p, rec.len);
    }
    free(rec.p);
    patch32(b->p + start + 8, (uint32_t)(b->len - start - 12));
    patch32(b->p + start + 17, ~crc32_iscsi(b->p + start + 21, (int)(b->len - start - 21), 0xFFFFFFFF));
}

/* A whole Produce v3 request (acks=1, partition 0) carrying one batch. */
static void build_produce(struct buf *b, const char *topic, int32_t n, const uint8_t *value, int64_t size)
{
    begin_request(b, API_PRODUCE, 3);
    i16(b, -1);              /* transactional id: null */
    i16(b, 1);               /* acks */
    i32(b, 30000);           /* timeout ms */
    i32(b, 1);               /* topics */
    str(b, topic);
    i32(b, 1);               /* partitions */
    i32(b, 0);
    size_t at = b->len;
    i32(b, 0);               /* records length, patched below */
    build_batch(b, n, value, size);
    patch32(b->p + at, (uint32_t)(b->len - at - 4));
    end_request(b);
}

/* Returns the partition error code of a Produce v3 response. */
static int16_t produce_error(struct rd *r)
{
    if ((int32_t)take(r, 4) != 1)
        die("produce response: not one topic");
    skip_str(r);
    if ((int32_t)take(r, 4) != 1)
        die("produce response: not one partition");
    take(r, 4);                          /* partition */
    int16_t err = (int16_t)take(r, 2);
    take(r, 8);                          /* base offset */
    take(r, 8);                          /* log append time */
    return err;
}

static int produce(int fd, const char *topic, uint64_t count, int64_t size, int32_t per_batch, int inflight)
{
    uint8_t *value = malloc((size_t)size + 1);
    memset(value, 'v', (size_t)size);
    struct buf full = {0}, tail = {0}, resp = {0};
    build_produce(&full, topic, per_batch, value, size);
    int32_t rest = (int32_t)(count % (uint64_t)per_batch);
    if (rest)
        build_produce(&tail, topic, rest, value, size);
    uint64_t nreq = count / (uint64_t)per_batch + (rest ? 1 : 0), sent = 0, done = 0, failed = 0;
    int32_t corr = 0;
    uint64_t t0 = now_ns();
    while (done < nreq) {
        while (sent < nreq && sent - done < (uint64_t)inflight) {
            struct buf *b = rest && sent == nreq - 1 ? &tail : &full;
            patch32(b->p + 8, (uint32_t)corr++);
            send_all(fd, b->p, b->len);
            sent++;
        }
        struct rd r = read_response(fd, &resp, (int32_t)done);
        if (produce_error(&r) != 0)
            failed += rest && done == nreq - 1 ? (uint64_t)rest : (uint64_t)per_batch;
        done++;
    }
    print_result("produce", topic, count, count * (uint64_t)size, failed, now_ns() - t0, NULL, 0);
    free(value);
    free(full.p);
    free(tail.p);
    free(resp.p);
    return 0;
}

/* ---- fetch ---- */

static int fetch(int fd, const char *topic, uint64_t count, int64_t size, int32_t max_bytes)
{
    struct buf req = {0}, resp = {0};
    int64_t offset = 0;
    uint64_t n = 0, idle_since = 0;
    int32_t corr = 0;
    uint64_t t0 = now_ns();
    while (n < count) {
        begin_request(&req, API_FETCH, 4);
        i32(&req, -1);           /* replica id: a consumer */
        i32(&req, 500);          /* max wait ms */
        i32(&req, 1);            /* min bytes */
        i32(&req, max_bytes);
        i8(&req, 0);             /* isolation: read uncommitted */
        i32(&req, 1);            /* topics */
        str(&req, topic);
        i32(&req, 1);            /* partitions */
        i32(&req, 0);
        i64(&req, offset);
        i32(&req, max_bytes);
        end_request(&req);
        patch32(req.p + 8, (uint32_t)corr);
        send_all(fd, req.p, req.len);

        struct rd r = read_response(fd, &resp, corr++);
        take(&r, 4);                         /* throttle time */
        if ((int32_t)take(&r, 4) != 1)
            die("fetch response: not one topic");
        skip_str(&r);
        if ((int32_t)take(&r, 4) != 1)
            die("fetch response: not one partition");
        take(&r, 4);                         /* partition */
        int16_t err = (int16_t)take(&r, 2);
        int64_t hw = (int64_t)take(&r, 8);
        take(&r, 8);                         /* last stable offset */
        int32_t naborted = (int32_t)take(&r, 4);
        skip(&r, naborted > 0 ? 16 * (int64_t)naborted : 0);
        int32_t len = (int32_t)take(&r, 4);
        const uint8_t *p = r.p;
        skip(&r, len > 0 ? len : 0);
        if (err) {
            fprintf(stderr, "kafka_raw: fetch at offset %" PRId64 ": error %d\n", offset, err);
            return 1;
        }
        uint64_t before = n;
        /* Complete batches only; a partial one at the end is dropped. */
        while (len >= 12 && n < count) {
            int64_t base = (int64_t)rd_be(p, 8);
            int32_t blen = (int32_t)rd_be(p + 8, 4);
            if (blen < 49 || blen > len - 12)
                break;
            int64_t last = base + (int32_t)rd_be(p + 23, 4);
            int32_t recs = (int32_t)rd_be(p + 57, 4);
            /* Records before the offset asked for (it fell inside the batch). */
            if (offset > base)
                recs -= (int32_t)(offset - base);
            if (recs > 0)
                n += (uint64_t)recs;
            if (last + 1 > offset)
                offset = last + 1;
            p += 12 + blen;
            len -= 12 + blen;
        }
        if (n > before) {
            idle_since = 0;
        } else if (!idle_since) {
            idle_since = now_ns();
        } else if (now_ns() - idle_since > 10000000000u) {
            fprintf(stderr, "kafka_raw: no new records for 10 s at offset %" PRId64 " (high watermark %" PRId64
                    "), %" PRIu64 " of %" PRIu64 " read\n", offset, hw, n, count);
            return 1;
        }
    }
    uint64_t ns = now_ns() - t0;
    if (n > count)
        n = count;
    print_result("consume", topic, n, n * (uint64_t)size, 0, ns, NULL, 0);
    free(req.p);
    free(resp.p);
    return 0;
}

int main(int argc, char **argv)
{
    int is_produce = argc > 1 && !strcmp(argv[1], "produce"), is_fetch = argc > 1 && !strcmp(argv[1], "fetch");
    if (!(is_produce && argc == 9) && !(is_fetch && argc == 8)) {
        fprintf(stderr, "usage: kafka_raw produce HOST PORT TOPIC COUNT SIZE RECORDS_PER_BATCH INFLIGHT\n"
                        "       kafka_raw fetch   HOST PORT TOPIC COUNT SIZE MAX_BYTES\n");
        return 2;
    }
    const char *topic = argv[4];
    uint64_t count = strtoull(argv[5], NULL, 10);
    int64_t size = strtoll(argv[6], NULL, 10), arg = strtoll(argv[7], NULL, 10);
    if (count == 0 || size < 0 || size > (1 << 30) || arg <= 0 || arg > INT32_MAX || strlen(topic) > 249)
        die("bad arguments");
    /* fetch: a fixed 8 MB receive buffer read ~10% faster here than the
     * kernel's autotuning (no difference for produce's send buffer). */
    int fd = dial(argv[2], argv[3], is_fetch ? 8 << 20 : 0);
    int rc;
    if (is_produce) {
        int64_t inflight = strtoll(argv[8], NULL, 10);
        if (inflight <= 0 || inflight > 1000)
            die("bad INFLIGHT");
        rc = produce(fd, topic, count, size, (int32_t)arg, (int)inflight);
    } else {
        rc = fetch(fd, topic, count, size, (int32_t)arg);
    }
    close(fd);
    return rc;
}
