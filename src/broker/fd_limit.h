/* The open-file limit against max.connections: containers and systemd set
 * low limits (1024), and a broker that runs out of descriptors cannot even
 * accept a connection to refuse it. */
#ifndef SLUICE_FD_LIMIT_H
#define SLUICE_FD_LIMIT_H

#include <stdint.h>

/* Raises the soft RLIMIT_NOFILE to the hard one and warns when
 * max_connections plus a reserve for segment files does not fit. */
void fd_limit_check(int64_t max_connections);

#endif
