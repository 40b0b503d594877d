/* libFuzzer target: what clients hand the Protobuf format. The first
 * byte picks the input's role: a schema (.proto text or base64, as
 * registered over REST), canonicalized and then compared with itself and
 * with a fixed schema both ways; or a record value after the magic byte
 * and schema id (message indexes, then the message), checked against a
 * fixed schema by full validation. Nothing may crash, and a schema's
 * canonical text must canonicalize to itself.
 *
 * Build and run: scripts/run-fuzz fuzz_protobuf. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema/protobuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const FIXED =
    "syntax = \"proto3\";\n"
    "package shop;\n"
    "import \"google/protobuf/timestamp.proto\";\n"
    "message Order { int64 id = 1; string item = 2; Line line = 3; map<string, int32> tags = 4;\n"
    "  google.protobuf.Timestamp placed = 5; oneof pay { string card = 6; int64 voucher = 7; }\n"
    "  message Line { int32 qty = 1; repeated Line parts = 2; } }\n"
    "message Refund { string reason = 1; }\n";

static void *fixed_checker;
static char *fixed_canonical;

static void schema(const char *text)
{
    char err[256];
    char *canonical = protobuf_canonicalize(text, &sr_no_deps, err, sizeof(err));
    if (!canonical)
        return;
    char *again = protobuf_canonicalize(canonical, &sr_no_deps, err, sizeof(err));
    if (!again || strcmp(again, canonical) != 0) {
        fprintf(stderr, "fuzz_protobuf: canonical text is not stable:\n%s\n---\n%s\n", canonical, again ? again : err);
        abort();
    }
    if (!protobuf_can_read(canonical, &sr_no_deps, canonical, &sr_no_deps, err, sizeof(err))) {
        fprintf(stderr, "fuzz_protobuf: a schema cannot read itself: %s\n", err);
        abort();
    }
    protobuf_can_read(canonical, &sr_no_deps, fixed_canonical, &sr_no_deps, err, sizeof(err));
    protobuf_can_read(fixed_canonical, &sr_no_deps, canonical, &sr_no_deps, err, sizeof(err));
    free(again);
    free(canonical);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fixed_checker) {
        char err[256];
        fixed_canonical = protobuf_canonicalize(FIXED, &sr_no_deps, err, sizeof(err));
        fixed_checker = fixed_canonical ? protobuf_checker_new(fixed_canonical, &sr_no_deps) : NULL;
        if (!fixed_checker)
            abort();
    }
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        char why[256];
        protobuf_datum_valid(fixed_checker, data + 1, size - 1, why, sizeof(why));
        return 0;
    }
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    schema(text);
    free(text);
    return 0;
}
