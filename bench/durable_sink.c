/* The least work a durable log does per byte on this machine, without any
 * Kafka: a child process sends BYTES over loopback TCP in FRAME-sized
 * writes; the receiver reads one frame at a time, checks a CRC-32C over it
 * (ISA-L, as Sluice) and pwrite()s it to the end of a new file in DIR,
 * while a second thread calls fdatasync() on that file in a loop (group
 * commit under load: Sluice's flusher makes produced data durable as fast
 * as the disk takes it). Timed from the first byte to the last frame
 * durable; prints the same JSON keys as the other drivers, plus the
 * receiving process's CPU seconds per GB.
 *
 *   durable_sink DIR BYTES FRAME THREADS
 *
 * THREADS 1: receive and write on one thread (Sluice's event loop does
 * both). THREADS 2: receive on one thread and write on another, through a
 * ring of 8 frame buffers: whether handing the page-cache write to a second
 * thread would pay on this machine. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <isa-l/crc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "driver_common.h"

#define RING 8

static void die(const char *what)
{
    fprintf(stderr, "durable_sink: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double cpu_seconds(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static void send_all(uint16_t port, uint64_t total, size_t frame)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
        die("connect");
    char *buf = malloc(frame);
    if (!buf)
        die("malloc");
    memset(buf, 'x', frame);
    for (uint64_t sent = 0; sent < total;) {
        size_t want = total - sent < frame ? (size_t)(total - sent) : frame;
        ssize_t n = write(s, buf, want);
        if (n <= 0)
            die("send");
        sent += (uint64_t)n;
    }
    close(s);
    _exit(0);
}

/* Fills buf with up to len bytes; returns how many (less only at the end). */
static size_t recv_frame(int s, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(s, buf + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("recv");
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static struct {
    int fd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *buf[RING];
    size_t len[RING];
    uint64_t head, tail;   /* frames received, frames written */
    bool eof, stop_sync;
    off_t pos;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void write_frame(const char *buf, size_t len)
{
    if (pwrite(g.fd, buf, len, g.pos) != (ssize_t)len)
        die("pwrite");
    g.pos += (off_t)len;
}

static void *syncer(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&g.mu);
        bool stop = g.stop_sync;
        pthread_mutex_unlock(&g.mu);
        if (stop)
            return NULL;
        if (fdatasync(g.fd) < 0)
            die("fdatasync");
    }
}

static void *writer(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&g.mu);
        while (g.tail == g.head && !g.eof)
            pthread_cond_wait(&g.cv, &g.mu);
        if (g.tail == g.head) {
            pthread_mutex_unlock(&g.mu);
            return NULL;
        }
        size_t i = g.tail % RING;
        pthread_mutex_unlock(&g.mu);
        write_frame(g.buf[i], g.len[i]);
        pthread_mutex_lock(&g.mu);
        g.tail++;
        pthread_cond_broadcast(&g.cv);
        pthread_mutex_unlock(&g.mu);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: durable_sink DIR BYTES FRAME THREADS\n");
        return 2;
    }
    uint64_t total = strtoull(argv[2], NULL, 10);
    size_t frame = strtoul(argv[3], NULL, 10);
    int threads = atoi(argv[4]);
    if (!total || !frame || (threads != 1 && threads != 2)) {
        fprintf(stderr, "durable_sink: BYTES and FRAME must be > 0, THREADS 1 or 2\n");
        return 2;
    }
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &alen) < 0)
        die("listen");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0)
        send_all(ntohs(a.sin_port), total, frame);
    int s = accept(l, NULL, NULL);
    if (s < 0)
        die("accept");
    char path[4096];
    snprintf(path, sizeof(path), "%s/durable-sink.%d", argv[1], (int)getpid());
    g.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (g.fd < 0)
        die(path);
    for (int i = 0; i < RING; i++)
        if (!(g.buf[i] = calloc(1, frame)))   /* touched up front, as a broker's reused buffers are */
            die("calloc");
    pthread_t sync_thread, write_thread;
    pthread_create(&sync_thread, NULL, syncer, NULL);
    if (threads == 2)
        pthread_create(&write_thread, NULL, writer, NULL);

    double cpu0 = cpu_seconds();
    uint64_t t0 = now_ns(), got = 0;
    uint32_t crc = 0;
    for (;;) {
        size_t i = 0;
        if (threads == 2) {
            pthread_mutex_lock(&g.mu);
            while (g.head - g.tail >= RING)
                pthread_cond_wait(&g.cv, &g.mu);
            i = g.head % RING;
            pthread_mutex_unlock(&g.mu);
        }
        size_t n = recv_frame(s, g.buf[i], frame);
        if (n == 0)
            break;
        crc = crc32_iscsi((unsigned char *)g.buf[i], (int)n, crc);
        got += n;
        if (threads == 1) {
            write_frame(g.buf[i], n);
        } else {
            pthread_mutex_lock(&g.mu);
            g.len[i] = n;
            g.head++;
            pthread_cond_broadcast(&g.cv);
            pthread_mutex_unlock(&g.mu);
        }
        if (n < frame)
            break;
    }
    if (threads == 2) {
        pthread_mutex_lock(&g.mu);
        g.eof = true;
        pthread_cond_broadcast(&g.cv);
        pthread_mutex_unlock(&g.mu);
        pthread_join(write_thread, NULL);
    }
    pthread_mutex_lock(&g.mu);
    g.stop_sync = true;
    pthread_mutex_unlock(&g.mu);
    pthread_join(sync_thread, NULL);
    if (fdatasync(g.fd) < 0)
        die("fdatasync");
    uint64_t ns = now_ns() - t0;
    double cpu = cpu_seconds() - cpu0;
    close(g.fd);
    unlink(path);
    waitpid(child, NULL, 0);
    if (got != total) {
        fprintf(stderr, "durable_sink: received %llu of %llu bytes\n", (unsigned long long)got,
                (unsigned long long)total);
        return 1;
    }
    /* crc printed so the check cannot be optimised away */
    printf("{\"mode\":\"durable_sink\",\"threads\":%d,\"bytes\":%llu,\"crc\":%u,\"seconds\":%.6f,"
           "\"mb_per_s\":%.3f,\"cpu_s_per_gb\":%.4f}\n",
           threads, (unsigned long long)got, crc, (double)ns / 1e9, (double)got / ((double)ns / 1e9) / 1e6,
           cpu / ((double)got / 1e9));
    return 0;
}
