#include "broker/dir_lock.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* The pid a holder wrote, or 0 if the file has none (yet). */
static long holder_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    long pid = strtol(buf, NULL, 10);
    return pid > 0 ? pid : 0;
}

int dir_lock(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open lock file %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int saved = errno;
        long pid = holder_pid(fd);
        close(fd);
        if (saved != EWOULDBLOCK) {
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(saved));
        } else if (pid) {
            snprintf(err, errlen, "log.dirs %s is in use by another broker (pid %ld holds %s); stop it or set log.dirs",
                     dir, pid, path);
        } else {
            snprintf(err, errlen, "log.dirs %s is in use by another broker (it holds %s); stop it or set log.dirs", dir,
                     path);
        }
        return -1;
    }
    /* Ours now: replace whatever pid a dead holder left. */
    char text[32];
    int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        snprintf(err, errlen, "cannot write lock file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
