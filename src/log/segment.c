/* Segment files: names, the segment array, opening files for reads. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/fileio.h"
#include "log/log_internal.h"
#include "log/plog_internal.h"
#include "log/segcache.h"

#define SEG_NAME_DIGITS 20

void seg_path(char *out, size_t n, const char *dir, int64_t base, const char *ext)
{
    snprintf(out, n, "%s/%020" PRId64 ".%s", dir, base, ext);
}

/* "00000000000000000042.log" -> 42, "log". */
bool seg_parse_name(const char *name, int64_t *base, const char **ext)
{
    uint64_t v = 0;
    for (int i = 0; i < SEG_NAME_DIGITS; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        uint64_t d = (uint64_t)(name[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (name[SEG_NAME_DIGITS] != '.' || v > INT64_MAX)
        return false;
    const char *e = name + SEG_NAME_DIGITS + 1;
    if (strcmp(e, "log") != 0 && strcmp(e, "index") != 0 && strcmp(e, "timeindex") != 0)
        return false;
    *base = (int64_t)v;
    *ext = e;
    return true;
}

int plog_find_segment(const struct plog *l, int64_t offset)
{
    int lo = 0, hi = l->nsegs - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (l->segs[mid].base <= offset)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

struct segment *plog_add_segment(struct plog *l, int64_t base)
{
    if (l->nsegs == l->cap_segs) {
        l->cap_segs = l->cap_segs ? l->cap_segs * 2 : 2;
        l->segs = xrealloc(l->segs, (size_t)l->cap_segs * sizeof(*l->segs));
    }
    struct segment *s = &l->segs[l->nsegs++];
    memset(s, 0, sizeof(*s));
    s->base = s->end = base;
    s->max_ts = s->max_ts_offset = s->first_ts = -1;
    s->index = INDEX_SAVED;   /* empty: nothing to load or save */
    return s;
}

void seg_release(struct segment *s)
{
    free(s->oidx);
    free(s->tidx);
    s->oidx = NULL;
    s->tidx = NULL;
    s->n_oidx = s->cap_oidx = s->n_tidx = s->cap_tidx = 0;
}

void seg_remove_files(const char *dir, int64_t base)
{
    static const char *const exts[] = {"log", "index", "timeindex"};
    char path[PATH_MAX];
    for (size_t i = 0; i < ARRAY_LEN(exts); i++) {
        seg_path(path, sizeof(path), dir, base, exts[i]);
        if (fileio_unlink(path) != 0 && errno != ENOENT)
            LOG_WARN("cannot delete segment file", "file=%s error=\"%s\"", path, strerror(errno));
    }
}

struct fileref *plog_segment_file(struct plog *l, int i)
{
    if (i == l->nsegs - 1)
        return l->active;
    int64_t base = l->segs[i].base;
    l->read_used = true;
    if (l->read_file && l->read_base == base)
        return l->read_file;
    char path[PATH_MAX];
    seg_path(path, sizeof(path), l->dir, base, "log");
    struct fileref *f = segcache_get(l->uid, base, path);
    if (!f) {
        LOG_WARN("cannot open segment", "file=%s error=\"%s\"", path, strerror(errno));
        return NULL;
    }
    fileref_put(l->read_file);
    l->read_file = f;
    l->read_base = base;
    return f;
}

void plog_forget_file(struct plog *l, int64_t base)
{
    segcache_forget(l->uid, base);
    if (l->read_file && l->read_base == base) {
        fileref_put(l->read_file);
        l->read_file = NULL;
    }
}

void plog_hints_reset(struct plog *l)
{
    for (int i = 0; i < PLOG_HINTS; i++)
        l->hints[i].offset = l->hints[i].pos = -1;
    l->hint_next = 0;
}

int64_t plog_hint_lookup(const struct plog *l, int64_t offset)
{
    for (int i = 0; i < PLOG_HINTS; i++)
        if (l->hints[i].offset == offset)
            return l->hints[i].pos;
    return -1;
}
