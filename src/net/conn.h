/* A client connection: reads frames, hands them to the dispatcher, and
 * writes responses back in request order.
 *
 * Backpressure: while a connection has queued.max.requests requests in
 * flight or more than queued.max.request.bytes of unsent responses, it
 * is not read, so no client can grow the broker's memory without bound.
 * Frames above socket.request.max.bytes close the connection. */
#ifndef SLUICE_CONN_H
#define SLUICE_CONN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/loop.h"

/* Opaque to net/: the layer above hands them in and reads them back. */
struct broker;
struct listener;
struct request;

#define CONN_SPARE_BLOCKS 4

/* Fixed at start-up from the broker's configuration. */
struct conn_limits {
    int64_t max_frame_bytes;       /* socket.request.max.bytes */
    int64_t max_inflight;          /* queued.max.requests */
    int64_t max_unsent_bytes;      /* queued.max.request.bytes */
    int64_t max_idle_ms;           /* connections.max.idle.ms */
};

/* How net/ calls up: set once by the owner of the set (src/server). */
struct conn_hooks {
    /* Parses req's header and runs its handler. Returns -1 when the
     * frame cannot be served: the connection then closes unless the
     * request was answered (an ApiVersions version we don't know). */
    int (*dispatch)(struct request *req);
    /* A request got its response or completed silently (metrics, the
     * slow-request log). */
    void (*finished)(struct request *req);
};

struct conn_counters {
    uint64_t accepted, closed;
    uint64_t bytes_in, bytes_out;
    uint64_t frames_too_large;
};

/* Every open connection, owned by net/; the broker reads count and
 * counters for its metrics. */
struct conn_set {
    struct loop *loop;
    struct broker *broker;         /* handed to each request for its handler */
    struct conn_limits limits;
    struct conn_hooks hooks;
    struct conn_counters counters;
    struct conn *all;              /* all open connections */
    struct conn *flush_list;       /* connections with responses to write */
    struct conn *reap_list;        /* closed, to free */
    int count;
    uint64_t next_id;
};

struct conn {
    struct conn_set *set;
    struct listener *listener;
    struct io_watch watch;
    uint64_t id;
    char peer[64];
    uint8_t *rbuf;
    size_t rlen, rcap;
    /* Read buffers given back by large requests (a Produce as soon as it
     * is appended), so the next large frames land in memory already
     * touched: first touches of fresh pages cost more than the copy they
     * replace. Up to four, as several large frames can be in flight. */
    struct spare_block {
        uint8_t *p;
        size_t cap;
    } spare[CONN_SPARE_BLOCKS];
    int nspare;
    struct request *head, *tail;   /* in request order */
    int inflight;
    size_t unsent_bytes;           /* encoded, not yet written */
    int64_t last_active_ms;
    bool closing;                  /* closed; freed before the next poll */
    bool read_paused;
    bool flush_queued;
    struct conn *flush_next;       /* the set's flush list */
    struct conn *reap_next;        /* the set's list of closed connections */
    struct conn *prev, *next;      /* the set's list of open connections */
};

void conn_set_init(struct conn_set *s, struct loop *loop, struct broker *b, const struct conn_limits *limits,
                   const struct conn_hooks *hooks);
/* lst is the listener that accepted fd, kept for the handlers. */
struct conn *conn_new(struct conn_set *s, struct listener *lst, int fd, const char *peer);
/* Called when a request's response becomes ready (or silent). */
void conn_request_done(struct conn *c, struct request *req);
/* Closes now (unregisters, cancels parked requests); memory is freed later. */
void conn_close(struct conn *c, const char *reason);
/* Takes a request's frame block back: kept as a spare read buffer when
 * large and there is room, else freed. c may be NULL. */
void conn_recycle_block(struct conn *c, uint8_t *block, size_t cap);
/* Before-sleep: writes what is ready on every connection with output. */
void conns_flush(struct conn_set *s);
/* Frees connections closed during this iteration. */
void conns_reap(struct conn_set *s);
/* Closes connections idle for longer than connections.max.idle.ms and
 * gives back the large buffers of those idle for a second or more. */
void conns_close_idle(struct conn_set *s, int64_t now_ms);
/* Closes every connection (shutdown), cancelling parked requests. */
void conns_close_all(struct conn_set *s);
#endif
