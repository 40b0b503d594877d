/* libFuzzer target: the request path from raw bytes.
 *
 * Input layout (first byte picks the mode):
 *   mode & 1 == 0  frame: the rest is one request as the broker sees it
 *                  after the size prefix, read with the broker's own
 *                  header reader (protocol/request_header.c, which
 *                  dispatch.c calls); a frame the dispatcher would pass
 *                  to a handler (an API and version of served_apis.def)
 *                  has its body decoded with the key and version as the
 *                  handler's DECODE does.
 *   mode & 1 == 1  direct: the next two bytes pick an api key and a
 *                  version (including versions out of range) and the rest
 *                  is the body; this reaches every generated decoder.
 * A body that decodes is encoded again, decoded again and encoded once
 * more: the second decode must succeed and both encodings must be the
 * same bytes. Record batches get batch_validate (deep) and a record walk:
 * every records field of a decoded Produce request, and in direct mode
 * also the bytes left after the body.
 *
 * Build and run: scripts/run-fuzz. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/arena.h"
#include "core/slog.h"
#include "log/batch.h"
#include "protocol/gen/api_keys.h"
#include "protocol/gen/messages_test.h"
#include "protocol/request_header.h"
#include "protocol/wire.h"
#include "fuzz_check.h"

static struct batch_validator *validator;
static bool verbose;   /* FUZZ_VERBOSE=1: say what each input decoded to (checking seeds) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    slog_set_level(SLOG_ERROR);
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    validator = batch_validator_new();
    /* Small decode limits: a decompression bomb must be refused, not
     * exhaust the fuzzer's memory. */
    batch_validator_set_limits(validator, 1u << 20, 8u << 20);
    return 0;
}

/* Touches every byte of a record so a bad view is an ASan report. */
static unsigned sink;
static int touch_record(void *arg, const struct record_view *rec)
{
    (void)arg;
    for (int32_t i = 0; i < rec->key_len; i++)
        sink += rec->key[i];
    for (int32_t i = 0; i < rec->value_len; i++)
        sink += rec->value[i];
    const uint8_t *h = rec->headers, *end = rec->headers + rec->headers_len;
    struct record_header_view hv;
    int32_t n = 0;
    while (record_next_header(&h, end, &hv)) {
        for (int32_t i = 0; i < hv.key_len; i++)
            sink += hv.key[i];
        for (int32_t i = 0; i < hv.value_len; i++)
            sink += hv.value[i];
        n++;
    }
    CHECK(n <= rec->header_count, "more headers walked than counted");
    return 0;
}

/* Each batch laid end to end in a records blob, as Produce validates them. */
static void check_batches(const uint8_t *p, size_t len)
{
    while (len > 0) {
        struct batch_info bi;
        size_t size = len;
        if (batch_parse_header(p, len, &bi) == 0 && batch_total_size(&bi) <= len)
            size = batch_total_size(&bi);
        /* An exact-size copy, so reading past the batch is caught. */
        uint8_t *copy = malloc(size ? size : 1);
        memcpy(copy, p, size);
        struct batch_info out;
        char why[200];
        int rc = batch_validate(validator, copy, size, true, &out, why, sizeof(why));
        if (verbose)
            fprintf(stderr, "fuzz_request: batch of %zu bytes: %s\n", size, rc ? why : "valid");
        if (rc == 0) {
            CHECK(size >= BATCH_HEADER_SIZE && batch_total_size(&out) == size, "valid batch has a wrong size");
            CHECK(out.records_count > 0 && out.last_offset_delta == out.records_count - 1,
                  "valid batch with inconsistent counts");
            /* What validates must also walk without error. */
            int wrc = batch_for_each_record(validator, copy, size, touch_record, NULL);
            CHECK(wrc == 0, "validated batch does not walk");
        } else {
            CHECK(rc > 0, "error code is not a Kafka code");
            (void)batch_for_each_record(validator, copy, size, touch_record, NULL);
        }
        free(copy);
        p += size;
        len -= size;
    }
}

static void check_produce(const struct ProduceRequest *m)
{
    for (int32_t i = 0; i < m->topic_data_count; i++)
        for (int32_t k = 0; k < m->topic_data[i].partition_data_count; k++) {
            const struct krecords *r = &m->topic_data[i].partition_data[k].records;
            if (r->len > 0 && r->p)
                check_batches(r->p, (size_t)r->len);
        }
}

/* Decode, then encode / decode / encode: both encodings identical. */
static void decode_body(int16_t key, int16_t version, const uint8_t *body, size_t len, bool tail_batches)
{
    /* An exact-size copy: sanitizers see any read past the body. */
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, body, len);
    struct arena a;
    arena_init(&a);
    struct rbuf r;
    rbuf_init(&r, copy, len);
    void *m = NULL;
    int rc = kafka_request_decode(key, &r, version, &m, &a);
    if (verbose)
        fprintf(stderr, "fuzz_request: api %d v%d: decode %s, %zu bytes left\n", key, version, rc == 0 ? "ok" : "failed",
                rc == 0 ? rbuf_left(&r) : len);
    if (rc == 0) {
        CHECK(r.p >= copy && r.p <= copy + len, "reader ran outside its buffer");
        if (key == API_Produce)
            check_produce(m);
        struct wbuf w1, w2;
        wbuf_init(&w1);
        wbuf_init(&w2);
        CHECK(kafka_request_encode(key, &w1, version, m) == 0, "decoded message does not encode");
        CHECK(w1.nspl == 0, "request encoding has file splices");
        struct arena a2;
        arena_init(&a2);
        struct rbuf r2;
        static const uint8_t empty[1];
        rbuf_init(&r2, w1.len ? w1.data : empty, w1.len);   /* an empty wbuf has no buffer */
        void *m2 = NULL;
        CHECK(kafka_request_decode(key, &r2, version, &m2, &a2) == 0, "re-encoded message does not decode");
        CHECK(rbuf_left(&r2) == 0, "re-encoded message has bytes the decoder did not read");
        CHECK(kafka_request_encode(key, &w2, version, m2) == 0, "second encode failed");
        CHECK(w1.len == w2.len && (w1.len == 0 || memcmp(w1.data, w2.data, w1.len) == 0), "round trip is not stable");
        arena_free(&a2);
        wbuf_free(&w1);
        wbuf_free(&w2);
        if (tail_batches && rbuf_left(&r) > 0)
            check_batches(r.p, rbuf_left(&r));
    } else if (tail_batches) {
        check_batches(copy, len);
    }
    arena_free(&a);
    free(copy);
}

/* The dispatcher's table of served version ranges, from the same list. */
static const struct {
    bool served;
    int16_t min_version, max_version;
} served[API_KEY_MAX + 1] = {
#define SERVED_API(name, min_version, max_version, handler, ...) [API_##name] = {true, min_version, max_version},
#include "api/served_apis.def"
#undef SERVED_API
};

static bool is_served(int16_t key, int16_t version)
{
    return key >= 0 && key <= API_KEY_MAX && served[key].served && version >= served[key].min_version &&
           version <= served[key].max_version;
}

/* The request header as dispatch.c reads it, then the body. */
static void fuzz_frame(const uint8_t *p, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, p, len);
    struct rbuf r;
    rbuf_init(&r, copy, len);
    struct request_header h;
    if (request_header_read(&r, &h) == 0) {
        CHECK(h.client_id.len >= -1, "client id with a negative length");
        if (h.client_id.len > 0)
            CHECK((const uint8_t *)h.client_id.p >= copy && (const uint8_t *)h.client_id.p + h.client_id.len <= copy + len,
                  "client id outside the frame");
        CHECK(rbuf_left(&r) <= len, "reader ran outside its buffer");
        if (verbose)
            fprintf(stderr, "fuzz_request: header api %d v%d corr %d: %s\n", h.api_key, h.api_version,
                    h.correlation_id, is_served(h.api_key, h.api_version) ? "served" : "not served");
        if (is_served(h.api_key, h.api_version) &&
            (!request_header_flexible(h.api_key, h.api_version) || request_header_read_tags(&r) == 0))
            decode_body(h.api_key, h.api_version, r.p, rbuf_left(&r), false);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    if ((mode & 1) == 0) {
        fuzz_frame(data + 1, size - 1);
        return 0;
    }
    if (size < 3)
        return 0;
    /* Keys 0..API_KEY_MAX+2 (the last two have no codec); versions -1..30. */
    int16_t key = (int16_t)(data[1] % (API_KEY_MAX + 3));
    int16_t version = (int16_t)((int)(data[2] % 32) - 1);
    decode_body(key, version, data + 3, size - 3, true);
    return 0;
}
