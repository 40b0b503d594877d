#include "net/conn.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "core/fileref.h"
#include "core/slog.h"
#include "core/util.h"
#include "net/request.h"

#define READ_CHUNK 65536
/* Frames at least this large are handed over in the read buffer itself
 * instead of being copied out of it. */
#define HANDOVER_MIN_FRAME (32 * 1024)
/* The most memory a connection keeps in spare read buffers. */
#define SPARE_MAX (16 * 1024 * 1024)

static void conn_io(struct loop *l, void *arg, uint32_t events);

void conn_set_init(struct conn_set *s, struct loop *loop, struct broker *b, const struct conn_limits *limits,
                   const struct conn_hooks *hooks)
{
    memset(s, 0, sizeof(*s));
    s->loop = loop;
    s->broker = b;
    s->limits = *limits;
    s->hooks = *hooks;
}

struct conn *conn_new(struct conn_set *s, struct listener *lst, int fd, const char *peer)
{
    struct conn *c = xcalloc(1, sizeof(*c));
    c->set = s;
    c->listener = lst;
    c->id = ++s->next_id;
    snprintf(c->peer, sizeof(c->peer), "%s", peer);
    c->last_active_ms = loop_now_ms(s->loop);
    if (loop_watch(s->loop, &c->watch, fd, EPOLLIN, conn_io, c) < 0) {
        close(fd);
        free(c);
        return NULL;
    }
    c->next = s->all;
    if (s->all)
        s->all->prev = c;
    s->all = c;
    s->count++;
    s->counters.accepted++;
    log_debug("net", "connection opened", "conn=%llu peer=%s", (unsigned long long)c->id, c->peer);
    return c;
}

/* A large block takes a free spare slot, or the place of a smaller spare,
 * while the spares stay within SPARE_MAX bytes in all. */
void conn_recycle_block(struct conn *c, uint8_t *block, size_t cap)
{
    if (!c || c->closing || cap < HANDOVER_MIN_FRAME || cap > SPARE_MAX) {
        free(block);
        return;
    }
    size_t total = 0;
    int smallest = 0;
    for (int i = 0; i < c->nspare; i++) {
        total += c->spare[i].cap;
        if (c->spare[i].cap < c->spare[smallest].cap)
            smallest = i;
    }
    if (c->nspare < CONN_SPARE_BLOCKS && total + cap <= SPARE_MAX) {
        c->spare[c->nspare++] = (struct spare_block){block, cap};
    } else if (c->nspare > 0 && c->spare[smallest].cap < cap && total - c->spare[smallest].cap + cap <= SPARE_MAX) {
        free(c->spare[smallest].p);
        c->spare[smallest] = (struct spare_block){block, cap};
    } else {
        free(block);
    }
}

/* Takes out the smallest spare of at least min_cap bytes (0: the
 * largest spare); false if there is none. */
static bool take_spare(struct conn *c, size_t min_cap, struct spare_block *out)
{
    int pick = -1;
    for (int i = 0; i < c->nspare; i++) {
        size_t cap = c->spare[i].cap;
        if (min_cap ? cap >= min_cap && (pick < 0 || cap < c->spare[pick].cap)
                    : pick < 0 || cap > c->spare[pick].cap)
            pick = i;
    }
    if (pick < 0)
        return false;
    *out = c->spare[pick];
    c->spare[pick] = c->spare[--c->nspare];
    return true;
}

/* Read buffers for large frames come in powers of two, so that a spare
 * left by one frame fits the next of about the same size. */
static size_t large_buffer_size(size_t need)
{
    size_t cap = READ_CHUNK;
    while (cap < need)
        cap *= 2;
    return cap;
}

static void free_spares(struct conn *c)
{
    while (c->nspare > 0)
        free(c->spare[--c->nspare].p);
}

void conn_close(struct conn *c, const char *reason)
{
    if (c->closing)
        return;
    struct conn_set *s = c->set;
    c->closing = true;
    log_debug("net", "connection closed", "conn=%llu peer=%s reason=\"%s\"", (unsigned long long)c->id, c->peer,
              reason);
    loop_unwatch(s->loop, &c->watch);
    close(c->watch.fd);
    c->watch.fd = -1;
    /* Parked requests must let go of partitions and timers first. */
    for (struct request *r = c->head; r; r = r->next)
        if (r->state == REQ_PENDING && r->cancel) {
            r->cancel(r);
            r->cancel = NULL;
        }
    if (c->prev)
        c->prev->next = c->next;
    else
        s->all = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    s->count--;
    s->counters.closed++;
    c->reap_next = s->reap_list;
    s->reap_list = c;
}

static void conn_free(struct conn *c)
{
    struct request *r = c->head;
    while (r) {
        struct request *n = r->next;
        request_free(r, NULL);
        r = n;
    }
    free(c->rbuf);
    free_spares(c);
    free(c);
}

void conns_reap(struct conn_set *s)
{
    /* Runs after conns_flush, so no closed connection is on the flush list. */
    struct conn *c = s->reap_list;
    s->reap_list = NULL;
    while (c) {
        struct conn *n = c->reap_next;
        conn_free(c);
        c = n;
    }
}

static void queue_flush(struct conn *c)
{
    if (c->flush_queued || c->closing)
        return;
    c->flush_queued = true;
    c->flush_next = c->set->flush_list;
    c->set->flush_list = c;
}

static bool over_limits(const struct conn *c)
{
    const struct conn_limits *lim = &c->set->limits;
    return c->inflight >= lim->max_inflight || (int64_t)c->unsent_bytes >= lim->max_unsent_bytes;
}

static void update_interest(struct conn *c)
{
    if (c->closing)
        return;
    bool pause = over_limits(c);
    /* Only reached with a ready head when the socket was full. */
    bool want_write = c->head && c->head->state != REQ_PENDING;
    uint32_t ev = (pause ? 0 : EPOLLIN) | (want_write ? EPOLLOUT : 0);
    c->read_paused = pause;
    loop_watch_set(c->set->loop, &c->watch, ev);
}

void conn_request_done(struct conn *c, struct request *req)
{
    if (req->state == REQ_DONE)
        c->unsent_bytes += wbuf_size(&req->out);
    queue_flush(c);
}

/* Starts a request on one complete frame held in block (which it owns). */
static void conn_take_frame(struct conn *c, uint8_t *block, size_t block_cap, uint8_t *frame, size_t frame_len)
{
    struct request *req = request_new(c, c->set->broker, block, block_cap, frame, frame_len);
    if (c->tail)
        c->tail->next = req;
    else
        c->head = req;
    c->tail = req;
    c->inflight++;
    /* Unless it was answered (an ApiVersions version we don't know), a
     * frame that cannot be served means the stream cannot be understood
     * any further. */
    if (c->set->hooks.dispatch(req) < 0 && req->state != REQ_DONE)
        conn_close(c, "malformed or unsupported request");
}

/* The read buffer starts with a complete large frame: the request takes
 * the buffer as it is, and reading goes on in the spare (or a new one)
 * with whatever followed the frame. */
static void hand_over_read_buffer(struct conn *c, size_t size)
{
    uint8_t *block = c->rbuf;
    size_t cap = c->rcap, rest = c->rlen - 4 - size;
    struct spare_block s = {NULL, 0};
    take_spare(c, 0, &s);
    c->rbuf = s.p;
    c->rcap = s.cap;
    if (c->rcap < rest || !c->rbuf) {
        size_t want = rest > READ_CHUNK ? rest : READ_CHUNK;
        c->rbuf = xrealloc(c->rbuf, want);
        c->rcap = want;
    }
    memcpy(c->rbuf, block + 4 + size, rest);
    c->rlen = rest;
    conn_take_frame(c, block, cap, block + 4, size);
}

/* Hands every complete buffered frame to the dispatcher, stopping early
 * when the connection is over its limits. Returns false if it closed. */
static bool conn_take_frames(struct conn *c)
{
    int64_t max_frame = c->set->limits.max_frame_bytes;
    size_t off = 0;
    while (!c->closing && !over_limits(c) && c->rlen - off >= 4) {
        int32_t size = (int32_t)be32(c->rbuf + off);
        if (size < 0 || size > max_frame) {
            c->set->counters.frames_too_large++;
            log_warn("net", "request too large, closing connection",
                     "conn=%llu peer=%s size=%d max=%lld property=socket.request.max.bytes", (unsigned long long)c->id,
                     c->peer, size, (long long)max_frame);
            conn_close(c, "request too large");
            return false;
        }
        if (c->rlen - off - 4 < (size_t)size)
            break;
        if (off == 0 && size >= HANDOVER_MIN_FRAME) {
            hand_over_read_buffer(c, (size_t)size);
            continue;
        }
        uint8_t *copy = xmalloc((size_t)size);
        memcpy(copy, c->rbuf + off + 4, (size_t)size);
        conn_take_frame(c, copy, (size_t)size, copy, (size_t)size);
        off += 4 + (size_t)size;
    }
    if (c->closing)
        return false;
    if (off) {
        memmove(c->rbuf, c->rbuf + off, c->rlen - off);
        c->rlen -= off;
    }
    /* Room for the whole of a partly received frame: a spare that fits,
     * else a larger buffer. */
    if (c->rlen >= 4) {
        size_t need = (size_t)(int32_t)be32(c->rbuf) + 4;
        struct spare_block s;
        if (need > c->rcap) {
            if (take_spare(c, need, &s)) {
                memcpy(s.p, c->rbuf, c->rlen);
                conn_recycle_block(c, c->rbuf, c->rcap);
            } else {
                s.cap = large_buffer_size(need);
                s.p = xrealloc(c->rbuf, s.cap);
            }
            c->rbuf = s.p;
            c->rcap = s.cap;
        }
    }
    return true;
}

/* How much to read next. A large frame being received is read up to its
 * end and no further, so that it is handed over with nothing of the next
 * frame to copy out of its buffer. */
static size_t read_size(const struct conn *c)
{
    size_t room = c->rcap - c->rlen;
    if (c->rlen < 4)
        return room;
    size_t frame_end = 4 + (size_t)(int32_t)be32(c->rbuf);
    if (frame_end < 4 + HANDOVER_MIN_FRAME || frame_end <= c->rlen)
        return room;
    return MIN(room, frame_end - c->rlen);
}

static void conn_read(struct conn *c)
{
    for (int rounds = 0; rounds < 16; rounds++) {
        if (!conn_take_frames(c))
            return;
        if (over_limits(c))
            break;
        if (c->rcap - c->rlen < READ_CHUNK / 4) {
            size_t cap = c->rcap ? c->rcap * 2 : READ_CHUNK;
            c->rbuf = xrealloc(c->rbuf, cap);
            c->rcap = cap;
        }
        ssize_t n = recv(c->watch.fd, c->rbuf + c->rlen, read_size(c), 0);
        if (n == 0) {
            conn_close(c, "peer closed");
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            conn_close(c, strerror(errno));
            return;
        }
        c->rlen += (size_t)n;
        c->set->counters.bytes_in += (size_t)n;
        c->last_active_ms = loop_now_ms(c->set->loop);
    }
    if (!c->closing && conn_take_frames(c))
        update_interest(c);
}

/* Writes as much of one response as the socket takes. The response is
 * memory runs with file ranges (splices) between them:
 *   mem[0, spl0.at) file0 mem[spl0.at, spl1.at) file1 ... mem[last.at, len)
 * Returns 1 when it is all sent, 0 when the socket is full, -1 on error. */
static int send_response(struct conn *c, struct request *req, bool more)
{
    struct wbuf *w = &req->out;
    size_t total = wbuf_size(w);
    while (req->out_sent < total) {
        size_t pos = req->out_sent, file_before = 0;
        ssize_t n = 0;
        for (size_t i = 0; i <= w->nspl; i++) {
            size_t at = i < w->nspl ? w->spl[i].at : w->len;
            size_t mem_hi = at + file_before;          /* logical end of this memory run */
            if (pos < mem_hi) {
                int flags = MSG_NOSIGNAL | ((more || i < w->nspl) ? MSG_MORE : 0);
                n = send(c->watch.fd, w->data + (pos - file_before), mem_hi - pos, flags);
                break;
            }
            struct wsplice *s = &w->spl[i];
            if (pos < mem_hi + s->len) {
                off_t foff = (off_t)(s->off + (int64_t)(pos - mem_hi));
                n = sendfile(c->watch.fd, s->file->fd, &foff, mem_hi + s->len - pos);
                if (n == 0) {
                    /* The file shrank under us: the frame cannot be completed. */
                    errno = EIO;
                    n = -1;
                }
                break;
            }
            file_before += s->len;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            return -1;
        }
        req->out_sent += (size_t)n;
        c->unsent_bytes -= (size_t)n;
        c->set->counters.bytes_out += (size_t)n;
    }
    return 1;
}

static void conn_write(struct conn *c)
{
    while (c->head && c->head->state != REQ_PENDING) {
        struct request *req = c->head;
        if (req->state == REQ_DONE) {
            bool more = req->next && req->next->state == REQ_DONE;
            int r = send_response(c, req, more);
            if (r < 0) {
                conn_close(c, "write failed");
                return;
            }
            if (r == 0)
                break;
        }
        c->head = req->next;
        if (!c->head)
            c->tail = NULL;
        c->inflight--;
        request_free(req, c);
        c->last_active_ms = loop_now_ms(c->set->loop);
    }
    bool was_paused = c->read_paused;
    update_interest(c);
    /* Resume reading frames already buffered once the limits allow. */
    if (was_paused && !c->read_paused)
        conn_read(c);
}

static void conn_io(struct loop *l, void *arg, uint32_t events)
{
    struct conn *c = arg;
    if (c->closing)
        return;
    if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
        conn_close(c, "socket error");
        return;
    }
    if (events & EPOLLOUT)
        conn_write(c);
    if (!c->closing && (events & EPOLLIN))
        conn_read(c);
    if (!c->closing)
        queue_flush(c);
}

void conns_flush(struct conn_set *s)
{
    while (s->flush_list) {
        struct conn *c = s->flush_list;
        s->flush_list = c->flush_next;
        c->flush_next = NULL;
        c->flush_queued = false;
        if (!c->closing)
            conn_write(c);
    }
}

/* A connection quiet for a second keeps no buffer grown for large frames. */
static void release_idle_buffers(struct conn *c)
{
    free_spares(c);
    if (c->rlen == 0 && c->rcap > READ_CHUNK) {
        free(c->rbuf);
        c->rbuf = NULL;
        c->rcap = 0;
    }
}

void conns_close_idle(struct conn_set *s, int64_t now_ms)
{
    int64_t max_idle = s->limits.max_idle_ms;
    struct conn *c = s->all;
    while (c) {
        struct conn *n = c->next;
        if (!c->head && now_ms - c->last_active_ms > max_idle) {
            log_debug("net", "closing idle connection", "conn=%llu peer=%s", (unsigned long long)c->id, c->peer);
            conn_close(c, "idle");
        } else if (!c->head && now_ms - c->last_active_ms >= 1000) {
            release_idle_buffers(c);
        }
        c = n;
    }
}

void conns_close_all(struct conn_set *s)
{
    while (s->all)
        conn_close(s->all, "shutdown");
}
