/* Request deadlines for the HTTP listener: a request must arrive whole
 * (headers and body) within a few seconds of its connection's start or
 * of the previous request's end. libmicrohttpd's own timeout is an idle
 * one, which a client sending a byte now and then never meets; this
 * closes such a connection however it trickles.
 *
 * Threads: the notify callback and deadline_* calls run on the MHD
 * threads; one sweeper thread of its own shuts down the sockets of late
 * requests, which makes libmicrohttpd close them. The sweeper and the
 * "closed" notification share a mutex, and libmicrohttpd closes a
 * socket only after that notification, so the sweeper never touches a
 * socket that was closed (or one that reused its number). */
#ifndef SLUICE_HTTP_DEADLINE_H
#define SLUICE_HTTP_DEADLINE_H
#include <microhttpd.h>
#include <stdint.h>
#include <time.h>

struct http_deadlines;

/* Starts the sweeper; NULL if the thread cannot start. */
struct http_deadlines *deadlines_start(unsigned seconds);
/* After MHD_stop_daemon (whose "closed" notifications it still takes). */
void deadlines_free(struct http_deadlines *d);

/* MHD_OPTION_NOTIFY_CONNECTION's callback, cls the http_deadlines. */
void deadlines_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
/* The connection's request arrived whole: no deadline until it ends. */
void deadline_clear(struct http_deadlines *d, struct MHD_Connection *c);
/* Its request ended: the next one on it has the same time to arrive. */
void deadline_restart(struct http_deadlines *d, struct MHD_Connection *c);

/* CLOCK_REALTIME ms from now, for pthread_cond_timedwait (the sweeper's
 * and http_stop's waits). */
struct timespec realtime_after_ms(int64_t ms);
#endif
