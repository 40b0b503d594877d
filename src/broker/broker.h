/* The broker: configuration, topics, listeners, connections and the
 * flusher, all owned by one event loop thread (the flusher thread only
 * fsyncs and reports back). */
#ifndef SLUICE_BROKER_H
#define SLUICE_BROKER_H
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "broker/config.h"
#include "broker/producers.h"
#include "broker/stats.h"
#include "net/loop.h"

struct conn;
struct topic;
struct flusher;
struct group_coordinator;
struct batch_validator;
struct http_server;

#define MAX_LISTENERS 16

struct listener {
    struct broker *broker;
    struct io_watch watch;
    char name[32];             /* PLAINTEXT */
    char bind_host[256];
    int port;                  /* actual bound port */
    char adv_host[256];        /* advertised in Metadata */
    int adv_port;
};

struct topic_map;

struct broker {
    struct config cfg;
    struct loop *loop;
    char data_dir[PATH_MAX];
    int dir_lock_fd;                 /* holds data_dir/.lock (dir_lock.h); -1 = none */
    char cluster_id[32];
    int32_t node_id;
    struct listener listeners[MAX_LISTENERS];
    int nlisteners;
    struct topic_map *topics;
    struct flusher *flusher;
    struct group_coordinator *groups;   /* consumer groups (src/group) */
    struct batch_validator *validator;
    struct http_server *http;  /* http.listeners (src/http), NULL if off */
    struct conn *conns;        /* all open connections */
    struct conn *flush_list;   /* connections with responses to write */
    struct conn *reap_list;    /* closed, to free */
    int nconns;
    uint64_t next_conn_id;
    struct timer housekeeping;
    struct timer second_tick;
    bool ready;
    bool stopping;
    struct broker_stats stats;
    struct producer_ids producer_ids;
    uint64_t test_appends;     /* sluice.test.drop.after.append counter */
};

/* Starts everything: data dir, recovery, listeners. Returns NULL with err. */
struct broker *broker_start(struct config *cfg, char *err, size_t errlen);
void broker_run(struct broker *b);
/* Clean shutdown: stop accepting, flush, checkpoint every partition. */
void broker_shutdown(struct broker *b);
void broker_free(struct broker *b);

/* The listener's endpoint as clients should see it. */
void listener_endpoint(const struct listener *l, const char **host, int *port);
#endif
