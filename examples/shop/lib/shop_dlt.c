#include "shop_dlt.h"

#include <string.h>

#include "shop_bytes.h"
#include "shop_ce.h"

static int has(const rd_kafka_headers_t *hdrs, const char *name)
{
    const void *v;
    size_t len;
    return rd_kafka_header_get_last(hdrs, name, &v, &len) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

static void add_if_absent(rd_kafka_headers_t *hdrs, const char *name, const void *v, size_t len)
{
    if (!has(hdrs, name))
        rd_kafka_header_add(hdrs, name, -1, v, (ssize_t)len);
}

static void replace(rd_kafka_headers_t *hdrs, const char *name, const void *v, size_t len)
{
    rd_kafka_header_remove(hdrs, name);
    rd_kafka_header_add(hdrs, name, -1, v, (ssize_t)len);
}

/* The header's value if it is exactly len bytes long. */
static const uint8_t *fixed(const rd_kafka_headers_t *hdrs, const char *name, size_t len)
{
    const void *v;
    size_t n;
    if (rd_kafka_header_get_last(hdrs, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR || !v || n != len)
        return NULL;
    return v;
}

void shop_dlt_add_origin(rd_kafka_headers_t *hdrs, const struct shop_dlt_origin *o)
{
    uint8_t part[4], off[8], ts[8];
    shop_put_be32(part, o->partition);
    shop_put_be64(off, o->offset);
    shop_put_be64(ts, o->timestamp_ms);
    add_if_absent(hdrs, SHOP_H_ORIGINAL_TOPIC, o->topic, strlen(o->topic));
    add_if_absent(hdrs, SHOP_H_ORIGINAL_PARTITION, part, sizeof part);
    add_if_absent(hdrs, SHOP_H_ORIGINAL_OFFSET, off, sizeof off);
    add_if_absent(hdrs, SHOP_H_ORIGINAL_TIMESTAMP, ts, sizeof ts);
    add_if_absent(hdrs, SHOP_H_ORIGINAL_TIMESTAMP_TYPE, "CreateTime", 10);
}

int shop_dlt_read_origin(const rd_kafka_headers_t *hdrs, struct shop_dlt_origin *o)
{
    const uint8_t *part = fixed(hdrs, SHOP_H_ORIGINAL_PARTITION, 4);
    const uint8_t *off = fixed(hdrs, SHOP_H_ORIGINAL_OFFSET, 8);
    const uint8_t *ts = fixed(hdrs, SHOP_H_ORIGINAL_TIMESTAMP, 8);
    if (!part || !off || !ts ||
        shop_header_string(hdrs, SHOP_H_ORIGINAL_TOPIC, o->topic, sizeof o->topic) != 0)
        return -1;
    o->partition = shop_get_be32(part);
    o->offset = shop_get_be64(off);
    o->timestamp_ms = shop_get_be64(ts);
    return 0;
}

void shop_dlt_set_exception(rd_kafka_headers_t *hdrs, const char *kind, const char *message)
{
    replace(hdrs, SHOP_H_EXCEPTION_FQCN, kind, strlen(kind));
    replace(hdrs, SHOP_H_EXCEPTION_MESSAGE, message, strlen(message));
}

void shop_retry_set_due(rd_kafka_headers_t *hdrs, int32_t next_attempt, int64_t due_ms)
{
    uint8_t attempt[4], due[8];
    shop_put_be32(attempt, next_attempt);
    shop_put_be64(due, due_ms);
    replace(hdrs, SHOP_H_RETRY_ATTEMPTS, attempt, sizeof attempt);
    replace(hdrs, SHOP_H_RETRY_DUE, due, sizeof due);
}

int32_t shop_retry_attempt(const rd_kafka_headers_t *hdrs)
{
    const uint8_t *v = hdrs ? fixed(hdrs, SHOP_H_RETRY_ATTEMPTS, 4) : NULL;
    return v ? shop_get_be32(v) : 1;
}

int64_t shop_retry_due_ms(const rd_kafka_headers_t *hdrs)
{
    const uint8_t *v = hdrs ? fixed(hdrs, SHOP_H_RETRY_DUE, 8) : NULL;
    return v ? shop_get_be64(v) : 0;
}

void shop_dlt_strip(rd_kafka_headers_t *hdrs)
{
    static const char *const names[] = {
        SHOP_H_ORIGINAL_TOPIC, SHOP_H_ORIGINAL_PARTITION, SHOP_H_ORIGINAL_OFFSET,
        SHOP_H_ORIGINAL_TIMESTAMP, SHOP_H_ORIGINAL_TIMESTAMP_TYPE, SHOP_H_EXCEPTION_FQCN,
        SHOP_H_EXCEPTION_MESSAGE, SHOP_H_RETRY_ATTEMPTS, SHOP_H_RETRY_DUE,
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        rd_kafka_header_remove(hdrs, names[i]);
}
