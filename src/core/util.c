#include "core/util.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static void oom(size_t n)
{
    fprintf(stderr, "sluice: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mono_ms(void) { return mono_us() / 1000; }

int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void kuuid_random(struct kuuid *u)
{
    do {
        if (getrandom(u->b, sizeof(u->b), 0) != (ssize_t)sizeof(u->b)) {
            /* getrandom cannot fail for 16 bytes once the pool is ready;
             * fall back to time-seeded bytes rather than zeros. */
            int64_t t = mono_us() ^ now_ms();
            for (size_t i = 0; i < sizeof(u->b); i++)
                u->b[i] = (uint8_t)(t >> ((i % 8) * 8)) ^ (uint8_t)(i * 37);
        }
    } while (kuuid_is_zero(u));
}

bool kuuid_is_zero(const struct kuuid *u)
{
    for (size_t i = 0; i < sizeof(u->b); i++)
        if (u->b[i])
            return false;
    return true;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void kuuid_to_b64(const struct kuuid *u, char out[23])
{
    int o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (int i = 0; i < 16; i++) {
        acc = (acc << 8) | u->b[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = b64url[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out[o++] = b64url[(acc << (6 - bits)) & 63];
    out[o] = 0;
}

bool kuuid_from_b64(const char *s, struct kuuid *u)
{
    if (strlen(s) != 22)
        return false;
    uint32_t acc = 0;
    int bits = 0, o = 0;
    for (int i = 0; i < 22; i++) {
        const char *c = strchr(b64url, s[i]);
        if (!c || !*c)
            return false;
        acc = (acc << 6) | (uint32_t)(c - b64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o < 16)
                u->b[o++] = (uint8_t)(acc >> bits);
        }
    }
    return o == 16;
}
