/* The partition's checkpoint file: a few "key value" lines, replaced
 * atomically. A clean checkpoint (written at close) says the segment
 * files are exactly as described and need no scan at open. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/util.h"
#include "log/fileio.h"
#include "log/log_internal.h"
#include "log/plog_internal.h"

#define CHECKPOINT_FILE "checkpoint"
#define CHECKPOINT_MAGIC "sluice-plog-checkpoint 1"
#define CHECKPOINT_MAX 1024

static void checkpoint_path(char *out, size_t n, const char *dir)
{
    snprintf(out, n, "%s/" CHECKPOINT_FILE, dir);
}

int checkpoint_read(const char *dir, struct checkpoint *ck)
{
    memset(ck, 0, sizeof(*ck));
    char path[PATH_MAX], text[CHECKPOINT_MAX + 1];
    checkpoint_path(path, sizeof(path), dir);
    int fd = fileio_open(path, O_RDONLY, 0);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, CHECKPOINT_MAX);
    fileio_close(fd);
    if (n <= 0)
        return -1;
    text[n] = 0;

    bool have_start = false, have_rp = false;
    int64_t clean = 0;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, CHECKPOINT_MAGIC) != 0)
        goto bad;
    while ((line = strtok_r(NULL, "\n", &save))) {
        char key[32];
        int64_t v;
        if (sscanf(line, "%31s %" SCNd64, key, &v) != 2)
            goto bad;
        if (strcmp(key, "log_start") == 0) {
            ck->log_start = v;
            have_start = true;
        } else if (strcmp(key, "recovery_point") == 0) {
            ck->recovery_point = v;
            have_rp = true;
        } else if (strcmp(key, "leader_epoch") == 0) {
            ck->leader_epoch = (int32_t)v;
        } else if (strcmp(key, "clean") == 0) {
            clean = v;
        } else if (strcmp(key, "log_end") == 0) {
            ck->log_end = v;
        } else if (strcmp(key, "active_base") == 0) {
            ck->active_base = v;
        } else if (strcmp(key, "active_size") == 0) {
            ck->active_size = v;
        } else if (strcmp(key, "active_first_ts") == 0) {
            ck->active_first_ts = v;
        }   /* unknown keys: from a newer version, ignored */
    }
    if (!have_start || !have_rp || ck->log_start < 0)
        goto bad;
    ck->valid = true;
    ck->clean = clean == 1;
    return 0;
bad:
    LOG_WARN("ignoring malformed checkpoint", "file=%s", path);
    memset(ck, 0, sizeof(*ck));
    return -1;
}

int checkpoint_write(struct plog *l, bool clean)
{
    char path[PATH_MAX], text[CHECKPOINT_MAX];
    struct segment *act = active_seg(l);
    int n = snprintf(text, sizeof(text),
                     CHECKPOINT_MAGIC "\nlog_start %" PRId64 "\nrecovery_point %" PRId64
                                      "\nleader_epoch %" PRId32 "\nclean %d\n",
                     l->log_start, clean ? act->end : act->base, l->leader_epoch, clean ? 1 : 0);
    if (clean)
        n += snprintf(text + n, sizeof(text) - (size_t)n,
                      "log_end %" PRId64 "\nactive_base %" PRId64 "\nactive_size %" PRId64
                      "\nactive_first_ts %" PRId64 "\n",
                      act->end, act->base, act->size, act->first_ts);
    checkpoint_path(path, sizeof(path), l->dir);
    if (fileio_write_replace(path, text, (size_t)n) != 0) {
        LOG_WARN("cannot write checkpoint", "file=%s error=\"%s\"", path, strerror(errno));
        return -1;
    }
    return 0;
}

int checkpoint_persist(struct plog *l)
{
    if (checkpoint_write(l, false) != 0)
        return -1;
    if (fileio_fsync_dir(l->dir) != 0) {
        LOG_WARN("cannot fsync directory", "dir=%s error=\"%s\"", l->dir, strerror(errno));
        return -1;
    }
    l->clean_on_disk = false;
    return 0;
}
