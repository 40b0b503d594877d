#include "shop_ce.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int shop_ce_new_id(char *out)
{
    uint8_t b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return -1;
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);   /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    snprintf(out, SHOP_CE_ID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
             b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return 0;
}

void shop_ce_format_time(char *out, int64_t unix_ms)
{
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, SHOP_CE_TIME_LEN + 1, "%s.%03dZ", date, (int)(unix_ms % 1000));
}

static void copy_field(char *dst, const char *src)
{
    snprintf(dst, SHOP_CE_FIELD_MAX, "%s", src ? src : "");
}

int shop_ce_init(struct shop_ce *ce, const char *source, const char *type, const char *content_type)
{
    struct timespec ts;
    memset(ce, 0, sizeof *ce);
    if (shop_ce_new_id(ce->id) != 0)
        return -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    shop_ce_format_time(ce->time, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    copy_field(ce->source, source);
    copy_field(ce->type, type);
    copy_field(ce->content_type, content_type);
    return 0;
}

static void add_string(rd_kafka_headers_t *hdrs, const char *name, const char *value)
{
    if (value[0])
        rd_kafka_header_add(hdrs, name, -1, value, (ssize_t)strlen(value));
}

void shop_ce_add_headers(rd_kafka_headers_t *hdrs, const struct shop_ce *ce)
{
    add_string(hdrs, "ce_specversion", "1.0");
    add_string(hdrs, "ce_id", ce->id);
    add_string(hdrs, "ce_source", ce->source);
    add_string(hdrs, "ce_type", ce->type);
    add_string(hdrs, "ce_time", ce->time);
    add_string(hdrs, "content-type", ce->content_type);
}

int shop_header_string(const rd_kafka_headers_t *hdrs, const char *name, char *out, size_t size)
{
    const void *value;
    size_t len;
    if (!hdrs || rd_kafka_header_get_last(hdrs, name, &value, &len) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        !value || len >= size)
        return -1;
    memcpy(out, value, len);
    out[len] = '\0';
    return 0;
}

int shop_ce_read_headers(const rd_kafka_headers_t *hdrs, struct shop_ce *ce)
{
    char version[8];
    memset(ce, 0, sizeof *ce);
    if (shop_header_string(hdrs, "ce_specversion", version, sizeof version) != 0 ||
        strcmp(version, "1.0") != 0)
        return -1;
    if (shop_header_string(hdrs, "ce_id", ce->id, sizeof ce->id) != 0 || !ce->id[0] ||
        shop_header_string(hdrs, "ce_source", ce->source, sizeof ce->source) != 0 ||
        shop_header_string(hdrs, "ce_type", ce->type, sizeof ce->type) != 0)
        return -1;
    /* Optional attributes. */
    shop_header_string(hdrs, "ce_time", ce->time, sizeof ce->time);
    shop_header_string(hdrs, "content-type", ce->content_type, sizeof ce->content_type);
    return 0;
}
