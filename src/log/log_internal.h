/* Logging for the storage layer. Call sites are few on purpose (recovery
 * truncation, I/O errors, ignored files) and all go through LOG_WARN:
 *   LOG_WARN("message", "key=%s n=%d", ...)   -- fields in logfmt style.
 */
#ifndef SLUICE_LOG_INTERNAL_H
#define SLUICE_LOG_INTERNAL_H

#include "core/slog.h"
#define LOG_WARN(msg, ...) log_warn("log", msg, __VA_ARGS__)

#endif
