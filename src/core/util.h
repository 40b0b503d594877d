/* Small helpers used everywhere: checked allocation, time, string views. */
#ifndef SLUICE_UTIL_H
#define SLUICE_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define UNUSED(x) ((void)(x))

/* Allocation failure is not recoverable for a broker: abort loudly. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

int64_t now_ms(void);        /* wall clock, for timestamps */
int64_t mono_ms(void);       /* monotonic, for timeouts */
int64_t mono_us(void);

/* A string view: not NUL-terminated; len -1 means null. */
struct kstr {
    const char *p;
    int32_t len;
};
static inline bool kstr_eq(struct kstr a, const char *s)
{
    size_t n = strlen(s);
    return a.len >= 0 && (size_t)a.len == n && memcmp(a.p, s, n) == 0;
}
static inline struct kstr kstr_c(const char *s)
{
    struct kstr k = {s, s ? (int32_t)strlen(s) : -1};
    return k;
}
#define KSTR_NULL ((struct kstr){NULL, -1})

/* 16-byte topic id. */
struct kuuid {
    uint8_t b[16];
};
void kuuid_random(struct kuuid *u);
bool kuuid_is_zero(const struct kuuid *u);
/* Base64url without padding, as Kafka prints ids (22 chars + NUL). */
void kuuid_to_b64(const struct kuuid *u, char out[23]);
bool kuuid_from_b64(const char *s, struct kuuid *u);
#endif
