/* Small helpers shared by the storage tests: temp dirs, file sizes,
 * running a call that should crash in a child process and passing a
 * number out of a child that crashes. */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static inline int th_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static inline void th_rm_rf(const char *dir) { nftw(dir, th_rm_one, 16, FTW_DEPTH | FTW_PHYS); }

/* A fresh directory under $TMPDIR (or /tmp); caller frees. */
static inline char *th_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/sluice-%s-XXXXXX", base, tag);
    if (!mkdtemp(p)) {
        perror("mkdtemp");
        abort();
    }
    return p;
}

static inline long long th_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static inline void th_write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

/* For a child about to crash: leaves n in the file at path, written
 * directly (not through fileio) so that the simulated crash keeps it.
 * Exits 4 when it cannot. */
static inline void th_write_number(const char *path, long long n)
{
    char text[32];
    int len = snprintf(text, sizeof(text), "%lld", n);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    if (fd < 0 || write(fd, text, (size_t)len) != len)
        _exit(4);
    close(fd);
}

/* The number th_write_number() left at path; -1 when there is none. */
static inline long long th_read_number(const char *path)
{
    long long n = -1;
    FILE *fp = fopen(path, "r");
    if (fp) {
        if (fscanf(fp, "%lld", &n) != 1)
            n = -1;
        fclose(fp);
    }
    return n;
}

/* Runs fn(arg) in a child process and returns its wait status; what it
 * wrote to stderr is left in err (NUL-terminated, cut to n - 1 bytes). */
static inline int th_run_child(void (*fn)(void *), void *arg, char *err, size_t n)
{
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    fflush(NULL);   /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t got;
    while (len + 1 < n && (got = read(fds[0], err + len, n - 1 - len)) > 0)
        len += (size_t)got;
    err[len] = '\0';
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        abort();
    return status;
}
#endif
