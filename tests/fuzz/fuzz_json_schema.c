/* libFuzzer target: JSON Schema in the registry. The input is a schema
 * text, a NUL byte, then a payload (what a producer writes after the
 * magic byte and schema id). The schema goes through canonicalize (as a
 * registration does); when it is one, the payload through the validator
 * (full validation at produce) and the schema through the compatibility
 * diff against itself and against a fixed schema, both ways. Nothing may
 * crash, leak or run past libFuzzer's timeout, and a schema compared with
 * itself must be compatible unless it is too large to compare.
 *
 * Build and run: scripts/run-fuzz fuzz_json_schema. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema/json_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed[] = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"tags\":{\"type\":\"array\","
                            "\"items\":{\"type\":\"string\"}}},\"required\":[\"id\"],\"additionalProperties\":false}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t schema_len = nul ? (size_t)(nul - data) : size;
    char *text = malloc(schema_len + 1);
    memcpy(text, data, schema_len);
    text[schema_len] = '\0';
    char err[512];
    char *canonical = json_schema_canonicalize(text, &sr_no_deps, err, sizeof(err));
    free(text);
    if (!canonical)
        return 0;
    struct json_checker *ck = json_checker_new(canonical, &sr_no_deps);
    if (!ck)
        abort();   /* canonicalize took it: the checker must too */
    const uint8_t *payload = nul ? nul + 1 : data + size;
    json_checker_valid(ck, payload, (size_t)(data + size - payload), err, sizeof(err));
    json_checker_free(ck);
    if (!json_schema_can_read(canonical, &sr_no_deps, canonical, &sr_no_deps, err, sizeof(err)) &&
        !strstr(err, "too large")) {
        fprintf(stderr, "a schema is incompatible with itself: %s\n%s\n", err, canonical);
        abort();
    }
    json_schema_can_read(canonical, &sr_no_deps, fixed, &sr_no_deps, err, sizeof(err));
    json_schema_can_read(fixed, &sr_no_deps, canonical, &sr_no_deps, err, sizeof(err));
    free(canonical);
    return 0;
}
