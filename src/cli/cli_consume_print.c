/* sluice consume: how a record is printed (value only, text with its
 * fields escaped onto one line, or JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_consume.h"
#include "core/util.h"

/* Length of the valid UTF-8 sequence starting at p (1 to 4 bytes), or 0
 * when it is not one: bad lead or continuation byte, truncated, overlong,
 * a surrogate or past U+10FFFF. */
static size_t utf8_sequence_len(const unsigned char *p, size_t left)
{
    static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t cp;
    size_t n;

    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xe0) == 0xc0)
        n = 2, cp = p[0] & 0x1f;
    else if ((p[0] & 0xf0) == 0xe0)
        n = 3, cp = p[0] & 0x0f;
    else if ((p[0] & 0xf8) == 0xf0)
        n = 4, cp = p[0] & 0x07;
    else
        return 0;
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < smallest[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

/* Writes bytes so that a record stays on one line and field boundaries
 * stay visible: backslash, control bytes, bytes that are not UTF-8 and
 * the bytes in `special` become escapes; the rest passes through. */
static void put_escaped(FILE *out, const void *data, size_t len, const char *special)
{
    const unsigned char *p = data;

    for (size_t i = 0, n; i < len; i += n) {
        unsigned char ch = p[i];

        n = utf8_sequence_len(p + i, len - i);
        if (n > 1) {
            fwrite(p + i, 1, n, out);
            continue;
        }
        n = 1;
        if (ch == '\\')
            fputs("\\\\", out);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\r')
            fputs("\\r", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch < 0x20 || ch >= 0x7f || strchr(special, ch))
            fprintf(out, "\\x%02x", ch);
        else
            putc(ch, out);
    }
}

static void put_text_headers(FILE *out, rd_kafka_headers_t *hdrs)
{
    const char *name;
    const void *value;
    size_t size;

    fputs("headers=", out);
    for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); i++) {
        if (i)
            putc(',', out);
        put_escaped(out, name, strlen(name), ",: ");
        if (value) {
            putc(':', out);
            put_escaped(out, value, size, ", ");
        }
    }
}

/* The value alone, as it is: what kafka-console-consumer prints. */
void cli_consume_print_value(FILE *out, const rd_kafka_message_t *m)
{
    if (m->payload)
        fwrite(m->payload, 1, m->len, out);
    else
        fputs("null", out);
    putc('\n', out);
}

/* The fields asked for, then the value; a field is left out when absent. */
void cli_consume_print_text(FILE *out, const rd_kafka_message_t *m, unsigned fields)
{
    rd_kafka_headers_t *hdrs = NULL;
    int64_t ts = rd_kafka_message_timestamp(m, NULL);
    const char *sep = "";

    if (fields & FIELD_PARTITION) {
        fprintf(out, "partition=%d", (int)m->partition);
        sep = " ";
    }
    if (fields & FIELD_OFFSET) {
        fprintf(out, "%soffset=%lld", sep, (long long)m->offset);
        sep = " ";
    }
    if ((fields & FIELD_TIMESTAMP) && ts >= 0) {
        fprintf(out, "%stimestamp=%lld", sep, (long long)ts);
        sep = " ";
    }
    if ((fields & FIELD_KEY) && m->key) {
        fprintf(out, "%skey=", sep);
        put_escaped(out, m->key, m->key_len, " ");
        sep = " ";
    }
    if ((fields & FIELD_HEADERS) && !rd_kafka_message_headers(m, &hdrs) && rd_kafka_header_cnt(hdrs)) {
        fputs(sep, out);
        put_text_headers(out, hdrs);
        sep = " ";
    }
    if (m->payload) {
        fprintf(out, "%svalue=", sep);
        put_escaped(out, m->payload, m->len, "");
    }
    putc('\n', out);
}

static char *base64_encode(const unsigned char *p, size_t len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = xmalloc((len + 2) / 3 * 4 + 1);
    char *o = out;

    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        size_t left = len - i;

        if (left > 1)
            v |= (uint32_t)p[i + 1] << 8;
        if (left > 2)
            v |= p[i + 2];
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = left > 1 ? alphabet[(v >> 6) & 63] : '=';
        *o++ = left > 2 ? alphabet[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* Sets obj[field] to the bytes as a string: null when absent, base64 with
 * obj[field + "_encoding"] = "base64" when they are not valid UTF-8. */
static void json_set_bytes(json_t *obj, const char *field, const void *data, size_t len)
{
    json_t *s;
    char *b64;
    char encoding_field[64];

    if (!data) {
        json_object_set_new(obj, field, json_null());
        return;
    }
    s = json_stringn(data, len); /* NULL when not valid UTF-8 */
    if (s) {
        json_object_set_new(obj, field, s);
        return;
    }
    b64 = base64_encode(data, len);
    json_object_set_new(obj, field, json_string(b64));
    free(b64);
    snprintf(encoding_field, sizeof(encoding_field), "%s_encoding", field);
    json_object_set_new(obj, encoding_field, json_string("base64"));
}

static json_t *json_headers(const rd_kafka_message_t *m)
{
    json_t *arr = json_array();
    rd_kafka_headers_t *hdrs = NULL;
    const char *name;
    const void *value;
    size_t size;

    if (rd_kafka_message_headers(m, &hdrs))
        return arr;
    for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); i++) {
        json_t *h = json_object();

        json_set_bytes(h, "key", name, strlen(name));
        json_set_bytes(h, "value", value, size);
        json_array_append_new(arr, h);
    }
    return arr;
}

void cli_consume_print_json(FILE *out, const char *topic, const rd_kafka_message_t *m)
{
    json_t *obj = json_object();
    int64_t ts = rd_kafka_message_timestamp(m, NULL);

    json_set_bytes(obj, "topic", topic, strlen(topic));
    json_object_set_new(obj, "partition", json_integer(m->partition));
    json_object_set_new(obj, "offset", json_integer(m->offset));
    json_object_set_new(obj, "timestamp", ts >= 0 ? json_integer(ts) : json_null());
    json_set_bytes(obj, "key", m->key, m->key_len);
    json_set_bytes(obj, "value", m->payload, m->len);
    json_object_set_new(obj, "headers", json_headers(m));
    json_dumpf(obj, out, JSON_COMPACT);
    putc('\n', out);
    json_decref(obj);
}
