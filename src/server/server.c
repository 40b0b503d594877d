#include "server/server.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api/api.h"
#include "api/dispatch.h"
#include "broker/config_store.h"
#include "broker/dir_lock.h"
#include "broker/fd_limit.h"
#include "broker/flusher.h"
#include "group/group.h"
#include "broker/topics.h"
#include "core/slog.h"
#include "core/util.h"
#include "http/http.h"
#include "log/batch.h"
#include "log/fileio.h"
#include "net/conn.h"
#include "net/tcp_listen.h"
#include "schema/service.h"

#define HOUSEKEEPING_TICK_MS 1000

static struct io_watch signal_watch;

/* Out of descriptors, the pending connection stays queued and the
 * listener stays readable: stop watching it for a while instead of
 * spinning (and logging) until a descriptor frees up. */
#define ACCEPT_PAUSE_MS 100

static void on_accept_resume(struct loop *lp, void *arg)
{
    struct listener *l = arg;
    loop_watch_set(lp, &l->watch, EPOLLIN);
}

static void on_accept(struct loop *lp, void *arg, uint32_t events)
{
    struct listener *l = arg;
    struct broker *b = l->broker;
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept4(l->watch.fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                log_warn("net", "out of file descriptors, pausing accept", "listener=%s connections=%d pause_ms=%d",
                         l->name, b->conns.count, ACCEPT_PAUSE_MS);
                loop_watch_set(lp, &l->watch, 0);
                loop_timer_at(lp, &l->accept_resume, loop_now_ms(lp) + ACCEPT_PAUSE_MS);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                log_warn("net", "accept failed", "listener=%s error=\"%s\"", l->name, strerror(errno));
            }
            return;
        }
        if (b->conns.count >= config_int(&b->cfg, P_MAX_CONNECTIONS)) {
            log_warn("net", "too many connections, refusing", "max=%lld", (long long)config_int(&b->cfg, P_MAX_CONNECTIONS));
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        char host[INET6_ADDRSTRLEN] = "?", peer[64];
        int port = 0;
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
            port = ntohs(s4->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
            port = ntohs(s6->sin6_port);
        }
        snprintf(peer, sizeof(peer), "%s:%d", host, port);
        conn_new(&b->conns, l, fd, peer);
    }
}

static int listener_bind(struct broker *b, struct listener *l, const struct endpoint_spec *e, char *err,
                         size_t errlen)
{
    char why[256];
    bool lookup_failed;
    int fd = tcp_listen(e->host, e->port, SOCK_NONBLOCK, 1024, &l->port, &lookup_failed, why, sizeof(why));
    if (fd < 0 && !lookup_failed && errno == EADDRINUSE) {
        bool v6 = strchr(e->host, ':');
        snprintf(err, errlen,
                 "cannot listen on %s://%s%s%s:%d: port %d is in use by another process; set listeners to use "
                 "another port (for example --listeners=%s://%s%s%s:%d)",
                 e->name, v6 ? "[" : "", e->host, v6 ? "]" : "", e->port, e->port, e->name, v6 ? "[" : "", e->host,
                 v6 ? "]" : "", e->port + 1);
        return -1;
    }
    if (fd < 0) {
        snprintf(err, errlen, lookup_failed ? "listener %s://%s:%d: %s" : "cannot listen on %s://%s:%d: %s", e->name,
                 e->host, e->port, why);
        return -1;
    }
    l->broker = b;
    snprintf(l->name, sizeof(l->name), "%s", e->name);
    snprintf(l->bind_host, sizeof(l->bind_host), "%s", e->host);
    timer_init(&l->accept_resume, on_accept_resume, l);
    if (loop_watch(b->loop, &l->watch, fd, EPOLLIN, on_accept, l) != 0) {
        snprintf(err, errlen, "cannot watch listener %s://%s:%d: %s", e->name, e->host, e->port, strerror(errno));
        close(fd);
        return -1;
    }
    return 0;
}

/* Advertised endpoints: advertised.listeners by name, else the bound
 * address (with the real port when bound to 0; a wildcard host is
 * advertised as the machine's hostname, as Kafka does). */
static void listener_set_advertised(struct broker *b, struct listener *l)
{
    struct endpoint_spec adv[MAX_LISTENERS];
    char err[256];
    int n = parse_endpoints(config_str(&b->cfg, P_ADVERTISED_LISTENERS), adv, MAX_LISTENERS, err, sizeof(err));
    for (int i = 0; i < n; i++)
        if (strcmp(adv[i].name, l->name) == 0) {
            snprintf(l->adv_host, sizeof(l->adv_host), "%s", adv[i].host);
            l->adv_port = adv[i].port ? adv[i].port : l->port;
            return;
        }
    if (l->bind_host[0] && strcmp(l->bind_host, "0.0.0.0") != 0 && strcmp(l->bind_host, "::") != 0) {
        memcpy(l->adv_host, l->bind_host, sizeof(l->adv_host));   /* same size; snprintf trips -Wrestrict at -O1 */
    } else if (gethostname(l->adv_host, sizeof(l->adv_host)) != 0) {
        snprintf(l->adv_host, sizeof(l->adv_host), "localhost");
    }
    l->adv_port = l->port;
}

static int mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* meta.properties: the cluster id is generated once and kept. */
static int load_identity(struct broker *b, char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/meta.properties", b->data_dir);
    b->node_id = (int32_t)config_int(&b->cfg, P_NODE_ID);
    FILE *f = fopen(path, "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof(line), f)) {
            line[strcspn(line, "\r\n")] = 0;
            if (strncmp(line, "cluster.id=", 11) == 0)
                snprintf(b->cluster_id, sizeof(b->cluster_id), "%s", line + 11);
        }
        fclose(f);
    }
    if (b->cluster_id[0])
        return 0;
    struct kuuid u;
    kuuid_random(&u);
    kuuid_to_b64(&u, b->cluster_id);
    char text[256];
    int n = snprintf(text, sizeof(text), "#Written by sluice\nversion=1\ncluster.id=%s\nnode.id=%d\n", b->cluster_id,
                     b->node_id);
    if (fileio_write_atomic(path, text, (size_t)n) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void add_recovered(struct topic *t, void *arg)
{
    uint64_t *sum = arg;
    for (int32_t i = 0; i < t->partition_count; i++)
        *sum += plog_recovered_bytes(t->partitions[i]->log);
}

static void before_sleep(struct loop *l, void *arg)
{
    struct broker *b = arg;
    fetch_process_woken(b);
    conns_flush(&b->conns);
    conns_reap(&b->conns);
}

static void on_second(struct loop *l, void *arg)
{
    struct broker *b = arg;
    conns_close_idle(&b->conns, loop_now_ms(l));
    loop_timer_at(l, &b->second_tick, loop_now_ms(l) + HOUSEKEEPING_TICK_MS);
}

static void on_housekeeping(struct loop *l, void *arg)
{
    struct broker *b = arg;
    topics_housekeep(b, now_ms());
    loop_timer_at(l, &b->housekeeping, loop_now_ms(l) + config_int(&b->cfg, P_LOG_RETENTION_CHECK_INTERVAL_MS));
}

static void on_signal(struct loop *l, void *arg, uint32_t events)
{
    struct broker *b = arg;
    struct signalfd_siginfo si;
    while (read(signal_watch.fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGUSR2 && config_bool(&b->cfg, P_TEST_CRASH_SIM)) {
            log_warn("broker", "simulated crash: dropping unsynced writes", NULL);
            fileio_crash();
        }
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            log_info("broker", "shutting down", "signal=%s", si.ssi_signo == SIGTERM ? "TERM" : "INT");
            b->stopping = true;
            loop_stop(l);
        }
    }
}

/* What the loop reads from its signalfd: stop, and the crash simulation. */
static void handled_signals(sigset_t *mask)
{
    sigemptyset(mask);
    sigaddset(mask, SIGTERM);
    sigaddset(mask, SIGINT);
    sigaddset(mask, SIGUSR2);
}

/* The callbacks through which net/ and broker/ reach the layers above. */
static void wire_layers(struct broker *b)
{
    b->hooks = (struct broker_hooks){.fetch_wake = fetch_wake, .topic_deleted = offsets_forget_topic};
    struct conn_limits limits = {
        .max_frame_bytes = config_int(&b->cfg, P_SOCKET_REQUEST_MAX_BYTES),
        .max_inflight = config_int(&b->cfg, P_QUEUED_MAX_REQUESTS),
        .max_unsent_bytes = config_int(&b->cfg, P_QUEUED_MAX_REQUEST_BYTES),
        .max_idle_ms = config_int(&b->cfg, P_CONNECTIONS_MAX_IDLE_MS),
    };
    struct conn_hooks hooks = {.dispatch = api_dispatch, .finished = api_request_finished};
    conn_set_init(&b->conns, b->loop, b, &limits, &hooks);
}

struct broker *broker_open(struct config *cfg, char *err, size_t errlen)
{
    struct broker *b = xcalloc(1, sizeof(*b));
    b->dir_lock_fd = -1;
    b->cfg = *cfg;
    config_init(cfg);    /* the broker owns the values now */
    slog_set_level_name(config_str(&b->cfg, P_LOG_LEVEL));
    slog_set_json(config_int(&b->cfg, P_LOG_FORMAT) == LOG_FORMAT_JSON);
    const char *disk_full = config_str(&b->cfg, P_TEST_DISK_FULL_FILE);
    struct fileio_faults faults = {.crash_sim = config_bool(&b->cfg, P_TEST_CRASH_SIM),
                                   .disk_full_file = disk_full[0] ? disk_full : NULL};
    fileio_configure(&faults);
    fd_limit_check(config_int(&b->cfg, P_MAX_CONNECTIONS));

    const char *dir = config_str(&b->cfg, P_LOG_DIRS);
    if (mkdir_p(dir) != 0 || !realpath(dir, b->data_dir)) {
        snprintf(err, errlen, "cannot create log.dirs %s: %s", dir, strerror(errno));
        goto fail;
    }
    /* Before anything reads or writes the directory, recovery included. */
    b->dir_lock_fd = dir_lock(b->data_dir, err, errlen);
    if (b->dir_lock_fd < 0)
        goto fail;
    b->loop = loop_new();
    if (!b->loop) {
        snprintf(err, errlen, "cannot create the event loop: %s", strerror(errno));
        goto fail;
    }
    wire_layers(b);
    b->validator = batch_validator_new();
    /* HTTP first: /health/live answers (and /health/ready says not yet)
     * while recovery runs. */
    if (http_start(b, err, errlen) != 0)
        goto fail;
    if (config_int(&b->cfg, P_TEST_STARTUP_DELAY_MS) > 0)
        usleep((useconds_t)config_int(&b->cfg, P_TEST_STARTUP_DELAY_MS) * 1000);
    if (load_identity(b, err, errlen) != 0 || config_store_load(&b->cfg, b->data_dir, err, errlen) != 0)
        goto fail;
    config_log_effective(&b->cfg);
    if (producers_load(b, err, errlen) != 0 || topics_load(b, err, errlen) != 0)
        goto fail;
    /* Blocked before the flusher thread starts, which inherits the mask:
     * otherwise SIGTERM can be delivered to it and kill the process. */
    sigset_t mask;
    handled_signals(&mask);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    b->flusher = flusher_start(b);
    if (!b->flusher) {
        snprintf(err, errlen, "cannot start the flusher thread: %s", strerror(errno));
        goto fail;
    }
    if (groups_start(b, err, errlen) != 0 || schema_service_start(b, err, errlen) != 0)
        goto fail;
    return b;
fail:
    broker_free(b);
    return NULL;
}

struct broker *broker_start(struct config *cfg, char *err, size_t errlen)
{
    int64_t t0 = mono_us();
    struct broker *b = broker_open(cfg, err, errlen);
    if (!b)
        return NULL;
    sigset_t mask; /* broker_open blocked them: from now on a signalfd reads them */
    handled_signals(&mask);
    struct endpoint_spec eps[MAX_LISTENERS];
    int n = parse_endpoints(config_str(&b->cfg, P_LISTENERS), eps, MAX_LISTENERS, err, errlen);
    if (n <= 0)
        goto fail;
    for (int i = 0; i < n; i++) {
        if (listener_bind(b, &b->listeners[i], &eps[i], err, errlen) != 0)
            goto fail;
        b->nlisteners = i + 1;
        listener_set_advertised(b, &b->listeners[i]);
    }

    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0 || loop_watch(b->loop, &signal_watch, sfd, EPOLLIN, on_signal, b) != 0) {
        snprintf(err, errlen, "cannot watch for SIGTERM and SIGINT: %s", strerror(errno));
        if (sfd >= 0)
            close(sfd);
        goto fail;
    }

    loop_add_before_sleep(b->loop, before_sleep, b);
    timer_init(&b->second_tick, on_second, b);
    loop_timer_at(b->loop, &b->second_tick, loop_now_ms(b->loop) + HOUSEKEEPING_TICK_MS);
    timer_init(&b->housekeeping, on_housekeeping, b);
    loop_timer_at(b->loop, &b->housekeeping, loop_now_ms(b->loop) + 1000);
    b->ready = true;
    http_set_ready(b, true);
    for (int i = 0; i < b->nlisteners; i++)
        log_info("broker", "listening", "listener=%s addr=%s:%d advertised=%s:%d", b->listeners[i].name,
                 b->listeners[i].bind_host[0] ? b->listeners[i].bind_host : "0.0.0.0", b->listeners[i].port,
                 b->listeners[i].adv_host, b->listeners[i].adv_port);
    /* What recovery had to read: 0 after a clean shutdown (checkpoint). */
    uint64_t recovered = 0;
    topics_for_each(b, add_recovered, &recovered);
    log_info("broker", "ready", "cluster_id=%s node_id=%d log_dir=%s topics=%zu recovered_bytes=%llu startup_ms=%.1f",
             b->cluster_id, b->node_id, b->data_dir, topics_count(b), (unsigned long long)recovered,
             (double)(mono_us() - t0) / 1000.0);
    return b;
fail:
    broker_free(b);
    return NULL;
}

void broker_run(struct broker *b) { loop_run(b->loop); }

void broker_shutdown(struct broker *b)
{
    for (int i = 0; i < b->nlisteners; i++) {
        loop_timer_cancel(b->loop, &b->listeners[i].accept_resume);
        loop_unwatch(b->loop, &b->listeners[i].watch);
        close(b->listeners[i].watch.fd);
    }
    b->nlisteners = 0;
    /* Let acks=all producers (and test messages posted over HTTP) get
     * their answers before the sockets go. HTTP requests arriving
     * meanwhile wait, and http_stop answers them 503. */
    flusher_stop(b->flusher);
    b->flusher = NULL;
    http_stop(b);
    schema_service_stop(b);
    conns_flush(&b->conns);
    /* Closing a connection cancels its parked fetches and commits. */
    conns_close_all(&b->conns);
    conns_reap(&b->conns);
    topics_close_all(b);
    groups_stop(b);
    log_info("broker", "stopped", "fsyncs=%llu fsync_rounds=%llu duplicates=%llu", (unsigned long long)b->stats.fsyncs,
             (unsigned long long)b->stats.fsync_rounds, (unsigned long long)b->stats.duplicate_batches);
}

void broker_free(struct broker *b)
{
    if (!b)
        return;
    http_stop(b);
    schema_service_stop(b);
    if (b->flusher)
        flusher_stop(b->flusher);
    groups_stop(b);
    if (b->topics)
        topics_close_all(b);
    if (b->validator)
        batch_validator_free(b->validator);
    producers_free(b);
    loop_free(b->loop);
    config_free(&b->cfg);
    if (b->dir_lock_fd >= 0)
        close(b->dir_lock_fd);   /* last: everything is on disk */
    free(b);
}
