/* The partition log: append/read, rolls, recovery, crash simulation,
 * disk full, retention, timestamps and the idle footprint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "batch_builder.h"
#include "core/fileref.h"
#include "core/util.h"
#include "log/fileio.h"
#include "log/kerr.h"
#include "log/plog.h"
#include "log/segcache.h"
#include "test_helpers.h"

#define DISK_FULL_SETTLE_US 60000

static char *tmp_root;   /* per test: removed afterwards */

static int setup(void **state)
{
    (void)state;
    fileio_configure(NULL);
    tmp_root = th_tmpdir("plog");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fileio_configure(NULL);
    th_rm_rf(tmp_root);
    free(tmp_root);
    return 0;
}

static char *sub(const char *name)
{
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/%s", tmp_root, name);
    return p;
}

static char *seg_file(const char *dir, int64_t base, const char *ext)
{
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/%020" PRId64 ".%s", dir, base, ext);
    return p;
}

static struct log_config small_config(int64_t segment_bytes)
{
    struct log_config c = {
        .segment_bytes = segment_bytes,
        .segment_ms = 0,
        .retention_ms = -1,
        .retention_bytes = -1,
        .index_interval_bytes = 512,
        .log_append_time = false,
    };
    return c;
}

static struct plog *open_log(const char *dir, const struct log_config *c)
{
    char err[256] = "";
    struct plog *l = plog_open(dir, c, err, sizeof(err));
    if (!l)
        fail_msg("plog_open %s: %s", dir, err);
    return l;
}

/* Appends one batch: n records, value_size bytes each, timestamps ts0 + i*step. */
static int64_t append(struct plog *l, int codec, int n, size_t value_size, int64_t ts0, int64_t step)
{
    size_t len;
    uint8_t *b = bb_batch(codec, n, value_size, ts0, step, &len);
    struct plog_appended a;
    int rc = plog_append(l, b, len, 1, &a);
    free(b);
    assert_int_equal(rc, 0);
    return a.base_offset;
}

static void publish(struct plog *l) { plog_set_high_watermark(l, plog_log_end(l)); }

struct fetched {
    int batches, records;
    int64_t first_base, next_offset;
    int32_t len;
    int64_t pos;
    bool values_ok;
};

static int check_value(void *arg, const struct record_view *r)
{
    struct fetched *f = arg;
    (void)r;
    f->records++;
    return 0;
}

/* plog_read, then reads the bytes and checks they are whole valid batches. */
static int fetch(struct plog *l, int64_t offset, int32_t max_bytes, struct fetched *f)
{
    memset(f, 0, sizeof(*f));
    struct log_read r;
    int rc = plog_read(l, offset, max_bytes, &r);
    if (rc)
        return rc;
    f->len = r.len;
    f->pos = r.pos;
    f->first_base = -1;
    f->next_offset = offset;
    if (r.len == 0)
        return 0;
    assert_non_null(r.file);
    uint8_t *buf = malloc((size_t)r.len);
    assert_int_equal(pread(r.file->fd, buf, (size_t)r.len, r.pos), r.len);
    struct batch_validator *v = batch_validator_new();
    size_t off = 0;
    while (off < (size_t)r.len) {
        struct batch_info bi;
        assert_int_equal(batch_parse_header(buf + off, (size_t)r.len - off, &bi), 0);
        size_t size = batch_total_size(&bi);
        assert_true(off + size <= (size_t)r.len);   /* whole batches only */
        char why[128] = "";
        if (batch_validate(v, buf + off, size, true, NULL, why, sizeof(why)) != 0)
            fail_msg("bad batch at %zu: %s", off, why);
        if (f->first_base < 0)
            f->first_base = bi.base_offset;
        else
            assert_int_equal(bi.base_offset, f->next_offset);   /* contiguous */
        assert_int_equal(batch_for_each_record(v, buf + off, size, check_value, f), 0);
        f->next_offset = bi.base_offset + bi.last_offset_delta + 1;
        f->batches++;
        off += size;
    }
    batch_validator_free(v);
    free(buf);
    return 0;
}

/* Reads the whole log like a consumer; returns the number of records. */
static int64_t consume_all(struct plog *l)
{
    int64_t offset = plog_log_start(l), records = 0;
    while (offset < plog_high_watermark(l)) {
        struct fetched f;
        assert_int_equal(fetch(l, offset, 1 << 20, &f), 0);
        assert_true(f.len > 0);
        assert_true(f.first_base <= offset);
        records += f.next_offset - offset;
        offset = f.next_offset;
    }
    return records;
}

static int count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3;   /* ".", ".." and the DIR itself */
}

/* ---------------------------------------------------------------- */

static void test_append_read_across_rolls(void **state)
{
    (void)state;
    char *dir = sub("p0");
    struct log_config c = small_config(4096);
    struct plog *l = open_log(dir, &c);
    assert_int_equal(plog_log_end(l), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(append(l, i % 5, 10, 80, 1000 + i, 1), (int64_t)i * 10);
    assert_int_equal(plog_log_end(l), 1000);
    assert_true(plog_segment_count(l) > 4);
    /* each roll synced the old segment, so the high watermark followed */
    assert_true(plog_high_watermark(l) > 0 && plog_high_watermark(l) < 1000);
    publish(l);
    assert_int_equal(plog_high_watermark(l), 1000);
    /* every offset, from a fresh position search */
    for (int64_t off = 0; off < 1000; off += 7) {
        struct fetched f;
        assert_int_equal(fetch(l, off, 1 << 20, &f), 0);
        assert_true(f.first_base <= off && off < f.first_base + 10);
        assert_true(f.len <= 4096 + 2000);   /* one segment at most */
        assert_int_equal(f.records % 10, 0);
    }
    assert_int_equal(consume_all(l), 1000);
    uint64_t size = plog_size_bytes(l);
    assert_true(size > 20 * 10 * 80);   /* the uncompressed fifth alone */
    plog_close(l);
    free(dir);
}

/* plog_append says when it rolled: exactly when a segment was added,
 * and then everything below the new batch is synced. */
static void test_append_reports_roll(void **state)
{
    (void)state;
    char *dir = sub("rollflag");
    struct log_config c = small_config(4096);
    struct plog *l = open_log(dir, &c);
    int rolls = 0;
    for (int i = 0; i < 60; i++) {
        size_t len;
        uint8_t *b = bb_batch(CODEC_NONE, 10, 80, 1000 + i, 1, &len);
        int segs = plog_segment_count(l);
        struct plog_appended a;
        assert_int_equal(plog_append(l, b, len, 1, &a), 0);
        free(b);
        assert_int_equal(a.rolled, plog_segment_count(l) > segs);
        if (a.rolled) {
            rolls++;
            assert_int_equal(plog_high_watermark(l), a.base_offset);
        }
    }
    assert_true(rolls >= 3);
    plog_close(l);
    free(dir);
}

static void test_multi_batch_append_and_limits(void **state)
{
    (void)state;
    char *dir = sub("p1");
    struct log_config c = small_config(1 << 20);
    struct plog *l = open_log(dir, &c);
    /* three batches in one append */
    size_t l1, l2, l3;
    uint8_t *b1 = bb_batch(CODEC_NONE, 3, 100, 0, 1, &l1), *b2 = bb_batch(CODEC_ZSTD, 4, 100, 0, 1, &l2),
            *b3 = bb_batch(CODEC_GZIP, 5, 100, 0, 1, &l3);
    uint8_t *all = malloc(l1 + l2 + l3);
    memcpy(all, b1, l1);
    memcpy(all + l1, b2, l2);
    memcpy(all + l1 + l2, b3, l3);
    struct plog_appended a;
    assert_int_equal(plog_append(l, all, l1 + l2 + l3, 3, &a), 0);
    assert_int_equal(a.base_offset, 0);
    assert_int_equal(a.log_append_time, -1);
    assert_int_equal(plog_log_end(l), 12);
    /* a buffer that does not tile into the given count is refused */
    assert_int_equal(plog_append(l, all, l1 + l2 + l3, 2, &a), KERR_CORRUPT_MESSAGE);
    assert_int_equal(plog_append(l, all, l1 + l2 + l3 - 1, 3, &a), KERR_CORRUPT_MESSAGE);
    publish(l);
    struct fetched f;
    assert_int_equal(fetch(l, 0, 1 << 20, &f), 0);
    assert_int_equal(f.batches, 3);
    assert_int_equal(f.records, 12);
    /* KIP-74: the first batch comes whole even above max_bytes */
    assert_int_equal(fetch(l, 0, 10, &f), 0);
    assert_int_equal(f.batches, 1);
    assert_int_equal(f.len, (int32_t)l1);
    assert_int_equal(fetch(l, 0, 0, &f), 0);
    assert_int_equal(f.len, (int32_t)l1);
    /* max_bytes cuts at a batch boundary */
    assert_int_equal(fetch(l, 0, (int32_t)(l1 + l2 + 5), &f), 0);
    assert_int_equal(f.batches, 2);
    /* inside a batch: the whole batch from its start */
    assert_int_equal(fetch(l, 5, 1 << 20, &f), 0);
    assert_int_equal(f.first_base, 3);
    assert_int_equal(f.pos, (int64_t)l1);
    /* a big first batch */
    append(l, CODEC_NONE, 10, 6000, 0, 1);
    publish(l);
    assert_int_equal(fetch(l, 12, 100, &f), 0);
    assert_int_equal(f.batches, 1);
    assert_true(f.len > 60000);
    free(b1), free(b2), free(b3), free(all);
    plog_close(l);
    free(dir);
}

/* A read ends at the last batch boundary that fits max_bytes, whether
 * found through the index or by walking headers, in closed and active
 * segments alike. */
static void test_max_bytes_boundaries(void **state)
{
    (void)state;
    char *dir = sub("maxb");
    struct log_config c = small_config(64 * 1024);
    struct plog *l = open_log(dir, &c);
    for (int i = 0; i < 300; i++)
        append(l, i % 3 == 0 ? CODEC_NONE : CODEC_LZ4, 1 + i % 7, 40 + (size_t)(i % 11) * 30, 0, 1);
    publish(l);
    assert_true(plog_segment_count(l) >= 2);
    int64_t leo = plog_log_end(l);
    for (int64_t off = 0; off < leo; off += 37) {
        for (int32_t max = 1; max < 40000; max = max * 3 + 17) {
            struct fetched f, next;
            assert_int_equal(fetch(l, off, max, &f), 0);
            assert_true(f.batches >= 1);
            if (f.batches > 1)
                assert_true(f.len <= max);
            /* maximal: one more batch from the same segment would not fit */
            if (f.next_offset < leo) {
                assert_int_equal(fetch(l, f.next_offset, 1, &next), 0);
                if (next.pos == f.pos + f.len)
                    assert_true(f.len + next.len > max);
            }
        }
    }
    plog_close(l);
    free(dir);
}

static void test_out_of_range_and_hw(void **state)
{
    (void)state;
    char *dir = sub("p2");
    struct log_config c = small_config(1 << 20);
    struct plog *l = open_log(dir, &c);
    struct fetched f;
    assert_int_equal(fetch(l, 0, 1000, &f), 0);   /* empty log: offset 0 == hw */
    assert_int_equal(f.len, 0);
    assert_int_equal(fetch(l, 1, 1000, &f), KERR_OFFSET_OUT_OF_RANGE);
    append(l, CODEC_NONE, 5, 10, 0, 1);
    append(l, CODEC_NONE, 5, 10, 0, 1);
    append(l, CODEC_NONE, 5, 10, 0, 1);
    assert_int_equal(plog_high_watermark(l), 0);
    assert_int_equal(fetch(l, 0, 1 << 20, &f), 0);   /* nothing is durable yet */
    assert_int_equal(f.len, 0);
    assert_int_equal(fetch(l, 3, 1 << 20, &f), KERR_OFFSET_OUT_OF_RANGE);
    plog_set_high_watermark(l, 5);
    assert_int_equal(fetch(l, 0, 1 << 20, &f), 0);
    assert_int_equal(f.batches, 1);                    /* never past the high watermark */
    assert_int_equal(f.next_offset, 5);
    assert_int_equal(fetch(l, 5, 1 << 20, &f), 0);
    assert_int_equal(f.len, 0);
    assert_int_equal(fetch(l, 6, 1 << 20, &f), KERR_OFFSET_OUT_OF_RANGE);
    /* a high watermark inside a batch only exposes whole batches */
    plog_set_high_watermark(l, 12);
    assert_int_equal(plog_high_watermark(l), 10);
    assert_int_equal(fetch(l, 0, 1 << 20, &f), 0);
    assert_int_equal(f.next_offset, 10);
    /* never backwards (past the log end is a bug: test_hw_past_end_aborts) */
    plog_set_high_watermark(l, 3);
    assert_int_equal(plog_high_watermark(l), 10);
    plog_set_high_watermark(l, 15);
    assert_int_equal(plog_high_watermark(l), 15);
    assert_int_equal(fetch(l, -1, 1000, &f), KERR_OFFSET_OUT_OF_RANGE);
    assert_int_equal(fetch(l, 16, 1000, &f), KERR_OFFSET_OUT_OF_RANGE);
    plog_close(l);
    free(dir);
}

static void set_hw_1000(void *log) { plog_set_high_watermark(log, 1000); }

/* A high watermark past the log end means the caller's state is wrong:
 * the broker stops with a message naming the invariant and the values
 * (in a child here) instead of clamping it out of sight. */
static void test_hw_past_end_aborts(void **state)
{
    (void)state;
    char *dir = sub("p-inv");
    struct log_config c = small_config(1 << 20);
    struct plog *l = open_log(dir, &c);
    for (int i = 0; i < 3; i++)
        append(l, CODEC_NONE, 5, 10, 0, 1);
    char err[1024];
    int status = th_run_child(set_hw_1000, l, err, sizeof(err));
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(err, "invariant failed: high watermark <= log end"));
    assert_non_null(strstr(err, "new_hw=1000 log_end=15"));
    /* the parent's log is untouched and still works */
    assert_int_equal(plog_high_watermark(l), 0);
    publish(l);
    assert_int_equal(plog_high_watermark(l), 15);
    plog_close(l);
    free(dir);
}

/* More appends than the position hints remember: the high watermark's
 * position is found through the index instead. */
static void test_hw_without_hint(void **state)
{
    (void)state;
    char *dir = sub("p3");
    struct log_config c = small_config(1 << 20);
    struct plog *l = open_log(dir, &c);
    for (int i = 0; i < 100; i++)
        append(l, CODEC_NONE, 2, 50, 0, 1);
    plog_set_high_watermark(l, 20);
    assert_int_equal(plog_high_watermark(l), 20);
    struct fetched f;
    assert_int_equal(fetch(l, 0, 1 << 20, &f), 0);
    assert_int_equal(f.next_offset, 20);
    plog_set_high_watermark(l, 101);   /* odd: inside a batch */
    assert_int_equal(plog_high_watermark(l), 100);
    assert_int_equal(consume_all(l), 100);
    plog_close(l);
    free(dir);
}

static void test_clean_reopen_reads_nothing(void **state)
{
    (void)state;
    char *dir = sub("p4");
    struct log_config c = small_config(8192);
    struct plog *l = open_log(dir, &c);
    for (int i = 0; i < 60; i++)
        append(l, i % 5, 10, 50, 5000 + i * 10, 1);
    plog_set_leader_epoch(l, 7);
    int segs = plog_segment_count(l);
    plog_close(l);

    l = open_log(dir, &c);
    assert_int_equal(plog_recovered_bytes(l), 0);
    assert_int_equal(plog_log_end(l), 600);
    assert_int_equal(plog_high_watermark(l), 600);
    assert_int_equal(plog_segment_count(l), segs);
    assert_int_equal(plog_leader_epoch(l), 7);
    assert_int_equal(consume_all(l), 600);
    int64_t off, ts;
    assert_int_equal(plog_max_timestamp(l, &off, &ts), 0);
    assert_int_equal(ts, 5000 + 59 * 10 + 9);
    assert_int_equal(off, 599);
    /* the first append replaces the clean checkpoint before writing */
    append(l, CODEC_NONE, 1, 10, 0, 1);
    char *ck = sub("p4/checkpoint");
    FILE *fp = fopen(ck, "r");
    char text[512] = "";
    assert_true(fread(text, 1, sizeof(text) - 1, fp) > 0);
    fclose(fp);
    assert_non_null(strstr(text, "clean 0"));
    plog_close(l);

    l = open_log(dir, &c);
    assert_int_equal(plog_recovered_bytes(l), 0);
    assert_int_equal(plog_log_end(l), 601);
    plog_close(l);
    /* a second clean open without changes writes nothing and stays clean */
    l = open_log(dir, &c);
    assert_int_equal(plog_recovered_bytes(l), 0);
    plog_close(l);
    free(ck);
    free(dir);
}

/* An unclean stop (no plog_close): the next open validates the tail. */
static void test_unclean_stop_scans(void **state)
{
    (void)state;
    char *dir = sub("p5");
    struct log_config c = small_config(1 << 20);
    struct plog *l = open_log(dir, &c);
    append(l, CODEC_NONE, 10, 10, 0, 1);
    plog_close(l);
    pid_t pid = fork();
    if (pid == 0) {
        struct plog *cl = plog_open(dir, &c, NULL, 0);
        size_t len;
        uint8_t *b = bb_batch(CODEC_NONE, 5, 10, 0, 1, &len);
        struct plog_appended a;
        if (!cl || plog_append(cl, b, len, 1, &a) != 0)
            _exit(1);
        _exit(0);   /* no close */
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
    l = open_log(dir, &c);
    assert_true(plog_recovered_bytes(l) > 0);
    assert_int_equal(plog_log_end(l), 15);
    assert_int_equal(consume_all(l), 15);
    plog_close(l);
    free(dir);
}

/* Builds a log with two closed segments and a tail, closes it cleanly. */
static int64_t build_log(const char *dir, const struct log_config *c, int batches)
{
    struct plog *l = open_log(dir, c);
    for (int i = 0; i < batches; i++)
        append(l, CODEC_NONE, 10, 40, 1000 + i, 1);
    int64_t leo = plog_log_end(l);
    plog_close(l);
    return leo;
}

static int64_t last_segment_base(const char *dir, const struct log_config *c)
{
    struct plog *l = open_log(dir, c);
    struct log_read r;
    int64_t hw = plog_high_watermark(l);
    assert_int_equal(plog_read(l, hw - 1, 1, &r), 0);
    int64_t base = -1;
    uint8_t hdr[8];
    assert_int_equal(pread(r.file->fd, hdr, 8, 0), 8);
    base = (int64_t)be64(hdr);
    plog_close(l);
    return base;
}

static void append_bytes(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    close(fd);
}

static void test_torn_tails(void **state)
{
    (void)state;
    struct log_config c = small_config(4096);
    uint8_t garbage[300];
    for (size_t i = 0; i < sizeof(garbage); i++)
        garbage[i] = (uint8_t)(i * 37 + 11);

    /* (a) garbage after the last batch */
    char *dir = sub("torn-a");
    int64_t leo = build_log(dir, &c, 30);
    int64_t last = last_segment_base(dir, &c);
    char *log = seg_file(dir, last, "log");
    long long size = th_file_size(log);
    append_bytes(log, garbage, sizeof(garbage));
    struct plog *l = open_log(dir, &c);
    assert_true(plog_recovered_bytes(l) > 0);
    assert_int_equal(plog_log_end(l), leo);
    assert_int_equal(th_file_size(log), size);
    assert_int_equal(consume_all(l), leo);
    append(l, CODEC_NONE, 1, 1, 0, 1);   /* and it goes on */
    plog_close(l);
    free(log), free(dir);

    /* (b) the last batch cut short */
    dir = sub("torn-b");
    leo = build_log(dir, &c, 30);
    last = last_segment_base(dir, &c);
    log = seg_file(dir, last, "log");
    size = th_file_size(log);
    assert_int_equal(truncate(log, size - 10), 0);
    l = open_log(dir, &c);
    assert_int_equal(plog_log_end(l), leo - 10);
    assert_int_equal(consume_all(l), leo - 10);
    plog_close(l);
    free(log), free(dir);

    /* (c) a bit flip in the last batch, no checkpoint to trust */
    dir = sub("torn-c");
    leo = build_log(dir, &c, 30);
    last = last_segment_base(dir, &c);
    log = seg_file(dir, last, "log");
    size = th_file_size(log);
    int fd = open(log, O_RDWR);
    uint8_t byte;
    assert_int_equal(pread(fd, &byte, 1, size - 5), 1);
    byte ^= 0x10;
    assert_int_equal(pwrite(fd, &byte, 1, size - 5), 1);
    close(fd);
    char *ck = sub("torn-c/checkpoint");
    unlink(ck);
    l = open_log(dir, &c);
    assert_int_equal(plog_log_end(l), leo - 10);
    assert_true(th_file_size(log) < size);
    plog_close(l);
    free(ck), free(log), free(dir);

    /* (d) a header promising a huge batch; (e) a run of zeros */
    const char *names[] = {"torn-d", "torn-e"};
    for (int k = 0; k < 2; k++) {
        dir = sub(names[k]);
        leo = build_log(dir, &c, 30);
        last = last_segment_base(dir, &c);
        log = seg_file(dir, last, "log");
        size = th_file_size(log);
        uint8_t tail[4096] = {0};
        if (k == 0) {
            size_t len;
            uint8_t *b = bb_batch(CODEC_NONE, 3, 10, 0, 1, &len);
            put_be32(b + BATCH_OFF_LENGTH, 1 << 30);
            memcpy(tail, b, len);
            free(b);
        }
        append_bytes(log, tail, sizeof(tail));
        l = open_log(dir, &c);
        assert_int_equal(plog_log_end(l), leo);
        assert_int_equal(th_file_size(log), size);
        plog_close(l);
        free(log), free(dir);
    }
}

static bool file_exists(const char *p) { return access(p, F_OK) == 0; }

static void test_directory_oddities(void **state)
{
    (void)state;
    struct log_config c = small_config(4096);
    char *dir = sub("odd");
    int64_t leo = build_log(dir, &c, 30);
    char *junk1 = sub("odd/garbage.log"), *junk2 = sub("odd/123.log"), *tmp1 = sub("odd/checkpoint.tmp"),
         *tmp2 = seg_file(dir, 0, "index.tmp"), *orphan = seg_file(dir, 99999, "index"),
         *empty_mid = seg_file(dir, 5, "log"), *empty_tail = seg_file(dir, leo, "log");
    th_write_file(junk1, "x", 1);
    th_write_file(junk2, "x", 1);
    th_write_file(tmp1, "x", 1);
    th_write_file(tmp2, "x", 1);
    th_write_file(orphan, "x", 1);
    th_write_file(empty_mid, "", 0);
    th_write_file(empty_tail, "", 0);
    char *ck = sub("odd/checkpoint");
    unlink(ck);   /* also forces a full scan */
    int segs_before;
    {
        struct plog *l = open_log(dir, &c);
        segs_before = plog_segment_count(l);
        assert_int_equal(plog_log_end(l), leo);
        assert_true(file_exists(junk1) && file_exists(junk2));   /* not ours: left alone */
        assert_false(file_exists(tmp1) || file_exists(tmp2) || file_exists(orphan) || file_exists(empty_mid));
        assert_true(file_exists(empty_tail));   /* the empty last segment is the active one */
        assert_int_equal(consume_all(l), leo);
        assert_int_equal(append(l, CODEC_NONE, 2, 1, 0, 1), leo);
        publish(l);
        assert_int_equal(th_file_size(empty_tail) > 0, 1);
        plog_close(l);
    }
    /* missing and corrupt index files of closed segments are rebuilt */
    char *idx0 = seg_file(dir, 0, "index"), *tidx0 = seg_file(dir, 0, "timeindex");
    assert_true(file_exists(idx0));
    unlink(idx0);
    unlink(tidx0);
    uint8_t bad[64];
    memset(bad, 0xab, sizeof(bad));
    char *idx_other = NULL;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))   /* some other closed segment's index */
        if (strstr(e->d_name, ".index") && strncmp(e->d_name, "00000000000000000000", 20) != 0 &&
            !idx_other) {
            idx_other = malloc(4096);
            snprintf(idx_other, 4096, "%s/%s", dir, e->d_name);
        }
    closedir(d);
    assert_non_null(idx_other);
    th_write_file(idx_other, bad, sizeof(bad));
    struct plog *l = open_log(dir, &c);
    assert_int_equal(plog_recovered_bytes(l), 0);
    assert_int_equal(plog_segment_count(l), segs_before);
    for (int64_t off = 0; off < leo; off += 3) {
        struct fetched f;
        assert_int_equal(fetch(l, off, 100, &f), 0);
        assert_true(f.first_base <= off && off < f.next_offset);
    }
    assert_true(file_exists(idx0));   /* written back */
    plog_close(l);
    free(junk1), free(junk2), free(tmp1), free(tmp2), free(orphan), free(empty_mid), free(empty_tail);
    free(ck), free(idx0), free(tidx0), free(idx_other), free(dir);
}

/* A damaged segment in the middle (found by a full scan) cuts the log there. */
static void test_damaged_middle_segment(void **state)
{
    (void)state;
    struct log_config c = small_config(4096);
    char *dir = sub("mid");
    int64_t leo = build_log(dir, &c, 40);
    struct plog *l = open_log(dir, &c);
    int segs = plog_segment_count(l);
    assert_true(segs >= 4);
    struct log_read r;
    assert_int_equal(plog_read(l, 0, 1, &r), 0);
    plog_close(l);
    /* second segment: flip a byte in its first batch */
    DIR *d = opendir(dir);
    struct dirent *e;
    int64_t bases[64];
    int n = 0;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".log"))
            bases[n++] = strtoll(e->d_name, NULL, 10);
    closedir(d);
    int64_t second = INT64_MAX;
    for (int i = 0; i < n; i++)
        if (bases[i] > 0 && bases[i] < second)
            second = bases[i];
    char *log = seg_file(dir, second, "log"), *ck = sub("mid/checkpoint");
    int fd = open(log, O_RDWR);
    uint8_t byte = 0x5a;
    assert_int_equal(pwrite(fd, &byte, 1, 70), 1);
    close(fd);
    unlink(ck);
    l = open_log(dir, &c);
    assert_int_equal(plog_segment_count(l), 2);
    assert_int_equal(plog_log_end(l), second);
    assert_true(plog_log_end(l) < leo);
    assert_int_equal(consume_all(l), second);
    assert_int_equal(append(l, CODEC_NONE, 1, 1, 0, 1), second);
    plog_close(l);
    free(log), free(ck), free(dir);
}

/* The child appends, syncs some, appends more and "loses power". */
static void test_crash_simulation(void **state)
{
    (void)state;
    char *dir = sub("crash"), *report = sub("crash-report");
    struct log_config c = small_config(8192);
    pid_t pid = fork();
    if (pid == 0) {
        struct fileio_faults faults = {.crash_sim = true};
        fileio_configure(&faults);
        char err[128];
        struct plog *l = plog_open(dir, &c, err, sizeof(err));
        if (!l)
            _exit(2);
        struct plog_appended a;
        for (int i = 0; i < 40; i++) {
            size_t len;
            uint8_t *b = bb_batch(i % 5, 10, 40, 1000 + i, 1, &len);
            if (plog_append(l, b, len, 1, &a) != 0)
                _exit(3);
            free(b);
        }
        /* the flusher: fsync the active file, then publish */
        int64_t synced = plog_log_end(l);
        struct fileref *f = fileref_get(plog_active_file(l));
        if (fileio_fdatasync(f->fd) != 0)
            _exit(4);
        fileref_put(f);
        plog_set_high_watermark(l, synced);
        for (int i = 0; i < 7; i++) {   /* not synced: lost in the crash */
            size_t len;
            uint8_t *b = bb_batch(CODEC_NONE, 10, 40, 0, 1, &len);
            if (plog_append(l, b, len, 1, &a) != 0)
                _exit(5);
            free(b);
        }
        th_write_number(report, synced);
        fileio_crash();
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 137);
    long long synced = th_read_number(report);
    assert_true(synced > 0);
    struct plog *l = open_log(dir, &c);
    assert_int_equal(plog_log_end(l), synced);
    assert_int_equal(plog_high_watermark(l), synced);
    assert_int_equal(consume_all(l), synced);
    plog_close(l);
    free(dir), free(report);
}

static void test_disk_full(void **state)
{
    (void)state;
    char *dir = sub("full"), *trigger = sub("FULL");
    struct fileio_faults faults = {.disk_full_file = trigger};
    fileio_configure(&faults);
    struct log_config c = small_config(4096);
    struct plog *l = open_log(dir, &c);
    for (int i = 0; i < 10; i++)
        append(l, CODEC_NONE, 5, 100, 0, 1);
    int64_t leo = plog_log_end(l);
    uint64_t size = plog_size_bytes(l);
    int segs = plog_segment_count(l);

    th_write_file(trigger, "", 0);
    usleep(DISK_FULL_SETTLE_US);
    for (int i = 0; i < 20; i++) {   /* with and without a roll on the way */
        size_t len;
        uint8_t *b = bb_batch(CODEC_NONE, 5, 100, 0, 1, &len);
        struct plog_appended a;
        assert_int_equal(plog_append(l, b, len, 1, &a), KERR_KAFKA_STORAGE_ERROR);
        free(b);
    }
    assert_int_equal(plog_log_end(l), leo);
    assert_int_equal(plog_size_bytes(l), size);
    assert_true(plog_segment_count(l) <= segs + 1);

    unlink(trigger);
    usleep(DISK_FULL_SETTLE_US);
    assert_int_equal(append(l, CODEC_NONE, 5, 100, 0, 1), leo);
    publish(l);
    assert_int_equal(consume_all(l), leo + 5);
    plog_close(l);
    l = open_log(dir, &c);
    assert_int_equal(plog_log_end(l), leo + 5);
    assert_int_equal(consume_all(l), leo + 5);
    plog_close(l);
    free(dir), free(trigger);
}

/* A short write (the file size limit stops it half way) is cut back. */
static void test_partial_write_truncated(void **state)
{
    (void)state;
    char *dir = sub("short");
    struct log_config c = small_config(1 << 20);
    struct plog *l = open_log(dir, &c);
    append(l, CODEC_NONE, 5, 100, 0, 1);
    char *log = seg_file(dir, 0, "log");
    long long size = th_file_size(log);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = (rlim_t)size + 200;
    setrlimit(RLIMIT_FSIZE, &lim);
    size_t len;
    uint8_t *b = bb_batch(CODEC_NONE, 5, 100, 0, 1, &len);
    assert_true(len > 400);
    struct plog_appended a;
    assert_int_equal(plog_append(l, b, len, 1, &a), KERR_KAFKA_STORAGE_ERROR);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(th_file_size(log), size);   /* nothing partial left */
    assert_int_equal(plog_append(l, b, len, 1, &a), 0);
    assert_int_equal(a.base_offset, 5);
    free(b);
    publish(l);
    assert_int_equal(consume_all(l), 10);
    plog_close(l);
    free(log), free(dir);
}

static void test_retention_by_time(void **state)
{
    (void)state;
    char *dir = sub("rt");
    struct log_config c = small_config(2048);
    c.retention_ms = 24 * 3600 * 1000LL;
    struct plog *l = open_log(dir, &c);
    int64_t now = now_ms(), old = now - 10 * c.retention_ms;
    for (int i = 0; i < 20; i++)
        append(l, CODEC_NONE, 5, 60, old + i, 1);
    int64_t recent_start = plog_log_end(l);
    for (int i = 0; i < 20; i++)
        append(l, CODEC_NONE, 5, 60, now - 1000 + i, 1);
    publish(l);
    int segs = plog_segment_count(l);
    int deleted = plog_housekeep(l, now);
    assert_true(deleted > 0);
    assert_int_equal(plog_segment_count(l), segs - deleted);
    assert_true(plog_log_start(l) > 0 && plog_log_start(l) <= recent_start);
    struct fetched f;
    assert_int_equal(fetch(l, plog_log_start(l) - 1, 100, &f), KERR_OFFSET_OUT_OF_RANGE);
    assert_int_equal(consume_all(l), plog_log_end(l) - plog_log_start(l));
    assert_int_equal(plog_housekeep(l, now), 0);   /* nothing more is old */
    int64_t start = plog_log_start(l);
    plog_close(l);

    /* after a reopen (indexes loaded lazily) and much later: everything
     * goes, the active segment is rolled, an empty one remains */
    l = open_log(dir, &c);
    assert_int_equal(plog_log_start(l), start);
    int64_t leo = plog_log_end(l);
    assert_true(plog_housekeep(l, now + 2 * c.retention_ms) > 0);
    assert_int_equal(plog_segment_count(l), 1);
    assert_int_equal(plog_log_start(l), leo);
    assert_int_equal(plog_log_end(l), leo);
    assert_int_equal(plog_size_bytes(l), 0);
    assert_int_equal(append(l, CODEC_NONE, 1, 1, now, 1), leo);
    plog_close(l);
    l = open_log(dir, &c);
    assert_int_equal(plog_log_start(l), leo);
    assert_int_equal(plog_log_end(l), leo + 1);
    plog_close(l);
    free(dir);
}

static void test_retention_by_size(void **state)
{
    (void)state;
    char *dir = sub("rs");
    struct log_config c = small_config(4096);
    c.retention_bytes = 10000;
    struct plog *l = open_log(dir, &c);
    for (int i = 0; i < 60; i++)
        append(l, CODEC_NONE, 5, 100, now_ms(), 1);
    publish(l);
    uint64_t before = plog_size_bytes(l);
    int deleted = plog_housekeep(l, now_ms());
    assert_true(deleted > 0);
    assert_true(plog_size_bytes(l) < before);
    assert_true(plog_size_bytes(l) >= 10000);
    assert_true(plog_size_bytes(l) < 10000 + 4096 + 1000);
    assert_int_equal(consume_all(l), plog_log_end(l) - plog_log_start(l));
    assert_int_equal(plog_housekeep(l, now_ms()), 0);
    /* retention.bytes 0 takes every closed segment, never the active one */
    c.retention_bytes = 0;
    plog_set_config(l, &c);
    assert_true(plog_housekeep(l, now_ms()) > 0);
    assert_int_equal(plog_segment_count(l), 1);
    assert_true(plog_size_bytes(l) > 0);
    assert_int_equal(consume_all(l), plog_log_end(l) - plog_log_start(l));
    plog_close(l);
    free(dir);
}

static void test_delete_records(void **state)
{
    (void)state;
    char *dir = sub("dr");
    struct log_config c = small_config(4096);
    struct plog *l = open_log(dir, &c);
    for (int i = 0; i < 40; i++)
        append(l, CODEC_NONE, 5, 100, 0, 1);
    int64_t hw = plog_high_watermark(l);   /* the last roll's offset */
    assert_true(hw > 130 && hw < 200);
    assert_int_equal(plog_delete_records(l, hw + 1), KERR_OFFSET_OUT_OF_RANGE);
    int segs = plog_segment_count(l);
    assert_int_equal(plog_delete_records(l, 3), 0);   /* inside the first segment */
    assert_int_equal(plog_log_start(l), 3);
    assert_int_equal(plog_segment_count(l), segs);
    struct fetched f;
    assert_int_equal(fetch(l, 2, 100, &f), KERR_OFFSET_OUT_OF_RANGE);
    assert_int_equal(fetch(l, 3, 100, &f), 0);
    assert_int_equal(f.first_base, 0);   /* the batch holding 3 */
    assert_int_equal(plog_delete_records(l, 123), 0);
    assert_int_equal(plog_log_start(l), 123);
    assert_true(plog_segment_count(l) < segs);
    assert_int_equal(plog_delete_records(l, 50), 0);   /* lower: no change */
    assert_int_equal(plog_log_start(l), 123);
    assert_int_equal(consume_all(l), hw - 123);
    plog_close(l);
    l = open_log(dir, &c);
    assert_int_equal(plog_log_start(l), 123);
    assert_int_equal(fetch(l, 122, 100, &f), KERR_OFFSET_OUT_OF_RANGE);
    assert_int_equal(consume_all(l), 200 - 123);
    assert_int_equal(plog_delete_records(l, -1), 0);   /* -1: up to the high watermark */
    assert_int_equal(plog_log_start(l), 200);
    assert_int_equal(plog_segment_count(l), 1);
    plog_close(l);
    free(dir);
}

static void check_time_lookups(struct plog *l, int64_t batches)
{
    int64_t off, ts;
    /* batch i: 10 records at 100000 + 1000*i + 10*k */
    for (int64_t i = 0; i < batches; i += 3) {
        int64_t target = 100000 + 1000 * i + 15;
        assert_int_equal(plog_offset_for_timestamp(l, target, &off, &ts), 0);
        assert_int_equal(off, i * 10 + 2);
        assert_int_equal(ts, 100000 + 1000 * i + 20);
    }
    assert_int_equal(plog_offset_for_timestamp(l, 0, &off, &ts), 0);
    assert_int_equal(off, 0);
    assert_int_equal(plog_offset_for_timestamp(l, 1000000000000LL, &off, &ts), 0);
    assert_int_equal(off, -1);
    assert_int_equal(ts, -1);
}

static void test_timestamps(void **state)
{
    (void)state;
    char *dir = sub("ts");
    struct log_config c = small_config(4096);
    struct plog *l = open_log(dir, &c);
    int64_t off, ts;
    assert_int_equal(plog_max_timestamp(l, &off, &ts), 0);
    assert_int_equal(off, -1);
    assert_int_equal(plog_offset_for_timestamp(l, 5, &off, &ts), 0);
    assert_int_equal(off, -1);
    int batches = 60;
    for (int i = 0; i < batches; i++)
        append(l, i % 5, 10, 30, 100000 + 1000 * i, 10);
    publish(l);
    assert_true(plog_segment_count(l) > 3);
    check_time_lookups(l, batches);
    assert_int_equal(plog_max_timestamp(l, &off, &ts), 0);
    assert_int_equal(ts, 100000 + 1000 * (batches - 1) + 90);
    assert_int_equal(off, (int64_t)batches * 10 - 1);
    /* a batch with an out-of-order high timestamp in the middle */
    int64_t peak = append(l, CODEC_ZSTD, 10, 30, 9000000, 7);
    for (int i = 0; i < 5; i++)
        append(l, CODEC_NONE, 10, 30, 200000 + i, 0);
    publish(l);
    assert_int_equal(plog_max_timestamp(l, &off, &ts), 0);
    assert_int_equal(ts, 9000000 + 63);
    assert_int_equal(off, peak + 9);
    assert_int_equal(plog_offset_for_timestamp(l, 9000000 + 1, &off, &ts), 0);
    assert_int_equal(off, peak + 1);
    plog_close(l);
    l = open_log(dir, &c);   /* the same from lazily loaded indexes */
    check_time_lookups(l, batches);
    assert_int_equal(plog_max_timestamp(l, &off, &ts), 0);
    assert_int_equal(off, peak + 9);
    /* below the log start is not an answer */
    assert_int_equal(plog_delete_records(l, 25), 0);
    assert_int_equal(plog_offset_for_timestamp(l, 0, &off, &ts), 0);
    assert_int_equal(off, 25);
    plog_close(l);
    free(dir);
}

static void test_log_append_time(void **state)
{
    (void)state;
    char *dir = sub("lat");
    struct log_config c = small_config(1 << 20);
    c.log_append_time = true;
    struct plog *l = open_log(dir, &c);
    size_t len;
    uint8_t *b = bb_batch(CODEC_GZIP, 4, 10, 5, 1, &len);
    int64_t before = now_ms();
    struct plog_appended a;
    assert_int_equal(plog_append(l, b, len, 1, &a), 0);
    free(b);
    assert_true(a.log_append_time >= before && a.log_append_time <= now_ms());
    publish(l);
    int64_t off, ts;
    assert_int_equal(plog_offset_for_timestamp(l, before - 1, &off, &ts), 0);
    assert_int_equal(off, 0);
    assert_int_equal(ts, a.log_append_time);
    assert_int_equal(plog_max_timestamp(l, &off, &ts), 0);
    assert_int_equal(ts, a.log_append_time);
    struct fetched f;
    assert_int_equal(fetch(l, 0, 1000, &f), 0);   /* the CRC was recomputed */
    assert_int_equal(f.records, 4);
    plog_close(l);
    free(dir);
}

static void test_roll_by_time_and_delete(void **state)
{
    (void)state;
    char *dir = sub("rollt");
    struct log_config c = small_config(1 << 20);
    c.segment_ms = 1000;
    struct plog *l = open_log(dir, &c);
    append(l, CODEC_NONE, 1, 1, 0, 1);
    assert_int_equal(plog_housekeep(l, now_ms()), 0);
    assert_int_equal(plog_segment_count(l), 1);
    assert_int_equal(plog_housekeep(l, now_ms() + 5000), 0);
    assert_int_equal(plog_segment_count(l), 2);
    assert_int_equal(plog_high_watermark(l), 1);   /* a roll makes the old segment durable */
    assert_int_equal(append(l, CODEC_NONE, 1, 1, 0, 1), 1);
    assert_int_equal(plog_delete(l), 0);
    assert_false(file_exists(dir));
    free(dir);
}

/* Reading many old segments keeps the shared cache bounded. */
static void test_read_file_cache(void **state)
{
    (void)state;
    char *dir = sub("lru");
    struct log_config c = small_config(600);
    struct plog *l = open_log(dir, &c);
    for (int i = 0; i < 300; i++)
        append(l, CODEC_NONE, 2, 200, 0, 1);
    publish(l);
    assert_true(plog_segment_count(l) >= 290);
    int fds = count_open_fds();
    assert_int_equal(consume_all(l), 600);
    assert_true(segcache_open_count() <= SEGCACHE_SIZE);
    assert_true(count_open_fds() <= fds + SEGCACHE_SIZE + 1);
    plog_close(l);
    assert_int_equal(segcache_open_count(), 0);
    free(dir);
}

#define IDLE_PARTITIONS 10000

static void test_many_idle_partitions(void **state)
{
    (void)state;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < IDLE_PARTITIONS + 100) {
        rl.rlim_cur = MIN(rl.rlim_max, (rlim_t)IDLE_PARTITIONS + 200);
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < IDLE_PARTITIONS + 100)
        skip();
    struct log_config c = small_config(1 << 30);
    struct plog **logs = calloc(IDLE_PARTITIONS, sizeof(*logs));
    char path[4096];
    int fds_before = count_open_fds();
    struct mallinfo2 m0 = mallinfo2();
    for (int i = 0; i < IDLE_PARTITIONS; i++) {
        snprintf(path, sizeof(path), "%s/topic-%d", tmp_root, i);
        logs[i] = open_log(path, &c);
    }
    struct mallinfo2 m1 = mallinfo2();
    int fds = count_open_fds() - fds_before;
    size_t per_log = (m1.uordblks - m0.uordblks) / IDLE_PARTITIONS;
#if defined(__SANITIZE_ADDRESS__)
    print_message("%d idle partitions: %d fds (%.2f each); heap not measurable under ASan\n", IDLE_PARTITIONS,
                  fds, (double)fds / IDLE_PARTITIONS);
    (void)per_log;
#else
    print_message("%d idle partitions: %d fds (%.2f each), %zu bytes of heap each\n", IDLE_PARTITIONS, fds,
                  (double)fds / IDLE_PARTITIONS, per_log);
#endif
    assert_true(fds <= IDLE_PARTITIONS);
#if !defined(__SANITIZE_ADDRESS__)
    assert_true(per_log < 64 * 1024);
#endif
    /* one append and a close each: still one file each afterwards */
    for (int i = 0; i < IDLE_PARTITIONS; i += 1000)
        append(logs[i], CODEC_NONE, 1, 10, 0, 1);
    assert_true(count_open_fds() - fds_before <= IDLE_PARTITIONS);
    for (int i = 0; i < IDLE_PARTITIONS; i++)
        plog_close(logs[i]);
    assert_true(count_open_fds() - fds_before <= 0);
    free(logs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_read_across_rolls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_reports_roll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_batch_append_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_bytes_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range_and_hw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hw_past_end_aborts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hw_without_hint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_reopen_reads_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unclean_stop_scans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_oddities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_middle_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_simulation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_write_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_by_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_by_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_append_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roll_by_time_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_file_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_idle_partitions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
