#include "shop_avro.h"

#include <avro.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shop_bytes.h"

#define FRAME 5   /* magic byte + schema id */

struct shop_schema {
    char *json;
    avro_schema_t schema;
    avro_value_iface_t *iface;
    int32_t id;
};

/* Every field must be a string or a long: all the shop's events need. */
static int fields_supported(avro_schema_t s, char *err, size_t errlen)
{
    if (!is_avro_record(s)) {
        snprintf(err, errlen, "not a record schema");
        return -1;
    }
    size_t n = avro_schema_record_size(s);
    for (size_t i = 0; i < n; i++) {
        avro_schema_t f = avro_schema_record_field_get_by_index(s, (int)i);
        if (!is_avro_string(f) && !is_avro_int64(f)) {
            snprintf(err, errlen, "field %s is neither string nor long", avro_schema_record_field_name(s, (int)i));
            return -1;
        }
    }
    return 0;
}

struct shop_schema *shop_schema_new(const char *json, char *err, size_t errlen)
{
    struct shop_schema *s = calloc(1, sizeof *s);
    if (!s || !(s->json = strdup(json))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (avro_schema_from_json_length(json, strlen(json), &s->schema) != 0) {
        snprintf(err, errlen, "%s", avro_strerror());
        free(s->json);
        free(s);
        return NULL;
    }
    if (fields_supported(s->schema, err, errlen) != 0 ||
        !(s->iface = avro_generic_class_from_schema(s->schema))) {
        shop_schema_free(s);
        return NULL;
    }
    return s;
}

void shop_schema_free(struct shop_schema *s)
{
    if (!s)
        return;
    if (s->iface)
        avro_value_iface_decref(s->iface);
    avro_schema_decref(s->schema);
    free(s->json);
    free(s);
}

const char *shop_schema_json(const struct shop_schema *s) { return s->json; }
void shop_schema_set_id(struct shop_schema *s, int32_t id) { s->id = id; }
int32_t shop_schema_id(const struct shop_schema *s) { return s->id; }

static int fill(const struct shop_schema *s, avro_value_t *rec, json_t *obj, char *err, size_t errlen)
{
    size_t n = avro_schema_record_size(s->schema);
    for (size_t i = 0; i < n; i++) {
        const char *name = avro_schema_record_field_name(s->schema, (int)i);
        json_t *v = json_object_get(obj, name);
        avro_value_t field;
        avro_value_get_by_index(rec, i, &field, NULL);
        int bad = is_avro_string(avro_schema_record_field_get_by_index(s->schema, (int)i))
                      ? !json_is_string(v) || avro_value_set_string(&field, json_string_value(v))
                      : !json_is_integer(v) || avro_value_set_long(&field, json_integer_value(v));
        if (bad) {
            snprintf(err, errlen, "field %s is missing or of the wrong type", name);
            return -1;
        }
    }
    return 0;
}

int shop_avro_encode(const struct shop_schema *s, json_t *obj, uint8_t **out, size_t *len,
                     char *err, size_t errlen)
{
    avro_value_t rec;
    size_t size = 0;
    int rc = -1;
    *out = NULL;
    if (avro_generic_value_new(s->iface, &rec) != 0) {
        snprintf(err, errlen, "%s", avro_strerror());
        return -1;
    }
    if (fill(s, &rec, obj, err, errlen) == 0 && avro_value_sizeof(&rec, &size) == 0 &&
        (*out = malloc(FRAME + size))) {
        avro_writer_t w = avro_writer_memory((const char *)*out + FRAME, (int64_t)size);
        (*out)[0] = 0;
        shop_put_be32(*out + 1, s->id);
        rc = avro_value_write(w, &rec) == 0 ? 0 : -1;
        if (rc != 0)
            snprintf(err, errlen, "%s", avro_strerror());
        avro_writer_free(w);
        *len = FRAME + size;
    }
    avro_value_decref(&rec);
    if (rc != 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

static json_t *to_json(const struct shop_schema *s, avro_value_t *rec)
{
    json_t *obj = json_object();
    size_t n = avro_schema_record_size(s->schema);
    for (size_t i = 0; i < n; i++) {
        avro_value_t field;
        const char *str;
        size_t slen;
        int64_t l;
        avro_value_get_by_index(rec, i, &field, NULL);
        const char *name = avro_schema_record_field_name(s->schema, (int)i);
        if (avro_value_get_string(&field, &str, &slen) == 0)
            json_object_set_new(obj, name, json_stringn(str, slen ? slen - 1 : 0));
        else if (avro_value_get_long(&field, &l) == 0)
            json_object_set_new(obj, name, json_integer(l));
    }
    return obj;
}

/* Reads one zigzag varint (at most 10 bytes) at *pos; -1 if cut short. */
static int read_varint(const uint8_t *b, size_t len, size_t *pos, int64_t *out)
{
    uint64_t u = 0;
    for (int shift = 0; shift < 70 && *pos < len; shift += 7) {
        uint8_t byte = b[(*pos)++];
        u |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
            return 0;
        }
    }
    return -1;
}

/* Walks the record's bytes before libavro reads them: libavro leaks what
 * it allocated for a string that turns out cut short, and cannot say
 * whether bytes are left over. */
static int walk(const struct shop_schema *s, const uint8_t *b, size_t len, char *err, size_t errlen)
{
    size_t pos = 0, n = avro_schema_record_size(s->schema);
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        if (read_varint(b, len, &pos, &v) != 0) {
            snprintf(err, errlen, "bad Avro data: field %s cut short", avro_schema_record_field_name(s->schema, (int)i));
            return -1;
        }
        if (is_avro_string(avro_schema_record_field_get_by_index(s->schema, (int)i))) {
            if (v < 0 || (uint64_t)v > len - pos) {
                snprintf(err, errlen, "bad Avro data: string %s of %lld bytes with %zu left",
                         avro_schema_record_field_name(s->schema, (int)i), (long long)v, len - pos);
                return -1;
            }
            pos += (size_t)v;
        }
    }
    if (pos != len) {
        snprintf(err, errlen, "%zu bytes left after the record", len - pos);
        return -1;
    }
    return 0;
}

json_t *shop_avro_decode(const struct shop_schema *s, const void *buf, size_t len,
                         char *err, size_t errlen)
{
    const uint8_t *b = buf;
    if (!b || len < FRAME || b[0] != 0) {
        snprintf(err, errlen, "not Confluent-framed Avro (magic byte 0 and a schema id)");
        return NULL;
    }
    if (shop_get_be32(b + 1) != s->id) {
        snprintf(err, errlen, "written with schema id %d, expected %d", shop_get_be32(b + 1), s->id);
        return NULL;
    }
    avro_value_t rec;
    if (walk(s, b + FRAME, len - FRAME, err, errlen) != 0)
        return NULL;
    if (avro_generic_value_new(s->iface, &rec) != 0) {
        snprintf(err, errlen, "%s", avro_strerror());
        return NULL;
    }
    avro_reader_t r = avro_reader_memory((const char *)b + FRAME, (int64_t)(len - FRAME));
    json_t *obj = NULL;
    if (avro_value_read(r, &rec) != 0)
        snprintf(err, errlen, "bad Avro data: %s", avro_strerror());
    else
        obj = to_json(s, &rec);
    avro_reader_free(r);
    avro_value_decref(&rec);
    return obj;
}
