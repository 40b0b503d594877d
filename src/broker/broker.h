/* The broker: configuration, topics, listeners, connections and the
 * flusher, all owned by one event loop thread (the flusher thread only
 * fsyncs and reports back). src/server/server.h starts and stops it. */
#ifndef SLUICE_BROKER_H
#define SLUICE_BROKER_H
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "broker/config.h"
#include "broker/producers.h"
#include "broker/stats.h"
#include "net/conn.h"
#include "net/loop.h"

struct conn;
struct topic;
struct flusher;
struct group_coordinator;
struct batch_validator;
struct http_server;
struct schema_service;

#define MAX_LISTENERS 16

struct listener {
    struct broker *broker;
    struct io_watch watch;
    char name[32];             /* PLAINTEXT */
    char bind_host[256];
    int port;                  /* actual bound port */
    char adv_host[256];        /* advertised in Metadata */
    int adv_port;
    struct timer accept_resume; /* accepting paused while out of descriptors */
};

struct topic_map;

/* How broker/ calls up into the layers above: set at start-up by
 * src/server, so broker/ never names them. */
struct broker_hooks {
    /* A parked fetch's partitions got new data (api/fetch.c). */
    void (*fetch_wake)(struct broker *b, void *owner);
    /* A topic was deleted: its committed offsets go (group/offsets.c). */
    void (*topic_deleted)(struct broker *b, const char *topic);
};

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
    struct schema_service *schema;   /* the schema registry (src/schema) */
    struct conn_set conns;     /* client connections (src/net) */
    struct timer housekeeping;
    struct timer second_tick;
    bool ready;
    bool stopping;
    struct broker_hooks hooks;
    struct broker_stats stats;
    struct producer_ids producer_ids;
    uint64_t test_appends;     /* sluice.test.drop.after.append counter */
};

/* The listener's endpoint as clients should see it. */
static inline void listener_endpoint(const struct listener *l, const char **host, int *port)
{
    *host = l->adv_host;
    *port = l->adv_port;
}
#endif
