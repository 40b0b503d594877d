/* Logging for the storage layer. Call sites are few on purpose (recovery
 * truncation, I/O errors, ignored files) and all go through LOG_WARN:
 *   LOG_WARN("message", "key=%s n=%d", ...)   -- fields in logfmt style.
 * Uses the structured logger when it is there, else plain stderr. */
#ifndef SLUICE_LOG_INTERNAL_H
#define SLUICE_LOG_INTERNAL_H

#if defined(__has_include) && __has_include("core/slog.h")
#include "core/slog.h"
#define LOG_WARN(msg, ...) log_warn("log", msg, __VA_ARGS__)
#else
#include <stdio.h>
#define LOG_WARN(msg, fields, ...) fprintf(stderr, "sluice: log: " msg " " fields "\n", __VA_ARGS__)
#endif

#endif
