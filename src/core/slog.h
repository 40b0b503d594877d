/* Structured logs: one line per event, logfmt (default) or JSON.
 *   time=2026-11-26T10:00:00.123Z level=info sub=net msg="listening" addr=127.0.0.1:9092
 * Fields are given as a logfmt-style format string of key=value pairs
 * ("topic=%s partition=%d"); values that need quoting are quoted. */
#ifndef SLUICE_SLOG_H
#define SLUICE_SLOG_H
#include <stdbool.h>

enum slog_level { SLOG_DEBUG = 0, SLOG_INFO, SLOG_WARN, SLOG_ERROR };

void slog_set_level(enum slog_level l);
bool slog_set_level_name(const char *name);   /* debug|info|warn|error */
void slog_set_json(bool json);
bool slog_enabled(enum slog_level l);

/* fields: printf format producing space-separated key=value pairs (may be NULL). */
void slog(enum slog_level l, const char *sub, const char *msg, const char *fields, ...)
    __attribute__((format(printf, 4, 5)));

#define SLOG_DEBUG_ON() slog_enabled(SLOG_DEBUG)
#define log_debug(sub, msg, ...) do { if (slog_enabled(SLOG_DEBUG)) slog(SLOG_DEBUG, sub, msg, __VA_ARGS__); } while (0)
#define log_info(sub, msg, ...) slog(SLOG_INFO, sub, msg, __VA_ARGS__)
#define log_warn(sub, msg, ...) slog(SLOG_WARN, sub, msg, __VA_ARGS__)
#define log_error(sub, msg, ...) slog(SLOG_ERROR, sub, msg, __VA_ARGS__)
#endif
