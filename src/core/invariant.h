/* Invariants that stay checked in release builds. A broken invariant
 * means the broker's own state is wrong (never a client's bytes), so it
 * stops with a message naming the invariant and the values, a crash
 * report rather than a silent clamp that hides the bug. Keep the
 * conditions cheap: they run on hot paths. */
#ifndef SLUICE_INVARIANT_H
#define SLUICE_INVARIANT_H

/* Prints "invariant failed: <what> (<values>) at file:line" and aborts. */
_Noreturn void invariant_failed(const char *file, int line, const char *what, const char *values, ...)
    __attribute__((format(printf, 4, 5)));

/* INVARIANT(lo <= hi, "log start <= high watermark", "log_start=%lld hw=%lld", ...) */
#define INVARIANT(cond, what, ...)                                     \
    do {                                                               \
        if (__builtin_expect(!(cond), 0))                              \
            invariant_failed(__FILE__, __LINE__, what, __VA_ARGS__);   \
    } while (0)
#endif
