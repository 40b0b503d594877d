/* libFuzzer target: log recovery from an arbitrary segment file.
 *
 * The input (after one flags byte) becomes <tmp>/t-0/00000000000000000000.log
 * and plog_open() recovers it. Then:
 *  - the offsets are consistent (log start <= high watermark == log end);
 *  - recovery only cut the file: what is left is a prefix of the input;
 *  - plog_read at several offsets answers within the file, and every
 *    batch it returns is whole, valid (batch_validate), in offset order,
 *    and the first one holds the offset asked for;
 *  - an append lands at the log end and reads back; a clean close and a
 *    reopen keep it all and scan nothing;
 *  - no crash, no leak (ASan).
 *
 * Flags (first byte) widen what the fuzzer reaches:
 *   0x01 fix each batch's CRC        0x02 make base offsets contiguous
 *   0x04 split into two segments     0x08 add a checkpoint file
 *   0x10 small segment.bytes (rolls) 0x20 index entry for every batch
 *   0x40 LogAppendTime
 * With 0x08 the checkpoint may claim the file is clean, or put the
 * recovery point past the first segment; recovery trusts what it says
 * without reading (as Kafka does after a clean shutdown): then only the
 * no-crash, in-bounds and append checks apply.
 *
 * Build and run: scripts/run-fuzz. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/fileref.h"
#include "core/slog.h"
#include "log/batch.h"
#include "log/batch_build.h"
#include "log/kerr.h"
#include "log/plog.h"
#include "protocol/wire.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[PATH_MAX], dir[PATH_MAX];
static struct batch_validator *validator;
static uint8_t good_batch[128];
static size_t good_len;

/* A valid two-record batch, built once: what the append step writes. */
static void build_good_batch(void)
{
    const struct batch_record recs[] = {
        {.timestamp = 1700000000000, .key = NULL, .key_len = -1, .value = (const uint8_t *)"a", .value_len = 1},
        {.timestamp = 1700000000000, .key = NULL, .key_len = -1, .value = (const uint8_t *)"b", .value_len = 1},
    };
    struct bytebuf built = {0};
    if (batch_build(&built, NULL, recs, 2) != 0 || built.len > sizeof(good_batch))
        abort();
    uint8_t *p = good_batch;
    size_t len = built.len;
    memcpy(p, built.p, len);
    bytebuf_free(&built);
    good_len = len;
    char why[100];
    if (batch_validate(validator, p, len, true, NULL, why, sizeof(why)) != 0) {
        fprintf(stderr, "fuzz_recovery: the append batch is invalid: %s\n", why);
        abort();
    }
}

static void clear_dir(void);

static void remove_root(void)
{
    clear_dir();
    rmdir(dir);
    rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Recovery warns about every bad input; FUZZ_VERBOSE=1 shows it when reproducing. */
    slog_set_level(getenv("FUZZ_VERBOSE") ? SLOG_DEBUG : SLOG_ERROR);
    /* FUZZ_WORK_DIR (scripts/run-fuzz sets it), else tmpfs, else TMPDIR. */
    const char *base = getenv("FUZZ_WORK_DIR");
    if (!base)
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(root, sizeof(root), "%s/fuzz-recovery.XXXXXX", base);
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        abort();
    }
    atexit(remove_root);
    snprintf(dir, sizeof(dir), "%s/t-0", root);
    validator = batch_validator_new();
    batch_validator_set_limits(validator, 1u << 20, 8u << 20);
    build_good_batch();
    return 0;
}

static void clear_dir(void)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[PATH_MAX + 300];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
}

static void write_file(const char *name, const uint8_t *p, size_t n)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "cannot create a test file");
    CHECK(n == 0 || write(fd, p, n) == (ssize_t)n, "short write of a test file");
    close(fd);
}

static uint8_t *read_file(const char *name, size_t *n)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        *n = 0;
        return NULL;
    }
    struct stat st;
    fstat(fd, &st);
    uint8_t *p = malloc((size_t)st.st_size + 1);
    *n = (size_t)pread(fd, p, (size_t)st.st_size, 0);
    close(fd);
    return p;
}

/* Fixes CRCs and/or offsets of the batches the bytes hold, as far as
 * their length fields tile them. Returns the number of batches; cut[]
 * gets the start of the second one (0 if none). */
static int fix_batches(uint8_t *p, size_t n, uint8_t flags, size_t *cut, int64_t *cut_base)
{
    size_t pos = 0;
    int64_t next = 0;
    int count = 0;
    *cut = 0;
    *cut_base = 0;
    while (n - pos >= BATCH_HEADER_SIZE) {
        int32_t blen = (int32_t)be32(p + pos + BATCH_OFF_LENGTH);
        if (blen < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || (size_t)blen + BATCH_LOG_OVERHEAD > n - pos)
            break;
        size_t total = (size_t)blen + BATCH_LOG_OVERHEAD;
        int32_t lod = (int32_t)be32(p + pos + BATCH_OFF_LAST_OFFSET_DELTA);
        if (flags & 0x02) {
            put_be64(p + pos, (uint64_t)next);
            next += (lod >= 0 && lod < (1 << 20) ? lod : 0) + 1;
        }
        if (flags & 0x01)
            put_be32(p + pos + BATCH_OFF_CRC, crc32c(0, p + pos + BATCH_OFF_ATTRIBUTES, total - BATCH_OFF_ATTRIBUTES));
        if (count == 1) {
            *cut = pos;
            *cut_base = (int64_t)be64(p + pos);
        }
        count++;
        pos += total;
    }
    return count;
}

/* Every batch of a read: whole, valid, ascending, within [from, hw). */
static void check_read(struct plog *l, int64_t offset, const struct log_read *rd, bool strict)
{
    CHECK(rd->file && rd->file->fd >= 0, "read without a file");
    CHECK(rd->pos >= 0 && rd->len > 0, "read range is empty or negative");
    struct stat st;
    CHECK(fstat(rd->file->fd, &st) == 0, "fstat");
    CHECK(rd->pos + rd->len <= st.st_size, "read range runs past the end of the file");
    uint8_t *buf = malloc((size_t)rd->len);
    CHECK(pread(rd->file->fd, buf, (size_t)rd->len, rd->pos) == rd->len, "short pread");
    size_t pos = 0;
    int64_t prev_end = -1;
    bool first = true;
    while (pos < (size_t)rd->len) {
        struct batch_info bi;
        size_t left = (size_t)rd->len - pos;
        if (!strict) {
            if (batch_parse_header(buf + pos, left, &bi) != 0 || batch_total_size(&bi) > left)
                break;
            pos += batch_total_size(&bi);
            continue;
        }
        CHECK(batch_parse_header(buf + pos, left, &bi) == 0, "read returned a bad batch header");
        size_t total = batch_total_size(&bi);
        CHECK(total <= left, "read returned a partial batch");
        char why[128] = "";
        int rc = batch_validate(validator, buf + pos, total, false, &bi, why, sizeof(why));
        if (rc) {
            fprintf(stderr, "fuzz_recovery: batch at %" PRId64 " of a read: %s\n", rd->pos + (int64_t)pos, why);
            abort();
        }
        int64_t last = bi.base_offset + bi.last_offset_delta;
        if (first)
            CHECK(last >= offset, "the first batch read ends before the offset asked for");
        CHECK(bi.base_offset > prev_end, "batch offsets go backwards in a read");
        CHECK(last < plog_high_watermark(l), "a read returned a batch past the high watermark");
        prev_end = last;
        first = false;
        pos += total;
    }
    free(buf);
}

/* The largest last offset of the whole batches in the segment files. */
static int64_t last_offset_on_disk(void)
{
    int64_t last = -1;
    DIR *d = opendir(dir);
    CHECK(d != NULL, "opendir");
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".log") != 0)
            continue;
        size_t n;
        uint8_t *p = read_file(e->d_name, &n);
        struct batch_info bi;
        for (size_t pos = 0; p && batch_parse_header(p + pos, n - pos, &bi) == 0 && batch_total_size(&bi) <= n - pos;
             pos += batch_total_size(&bi))
            last = bi.base_offset + bi.last_offset_delta > last ? bi.base_offset + bi.last_offset_delta : last;
        free(p);
    }
    closedir(d);
    return last;
}

static void read_at(struct plog *l, int64_t offset, int32_t max_bytes, bool strict)
{
    struct log_read rd;
    int rc = plog_read(l, offset, max_bytes, &rd);
    int64_t start = plog_log_start(l), hw = plog_high_watermark(l);
    if (offset < start || offset > hw) {
        CHECK(rc == KERR_OFFSET_OUT_OF_RANGE, "out-of-range read not refused");
        return;
    }
    if (!strict && rc)
        return;
    if (rc)
        fprintf(stderr, "fuzz_recovery: read at %" PRId64 " (log start %" PRId64 ", hw %" PRId64 ") failed: error %d\n",
                offset, start, hw, rc);
    CHECK(rc == 0, "in-range read failed");
    if (offset == hw) {
        CHECK(rd.len == 0, "read at the high watermark returned data");
        return;
    }
    if (rd.len == 0) {
        /* Only in a gap: no batch on disk reaches the offset. */
        CHECK(!strict || last_offset_on_disk() < offset, "read below the high watermark returned nothing");
        return;
    }
    check_read(l, offset, &rd, strict);
}

static void read_all(struct plog *l, const uint8_t *sel, size_t nsel, bool strict)
{
    int64_t start = plog_log_start(l), hw = plog_high_watermark(l);
    static const int32_t sizes[] = {1, 100, 4096, 1 << 20};
    int64_t offs[] = {start, start + 1, start + (hw - start) / 2, hw - 1, hw, hw + 1, start - 1};
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
        read_at(l, offs[i], sizes[i % 4], strict);
    for (size_t i = 0; i + 1 < nsel && i < 8; i += 2)
        read_at(l, start + sel[i] % (hw - start + 2), sizes[sel[i + 1] % 4], strict);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    size_t n = size - 1;
    uint8_t *buf = malloc(n ? n : 1);
    if (n)
        memcpy(buf, data + 1, n);
    size_t cut = 0;
    int64_t cut_base = 0;
    int nbatches = fix_batches(buf, n, flags, &cut, &cut_base);

    clear_dir();
    mkdir(dir, 0755);
    const char *seg0 = "00000000000000000000.log";
    bool split = (flags & 0x04) && nbatches >= 2 && cut_base > 0 && cut_base < ((int64_t)1 << 40);
    char seg1[64] = "";
    if (split) {
        snprintf(seg1, sizeof(seg1), "%020" PRId64 ".log", cut_base);
        write_file(seg0, buf, cut);
        write_file(seg1, buf + cut, n - cut);
    } else {
        write_file(seg0, buf, n);
    }
    bool strict = true;
    if (flags & 0x08) {
        /* A checkpoint from the last bytes: sometimes clean and matching. */
        uint8_t a = n ? buf[n - 1] : 0, b = n > 1 ? buf[n - 2] : 0;
        char text[512];
        int len = snprintf(text, sizeof(text),
                           "sluice-plog-checkpoint 1\nlog_start %d\nrecovery_point %d\nleader_epoch %d\n"
                           "clean %d\nlog_end %d\nactive_base %" PRId64 "\nactive_size %zu\nactive_first_ts -1\n",
                           a % 4, b % 8, a % 3, (a >> 4) & 1, b, split ? cut_base : 0, split ? n - cut : n);
        write_file("checkpoint", (const uint8_t *)text, (size_t)len);
        /* Trusted without reading: a clean file, and (no clean checkpoint)
         * segments wholly below the recovery point, synced at their roll. */
        strict = !((a >> 4) & 1) && (!split || b % 8 < cut_base);
    }

    struct log_config cfg = {
        .segment_bytes = (flags & 0x10) ? 256 : 1 << 20,
        .segment_ms = 0,
        .retention_ms = -1,
        .retention_bytes = -1,
        .index_interval_bytes = (flags & 0x20) ? 1 : 4096,
        .log_append_time = (flags & 0x40) != 0,
    };
    char err[512];
    struct plog *l = plog_open(dir, &cfg, err, sizeof(err));
    if (!l) {
        /* A single segment with no checkpoint can always be recovered (cut to nothing at worst). */
        if (!split && !(flags & 0x08)) {
            fprintf(stderr, "fuzz_recovery: plog_open failed: %s\n", err);
            abort();
        }
        free(buf);
        return 0;
    }
    int64_t start = plog_log_start(l), hw = plog_high_watermark(l), end = plog_log_end(l);
    CHECK(start >= 0 && start <= hw && hw == end, "offsets after recovery are inconsistent");
    if (strict && !split) {
        /* Recovery only cuts: the file left is a prefix of what was written. */
        size_t got;
        uint8_t *after = read_file(seg0, &got);
        CHECK(after && got <= n && (got == 0 || memcmp(after, buf, got) == 0), "recovery rewrote log bytes");
        free(after);
    }
    read_all(l, data + 1, n, strict);

    /* Append at the end, make it visible (the flusher's job), read it back. */
    uint8_t app[sizeof(good_batch)];
    memcpy(app, good_batch, good_len);
    struct plog_appended a;
    int rc = plog_append(l, app, good_len, 1, &a);
    CHECK(rc == 0, "append after recovery failed");
    CHECK(a.base_offset == end && plog_log_end(l) == end + 2, "append did not land at the log end");
    plog_set_high_watermark(l, plog_log_end(l));
    read_at(l, a.base_offset + 1, 1, strict);
    plog_close(l);

    /* A clean close keeps everything and the reopen scans nothing. */
    l = plog_open(dir, &cfg, err, sizeof(err));
    CHECK(l != NULL, "reopen after a clean close failed");
    CHECK(plog_log_end(l) == end + 2 && plog_high_watermark(l) == end + 2, "clean reopen lost data");
    CHECK(plog_log_start(l) == start, "clean reopen moved the log start");
    CHECK(!strict || plog_recovered_bytes(l) == 0, "clean reopen scanned the log");
    read_at(l, a.base_offset, 1 << 20, strict);
    read_at(l, a.base_offset + 1, 1, strict);
    plog_close(l);
    free(buf);
    return 0;
}
