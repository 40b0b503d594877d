#include "core/invariant.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

_Noreturn void invariant_failed(const char *file, int line, const char *what, const char *values, ...)
{
    /* straight to stderr: the logger may be what is broken */
    va_list ap;
    va_start(ap, values);
    fprintf(stderr, "sluice: invariant failed: %s (", what);
    vfprintf(stderr, values, ap);
    fprintf(stderr, ") at %s:%d\n", file, line);
    va_end(ap);
    fflush(stderr);
    abort();
}
