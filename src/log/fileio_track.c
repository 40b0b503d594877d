/* Which bytes of which files would survive a power failure.
 * Files are tracked by path, so a file keeps its state after its fd is
 * closed (its unsynced tail must still be dropped at the crash). */
#include "log/fileio_track.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/util.h"

struct tracked {
    char *path;
    off_t size;          /* bytes written so far */
    off_t synced;        /* bytes covered by a completed fsync */
    bool new_entry;      /* created or renamed here: the name itself is not durable yet */
    bool dir_synced;     /* the directory was fsynced since */
    bool gone;           /* unlinked or replaced: ignore at the crash */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct tracked **files;
static size_t nfiles, cap_files;
static struct tracked **by_fd;
static size_t cap_fd;

void track_reset(void)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nfiles; i++) {
        free(files[i]->path);
        free(files[i]);
    }
    free(files);
    free(by_fd);
    files = NULL;
    by_fd = NULL;
    nfiles = cap_files = cap_fd = 0;
    pthread_mutex_unlock(&mu);
}

static struct tracked *find_live(const char *path)
{
    for (size_t i = 0; i < nfiles; i++)
        if (!files[i]->gone && strcmp(files[i]->path, path) == 0)
            return files[i];
    return NULL;
}

static struct tracked *fd_entry(int fd)
{
    return fd >= 0 && (size_t)fd < cap_fd ? by_fd[fd] : NULL;
}

static void map_fd(int fd, struct tracked *t)
{
    if ((size_t)fd >= cap_fd) {
        size_t cap = MAX((size_t)fd + 1, cap_fd * 2);
        by_fd = xrealloc(by_fd, cap * sizeof(*by_fd));
        memset(by_fd + cap_fd, 0, (cap - cap_fd) * sizeof(*by_fd));
        cap_fd = cap;
    }
    by_fd[fd] = t;
}

int track_open(const char *path, int flags, mode_t mode)
{
    pthread_mutex_lock(&mu);
    struct stat st;
    bool existed = stat(path, &st) == 0;
    int fd = open(path, flags, mode);
    if (fd >= 0) {
        struct tracked *t = find_live(path);
        if (!t) {
            t = xcalloc(1, sizeof(*t));
            t->path = xstrdup(path);
            /* a file that was there before we looked is taken as durable */
            t->new_entry = !existed;
            t->dir_synced = existed;
            t->synced = existed ? st.st_size : 0;
            if (nfiles == cap_files) {
                cap_files = cap_files ? cap_files * 2 : 16;
                files = xrealloc(files, cap_files * sizeof(*files));
            }
            files[nfiles++] = t;
        }
        if (fstat(fd, &st) == 0)
            t->size = st.st_size;
        t->synced = MIN(t->synced, t->size);
        map_fd(fd, t);
    }
    pthread_mutex_unlock(&mu);
    return fd;
}

void track_wrote(int fd, off_t end)
{
    pthread_mutex_lock(&mu);
    struct tracked *t = fd_entry(fd);
    if (t && end > t->size)
        t->size = end;
    pthread_mutex_unlock(&mu);
}

off_t track_size(int fd)
{
    pthread_mutex_lock(&mu);
    struct tracked *t = fd_entry(fd);
    off_t size = t ? t->size : -1;
    pthread_mutex_unlock(&mu);
    return size;
}

void track_synced(int fd, off_t size_at_sync_start)
{
    pthread_mutex_lock(&mu);
    struct tracked *t = fd_entry(fd);
    if (t && size_at_sync_start >= 0)
        t->synced = MAX(t->synced, MIN(size_at_sync_start, t->size));
    pthread_mutex_unlock(&mu);
}

void track_truncated(int fd, off_t len)
{
    pthread_mutex_lock(&mu);
    struct tracked *t = fd_entry(fd);
    if (t) {
        t->size = len;
        t->synced = MIN(t->synced, len);
    }
    pthread_mutex_unlock(&mu);
}

void track_closed(int fd)
{
    pthread_mutex_lock(&mu);
    if (fd_entry(fd))
        by_fd[fd] = NULL;
    pthread_mutex_unlock(&mu);
}

void track_unlinked(const char *path)
{
    pthread_mutex_lock(&mu);
    struct tracked *t = find_live(path);
    if (t)
        t->gone = true;
    pthread_mutex_unlock(&mu);
}

void track_renamed(const char *from, const char *to)
{
    pthread_mutex_lock(&mu);
    struct tracked *old = find_live(to), *t = find_live(from);
    if (old && old != t)
        old->gone = true;
    if (t) {
        free(t->path);
        t->path = xstrdup(to);
        t->new_entry = true;    /* the new name is durable only after a directory fsync */
        t->dir_synced = false;
    }
    pthread_mutex_unlock(&mu);
}

static bool in_dir(const char *path, const char *dir, size_t dlen)
{
    if (strcmp(dir, ".") == 0 && !strchr(path, '/'))
        return true;
    return strncmp(path, dir, dlen) == 0 && path[dlen] == '/' && !strchr(path + dlen + 1, '/');
}

void track_dir_synced(const char *dir)
{
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nfiles; i++)
        if (!files[i]->gone && in_dir(files[i]->path, dir, dlen))
            files[i]->dir_synced = true;
    pthread_mutex_unlock(&mu);
}

void track_crash(void)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nfiles; i++) {
        struct tracked *t = files[i];
        if (t->gone)
            continue;
        if (t->new_entry && !t->dir_synced) {
            unlink(t->path);
            continue;
        }
        struct stat st;
        if (stat(t->path, &st) == 0 && st.st_size > t->synced)
            (void)!truncate(t->path, t->synced);
    }
}
