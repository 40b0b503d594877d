/* A listening TCP socket on host:port (host "" = every interface), shared
 * by the Kafka and HTTP listeners. */
#ifndef SLUICE_TCP_LISTEN_H
#define SLUICE_TCP_LISTEN_H
#include <stdbool.h>
#include <stddef.h>

/* Returns the socket (extra socket() flags in sock_flags, e.g.
 * SOCK_NONBLOCK) and the port it got (for port 0) in *bound_port, or -1
 * with the reason in why: the lookup's error when *lookup_failed, else
 * strerror(errno), errno kept for the caller. */
int tcp_listen(const char *host, int port, int sock_flags, int backlog, int *bound_port, bool *lookup_failed,
               char *why, size_t whylen);
/* The socket is bound to a loopback address (127.0.0.0/8, ::1), so only
 * this machine can reach it; false for every interface (0.0.0.0, ::). */
bool tcp_bound_to_loopback(int fd);
#endif
