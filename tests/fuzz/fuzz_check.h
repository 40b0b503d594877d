/* The fuzz targets' own checks: a failed one names itself and where it
 * is, then aborts, which libFuzzer reports as a crash with the input. */
#ifndef SLUICE_FUZZ_CHECK_H
#define SLUICE_FUZZ_CHECK_H
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, what)                                                                       \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, what, #cond); \
            abort();                                                                            \
        }                                                                                       \
    } while (0)
#endif
