#include "broker/fd_limit.h"
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include "core/slog.h"

/* Descriptors the broker holds besides connections: segments, indexes,
 * listeners, epoll, HTTP. A guess, but it makes the warning come early. */
#define FD_RESERVE 256

void fd_limit_check(int64_t max_connections)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max;
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("broker", "cannot raise the open-file limit", "error=\"%s\"", strerror(errno));
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && (uint64_t)max_connections + FD_RESERVE > (uint64_t)rl.rlim_cur)
        log_warn("broker", "open-file limit below max.connections; raise it (ulimit -n, LimitNOFILE) or lower max.connections",
                 "nofile=%llu max_connections=%lld", (unsigned long long)rl.rlim_cur, (long long)max_connections);
}
