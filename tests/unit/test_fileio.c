/* fileio: the wrappers, disk-full injection and crash simulation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include "log/fileio.h"
#include "test_helpers.h"

#define DISK_FULL_SETTLE_US 60000   /* fileio caches the trigger check for 50 ms */

static char *path_in(const char *dir, const char *name)
{
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/%s", dir, name);
    return p;
}

static void test_wrappers(void **state)
{
    (void)state;
    fileio_configure(NULL);
    char *dir = th_tmpdir("fileio");
    char *a = path_in(dir, "a"), *b = path_in(dir, "b");
    int fd = fileio_open(a, O_RDWR | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(fileio_pwrite(fd, "hello world", 11, 0), 11);
    assert_int_equal(fileio_pwrite(fd, "W", 1, 6), 1);
    assert_int_equal(fileio_fdatasync(fd), 0);
    assert_int_equal(fileio_ftruncate(fd, 8), 0);
    assert_int_equal(fileio_fsync(fd), 0);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_int_equal(fileio_close(fd), 0);
    assert_int_equal(th_file_size(a), 8);
    assert_int_equal(fileio_rename(a, b), 0);
    assert_int_equal(th_file_size(a), -1);
    assert_int_equal(fileio_fsync_dir(dir), 0);
    assert_int_equal(fileio_write_atomic(a, "abc", 3), 0);
    assert_int_equal(th_file_size(a), 3);
    char *tmp = path_in(dir, "a.tmp");
    assert_int_equal(th_file_size(tmp), -1);
    assert_int_equal(fileio_unlink(b), 0);
    assert_int_equal(fileio_unlink(b), -1);
    assert_int_equal(errno, ENOENT);
    th_rm_rf(dir);
    free(a), free(b), free(tmp), free(dir);
}

static void test_disk_full(void **state)
{
    (void)state;
    char *dir = th_tmpdir("fileio");
    char *trigger = path_in(dir, "FULL"), *data = path_in(dir, "data"), *small = path_in(dir, "small");
    struct fileio_faults f = {.disk_full_file = trigger};
    fileio_configure(&f);
    int fd = fileio_open(data, O_RDWR | O_CREAT, 0644);
    assert_int_equal(fileio_pwrite(fd, "1234", 4, 0), 4);
    assert_int_equal(fileio_write_atomic(small, "old", 3), 0);

    th_write_file(trigger, "", 0);
    usleep(DISK_FULL_SETTLE_US);
    errno = 0;
    assert_int_equal(fileio_pwrite(fd, "5678", 4, 4), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(fileio_write(fd, "x", 1), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(fileio_write_atomic(small, "new!", 4), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(th_file_size(small), 3);   /* the old content stays */
    char *tmp = path_in(dir, "small.tmp");
    assert_int_equal(th_file_size(tmp), -1);
    assert_int_equal(th_file_size(data), 4);
    assert_int_equal(fileio_fdatasync(fd), 0);  /* syncs still work */

    unlink(trigger);
    usleep(DISK_FULL_SETTLE_US);
    assert_int_equal(fileio_pwrite(fd, "5678", 4, 4), 4);
    assert_int_equal(fileio_write_atomic(small, "new!", 4), 0);
    assert_int_equal(th_file_size(small), 4);
    fileio_close(fd);
    fileio_configure(NULL);
    th_rm_rf(dir);
    free(trigger), free(data), free(small), free(tmp), free(dir);
}

static int write_new(const char *path, const char *bytes, size_t n)
{
    int fd = fileio_open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0 || fileio_pwrite(fd, bytes, n, 0) != (ssize_t)n)
        _exit(2);
    return fd;
}

static void test_crash_drops_unsynced(void **state)
{
    (void)state;
    char *dir = th_tmpdir("fileio");
    char *d1 = path_in(dir, "synced"), *d2 = path_in(dir, "unsynced");
    mkdir(d1, 0755);
    mkdir(d2, 0755);
    char *a = path_in(d1, "a"), *c = path_in(d1, "c"), *d = path_in(d1, "d"), *e = path_in(d1, "e"),
         *f = path_in(d1, "f"), *g = path_in(d2, "g");
    char buf[256];
    memset(buf, 'z', sizeof(buf));
    th_write_file(d, buf, 10);   /* exists before the simulation starts */

    pid_t pid = fork();
    if (pid == 0) {
        struct fileio_faults faults = {.crash_sim = true};
        fileio_configure(&faults);
        int fa = write_new(a, buf, 100);
        fileio_fdatasync(fa);
        fileio_pwrite(fa, buf, 50, 100);            /* unsynced tail */
        int fc = write_new(c, buf, 40);
        fileio_fsync(fc);
        fileio_pwrite(fc, buf, 20, 40);
        fileio_close(fc);                           /* closed, still tracked */
        int fd = fileio_open(d, O_RDWR, 0);
        fileio_pwrite(fd, buf, 10, 10);
        fileio_write_atomic(e, buf, 77);
        int ff = write_new(f, buf, 60);
        fileio_fdatasync(ff);
        fileio_ftruncate(ff, 5);
        int fg = write_new(g, buf, 30);
        fileio_fdatasync(fg);                       /* data synced, but its directory never was */
        fileio_fsync_dir(d1);
        fileio_crash();
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 137);
    assert_int_equal(th_file_size(a), 100);
    assert_int_equal(th_file_size(c), 40);
    assert_int_equal(th_file_size(d), 10);
    assert_int_equal(th_file_size(e), 77);
    assert_int_equal(th_file_size(f), 5);
    assert_int_equal(th_file_size(g), -1);
    th_rm_rf(dir);
    free(d1), free(d2), free(a), free(c), free(d), free(e), free(f), free(g), free(dir);
}

/* A writer and a syncer thread race; after the crash the file holds at
 * least what a completed sync covered, and only whole writes. */
#define RACE_WRITES 2000
#define RACE_CHUNK 100
struct race {
    int fd;
    atomic_llong written;
    atomic_llong durable;   /* a lower bound of what is synced */
    atomic_bool done;
};

static void *race_writer(void *arg)
{
    struct race *r = arg;
    char chunk[RACE_CHUNK];
    memset(chunk, 'w', sizeof(chunk));
    for (int i = 0; i < RACE_WRITES; i++) {
        if (fileio_pwrite(r->fd, chunk, RACE_CHUNK, (off_t)i * RACE_CHUNK) != RACE_CHUNK)
            _exit(3);
        atomic_store(&r->written, (long long)(i + 1) * RACE_CHUNK);
    }
    atomic_store(&r->done, true);
    return NULL;
}

static void *race_syncer(void *arg)
{
    struct race *r = arg;
    while (!atomic_load(&r->done)) {
        long long before = atomic_load(&r->written);
        if (fileio_fdatasync(r->fd) == 0)
            atomic_store(&r->durable, before);
    }
    return NULL;
}

static void test_crash_with_concurrent_sync(void **state)
{
    (void)state;
    char *dir = th_tmpdir("fileio");
    char *path = path_in(dir, "race"), *report = path_in(dir, "report");
    pid_t pid = fork();
    if (pid == 0) {
        struct fileio_faults faults = {.crash_sim = true};
        fileio_configure(&faults);
        struct race r = {.fd = fileio_open(path, O_RDWR | O_CREAT, 0644)};
        fileio_fsync_dir(dir);
        pthread_t w, s;
        pthread_create(&w, NULL, race_writer, &r);
        pthread_create(&s, NULL, race_syncer, &r);
        pthread_join(w, NULL);
        pthread_join(s, NULL);
        th_write_number(report, (long long)atomic_load(&r.durable));
        fileio_crash();
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 137);
    long long durable = th_read_number(report);
    assert_true(durable >= 0);
    long long size = th_file_size(path);
    assert_true(size >= durable);
    assert_true(size <= (long long)RACE_WRITES * RACE_CHUNK);
    assert_int_equal(size % RACE_CHUNK, 0);
    th_rm_rf(dir);
    free(path), free(report), free(dir);
}

/* Renamed files: the new name survives only with a directory fsync. */
static void test_crash_rename(void **state)
{
    (void)state;
    char *dir = th_tmpdir("fileio");
    char *a = path_in(dir, "a"), *b = path_in(dir, "b"), *c = path_in(dir, "c"), *d = path_in(dir, "d");
    pid_t pid = fork();
    if (pid == 0) {
        struct fileio_faults faults = {.crash_sim = true};
        fileio_configure(&faults);
        int fd = write_new(a, "0123456789", 10);
        fileio_fsync(fd);
        fileio_close(fd);
        fileio_rename(a, b);
        fileio_fsync_dir(dir);                 /* b is durable */
        fd = write_new(c, "0123456789", 10);
        fileio_fsync(fd);
        fileio_close(fd);
        fileio_rename(c, d);                   /* d is not */
        fileio_crash();
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 137);
    assert_int_equal(th_file_size(b), 10);
    assert_int_equal(th_file_size(d), -1);
    th_rm_rf(dir);
    free(a), free(b), free(c), free(d), free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrappers),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_crash_drops_unsynced),
        cmocka_unit_test(test_crash_with_concurrent_sync),
        cmocka_unit_test(test_crash_rename),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
