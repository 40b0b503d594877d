/* Protobuf payloads encoded by libprotobuf (protobuf_payload.cc). */
#ifndef PROTOBUF_PAYLOAD_H
#define PROTOBUF_PAYLOAD_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/* `text` (protobuf's text format) as a serialized `message` (a full
 * name) of the .proto `schema`, into out; its length, or (size_t)-1. */
size_t pb_test_encode(const char *schema, const char *message, const char *text, uint8_t *out, size_t cap);
#ifdef __cplusplus
}
#endif
#endif
