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

struct broker;
struct listener;
struct request;

#define CONN_SPARE_BLOCKS 4

struct conn {
    struct broker *broker;
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
    struct conn *flush_next;       /* broker's flush list */
    struct conn *reap_next;        /* broker's list of closed connections */
    struct conn *prev, *next;      /* broker's connection list */
};

struct conn *conn_new(struct broker *b, struct listener *lst, int fd, const char *peer);
/* Called when a request's response becomes ready (or silent). */
void conn_request_done(struct conn *c, struct request *req);
/* Closes now (unregisters, cancels parked requests); memory is freed later. */
void conn_close(struct conn *c, const char *reason);
/* Takes a request's frame block back: kept as a spare read buffer when
 * large and there is room, else freed. c may be NULL. */
void conn_recycle_block(struct conn *c, uint8_t *block, size_t cap);
/* Before-sleep: writes what is ready on every connection with output. */
void conns_flush(struct broker *b);
/* Frees connections closed during this iteration. */
void conns_reap(struct broker *b);
/* Closes connections idle for longer than connections.max.idle.ms and
 * gives back the large buffers of those idle for a second or more. */
void conns_close_idle(struct broker *b, int64_t now_ms);
#endif
