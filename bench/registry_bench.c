/* Load on the schema registry's REST API for bench/compare: CONNS keep-alive
 * HTTP/1.1 connections, one thread each, sending the same request one after
 * the other (each after the previous answer) for SECONDS; counts the
 * answers, and as failed the ones that are not 200.
 * Usage: registry_bench HOST PORT METHOD PATH BODY CONNS SECONDS
 *   BODY: the request body (JSON) or "-" for none
 * Prints one JSON line as print_result does, "messages" being requests. */
#define _GNU_SOURCE   /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "driver_common.h"

struct worker {
    pthread_t thread;
    struct sockaddr_in addr;
    const char *request;
    size_t request_len;
    uint64_t deadline_ns;
    uint64_t answered, failed, bytes;
    bool broken;               /* the connection could not be made or kept */
};

static int connect_to(const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads one answer: its status, and whether the server keeps the
 * connection. Headers and body must fit buf (the registry's answers here
 * are small). false when the connection broke. */
static bool read_answer(int fd, char *buf, size_t cap, int *status, bool *keep, size_t *total)
{
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have + 1 >= cap)
            return false;
        ssize_t r = read(fd, buf + have, cap - 1 - have);
        if (r <= 0)
            return false;
        have += (size_t)r;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head = (size_t)(end + 4 - buf), body = 0;
    *status = atoi(buf + 9);   /* "HTTP/1.1 200" */
    *keep = true;
    for (char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (!strncasecmp(line, "Content-Length:", 15))
            body = (size_t)strtoull(line + 15, NULL, 10);
        else if (!strncasecmp(line, "Connection:", 11)) {
            const char *close_word = strcasestr(line, "close");
            *keep = !(close_word && close_word < strstr(line, "\r\n"));
        }
    }
    if (head + body >= cap)
        return false;
    while (have < head + body) {
        ssize_t r = read(fd, buf + have, head + body - have);
        if (r <= 0)
            return false;
        have += (size_t)r;
    }
    *total = head + body;
    return true;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    char buf[65536];
    int fd = -1;
    while (now_ns() < w->deadline_ns) {
        if (fd < 0 && (fd = connect_to(&w->addr)) < 0) {
            w->broken = true;
            break;
        }
        int status;
        bool keep;
        size_t n;
        if (!send_all(fd, w->request, w->request_len) || !read_answer(fd, buf, sizeof(buf), &status, &keep, &n)) {
            w->broken = true;
            break;
        }
        w->answered++;
        w->bytes += n;
        if (status != 200)
            w->failed++;
        if (!keep) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: registry_bench HOST PORT METHOD PATH BODY|- CONNS SECONDS\n");
        return 2;
    }
    const char *host = argv[1], *method = argv[3], *path = argv[4], *body = strcmp(argv[5], "-") ? argv[5] : NULL;
    int conns = atoi(argv[6]);
    double seconds = atof(argv[7]);
    char request[8192];
    int len = snprintf(request, sizeof(request),
                       "%s %s HTTP/1.1\r\nHost: %s:%s\r\nAccept: application/vnd.schemaregistry.v1+json\r\n"
                       "%sContent-Length: %zu\r\n\r\n%s",
                       method, path, host, argv[2], body ? "Content-Type: application/vnd.schemaregistry.v1+json\r\n" : "",
                       body ? strlen(body) : 0, body ? body : "");
    if (conns < 1 || conns > 64 || seconds <= 0 || len < 0 || (size_t)len >= sizeof(request)) {
        fprintf(stderr, "registry_bench: bad arguments\n");
        return 2;
    }
    struct worker *ws = calloc((size_t)conns, sizeof(*ws));
    uint64_t t0 = now_ns();
    for (int i = 0; i < conns; i++) {
        ws[i].addr.sin_family = AF_INET;
        ws[i].addr.sin_port = htons((uint16_t)atoi(argv[2]));
        inet_pton(AF_INET, host, &ws[i].addr.sin_addr);
        ws[i].request = request;
        ws[i].request_len = (size_t)len;
        ws[i].deadline_ns = t0 + (uint64_t)(seconds * 1e9);
        pthread_create(&ws[i].thread, NULL, run, &ws[i]);
    }
    uint64_t answered = 0, failed = 0, bytes = 0;
    bool broken = false;
    for (int i = 0; i < conns; i++) {
        pthread_join(ws[i].thread, NULL);
        answered += ws[i].answered;
        failed += ws[i].failed;
        bytes += ws[i].bytes;
        broken |= ws[i].broken;
    }
    uint64_t ns = now_ns() - t0;
    free(ws);
    if (broken) {
        fprintf(stderr, "registry_bench: a connection to %s:%s failed\n", host, argv[2]);
        return 1;
    }
    print_result(method, path, answered, bytes, failed, ns, NULL, 0);
    return 0;
}
