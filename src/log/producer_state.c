/* Idempotent producer state: see producer_state.h. */
#include "log/producer_state.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/util.h"
#include "log/batch.h"
#include "log/fileio.h"
#include "log/kerr.h"
#include "core/byteorder.h"

#define SNAP_MAGIC 0x534c5053u   /* "SLPS" */
#define SNAP_VERSION 1
#define SNAP_HEADER 20           /* magic, version, log_end, count */
#define SNAP_ENTRY_FIXED 19      /* pid, epoch, n, last_ms */
#define SNAP_BATCH 24

static size_t hash_pid(int64_t pid, size_t nbuckets)
{
    uint64_t x = (uint64_t)pid * 0x9e3779b97f4a7c15ull;
    return (size_t)(x >> 32) & (nbuckets - 1);
}

struct pstate *pstate_new(void)
{
    struct pstate *ps = xcalloc(1, sizeof(*ps));
    ps->nbuckets = 16;
    ps->buckets = xcalloc(ps->nbuckets, sizeof(*ps->buckets));
    return ps;
}

void pstate_free(struct pstate *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->nbuckets; i++) {
        struct pentry *e = ps->buckets[i];
        while (e) {
            struct pentry *n = e->next;
            free(e);
            e = n;
        }
    }
    free(ps->buckets);
    free(ps);
}

int32_t pstate_last_seq(int32_t base_seq, int32_t last_offset_delta)
{
    /* Kafka's DefaultRecordBatch.incrementSequence: wraps past INT32_MAX to 0. */
    if (base_seq > INT32_MAX - last_offset_delta)
        return last_offset_delta - (INT32_MAX - base_seq) - 1;
    return base_seq + last_offset_delta;
}

static bool in_sequence(int32_t last_seq, int32_t next_seq)
{
    return (int64_t)next_seq == (int64_t)last_seq + 1 || (next_seq == 0 && last_seq == INT32_MAX);
}

struct pentry *pstate_find(struct pstate *ps, int64_t pid)
{
    for (struct pentry *e = ps->buckets[hash_pid(pid, ps->nbuckets)]; e; e = e->next)
        if (e->pid == pid)
            return e;
    return NULL;
}

static void grow(struct pstate *ps)
{
    size_t nb = ps->nbuckets * 2;
    struct pentry **v = xcalloc(nb, sizeof(*v));
    for (size_t i = 0; i < ps->nbuckets; i++) {
        struct pentry *e = ps->buckets[i];
        while (e) {
            struct pentry *n = e->next;
            size_t h = hash_pid(e->pid, nb);
            e->next = v[h];
            v[h] = e;
            e = n;
        }
    }
    free(ps->buckets);
    ps->buckets = v;
    ps->nbuckets = nb;
}

struct pentry *pstate_upsert(struct pstate *ps, int64_t pid)
{
    struct pentry *e = pstate_find(ps, pid);
    if (e)
        return e;
    if (ps->count >= ps->nbuckets)
        grow(ps);
    e = xcalloc(1, sizeof(*e));
    e->pid = pid;
    e->epoch = -1;
    size_t h = hash_pid(pid, ps->nbuckets);
    e->next = ps->buckets[h];
    ps->buckets[h] = e;
    ps->count++;
    return e;
}

void pstate_remove(struct pstate *ps, int64_t pid)
{
    struct pentry **pp = &ps->buckets[hash_pid(pid, ps->nbuckets)];
    while (*pp && (*pp)->pid != pid)
        pp = &(*pp)->next;
    if (!*pp)
        return;
    struct pentry *e = *pp;
    *pp = e->next;
    free(e);
    ps->count--;
}

int pstate_check(struct pstate *ps, int64_t pid, int16_t epoch, int32_t first_seq, int32_t last_seq,
                 int64_t now_ms, int64_t expire_ms, struct pbatch *dup)
{
    if (epoch < 0)
        return KERR_INVALID_PRODUCER_EPOCH;
    if (first_seq < 0)
        return KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    struct pentry *e = pstate_find(ps, pid);
    if (e && expire_ms > 0 && now_ms - e->last_ms > expire_ms) {
        pstate_remove(ps, pid);
        e = NULL;
    }
    if (!e || e->epoch < 0)
        return first_seq == 0 ? 0 : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    if (epoch < e->epoch)
        return KERR_INVALID_PRODUCER_EPOCH;
    if (epoch > e->epoch)
        return first_seq == 0 ? 0 : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    for (int i = 0; i < e->n; i++) {
        const struct pbatch *b = &e->b[(e->head + PSTATE_WINDOW - i) % PSTATE_WINDOW];
        if (b->first_seq == first_seq && b->last_seq == last_seq) {
            *dup = *b;
            return PSTATE_DUPLICATE;
        }
    }
    if (e->n == 0)
        return first_seq == 0 ? 0 : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    return in_sequence(e->b[e->head].last_seq, first_seq) ? 0 : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

void pstate_explain(struct pstate *ps, int rc, int64_t pid, int16_t epoch, int32_t first_seq, char *buf, size_t n)
{
    const struct pentry *e = pstate_find(ps, pid);
    if (rc == KERR_INVALID_PRODUCER_EPOCH)
        snprintf(buf, n, "producer %lld epoch %d is older than the current epoch %d", (long long)pid, epoch,
                 e ? e->epoch : -1);
    else
        snprintf(buf, n, "producer %lld epoch %d: sequence %d does not follow %d", (long long)pid, epoch, first_seq,
                 e && e->n && e->epoch == epoch ? e->b[e->head].last_seq : -1);
}

bool pstate_record(struct pstate *ps, int64_t pid, int16_t epoch, int32_t first_seq, int32_t last_seq,
                   int64_t first_off, int64_t last_off, int64_t now_ms)
{
    struct pentry *e = pstate_upsert(ps, pid);
    bool changed = e->epoch != epoch;
    if (changed) {
        e->epoch = epoch;
        e->n = 0;
        e->head = 0;
    }
    if (e->n > 0)
        e->head = (uint8_t)((e->head + 1) % PSTATE_WINDOW);
    if (e->n < PSTATE_WINDOW)
        e->n++;
    e->b[e->head] = (struct pbatch){first_seq, last_seq, first_off, last_off};
    e->last_ms = now_ms;
    return changed;
}

size_t pstate_expire(struct pstate *ps, int64_t now_ms, int64_t expire_ms)
{
    size_t removed = 0;
    if (expire_ms <= 0)
        return 0;
    for (size_t i = 0; i < ps->nbuckets; i++) {
        struct pentry **pp = &ps->buckets[i];
        while (*pp) {
            struct pentry *e = *pp;
            if (now_ms - e->last_ms > expire_ms) {
                *pp = e->next;
                free(e);
                ps->count--;
                removed++;
            } else {
                pp = &e->next;
            }
        }
    }
    return removed;
}

void pstate_for_each(struct pstate *ps, void (*fn)(const struct pentry *e, void *arg), void *arg)
{
    for (size_t i = 0; i < ps->nbuckets; i++)
        for (struct pentry *e = ps->buckets[i]; e; e = e->next)
            fn(e, arg);
}

/* Layout (big-endian): magic u32, version u32, log_end i64, count u32,
 * then per entry pid i64, epoch i16, n u8, last_ms i64 and n batches
 * (first_seq i32, last_seq i32, first_off i64, last_off i64) oldest
 * first; then CRC-32C of everything before it. */
int pstate_save(const struct pstate *ps, const char *path, int64_t log_end)
{
    size_t cap = SNAP_HEADER + 4 + ps->count * (SNAP_ENTRY_FIXED + PSTATE_WINDOW * SNAP_BATCH);
    uint8_t *buf = xmalloc(cap), *p = buf;
    put_be32(p, SNAP_MAGIC);
    put_be32(p + 4, SNAP_VERSION);
    put_be64(p + 8, (uint64_t)log_end);
    put_be32(p + 16, (uint32_t)ps->count);
    p += SNAP_HEADER;
    for (size_t i = 0; i < ps->nbuckets; i++)
        for (const struct pentry *e = ps->buckets[i]; e; e = e->next) {
            put_be64(p, (uint64_t)e->pid);
            put_be16(p + 8, (uint16_t)e->epoch);
            p[10] = e->n;
            put_be64(p + 11, (uint64_t)e->last_ms);
            p += SNAP_ENTRY_FIXED;
            for (int k = e->n - 1; k >= 0; k--) {
                const struct pbatch *b = &e->b[(e->head + PSTATE_WINDOW - k) % PSTATE_WINDOW];
                put_be32(p, (uint32_t)b->first_seq);
                put_be32(p + 4, (uint32_t)b->last_seq);
                put_be64(p + 8, (uint64_t)b->first_off);
                put_be64(p + 16, (uint64_t)b->last_off);
                p += SNAP_BATCH;
            }
        }
    put_be32(p, crc32c(0, buf, (size_t)(p - buf)));
    p += 4;
    int rc = fileio_write_atomic(path, buf, (size_t)(p - buf));
    free(buf);
    return rc;
}

int pstate_load(struct pstate *ps, const char *path, int64_t *log_end)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < SNAP_HEADER + 4 || st.st_size > (64 << 20)) {
        close(fd);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = xmalloc(len);
    ssize_t r = pread(fd, buf, len, 0);
    close(fd);
    int rc = -1;
    if (r != (ssize_t)len || be32(buf) != SNAP_MAGIC || be32(buf + 4) != SNAP_VERSION ||
        crc32c(0, buf, len - 4) != be32(buf + len - 4))
        goto out;
    *log_end = (int64_t)be64(buf + 8);
    uint32_t count = be32(buf + 16);
    const uint8_t *p = buf + SNAP_HEADER, *end = buf + len - 4;
    for (uint32_t i = 0; i < count; i++) {
        if (end - p < SNAP_ENTRY_FIXED)
            goto out;
        int64_t pid = (int64_t)be64(p);
        int16_t epoch = (int16_t)be16(p + 8);
        uint8_t n = p[10];
        int64_t last_ms = (int64_t)be64(p + 11);
        p += SNAP_ENTRY_FIXED;
        if (n > PSTATE_WINDOW || end - p < (ptrdiff_t)n * SNAP_BATCH || pid < 0)
            goto out;
        struct pentry *e = pstate_upsert(ps, pid);
        e->epoch = epoch;
        e->n = 0;
        e->head = 0;
        for (int k = 0; k < n; k++) {
            pstate_record(ps, pid, epoch, (int32_t)be32(p), (int32_t)be32(p + 4), (int64_t)be64(p + 8),
                          (int64_t)be64(p + 16), last_ms);
            p += SNAP_BATCH;
        }
        e->last_ms = last_ms;
    }
    rc = p == end ? 0 : -1;
out:
    free(buf);
    return rc;
}
