/* Protobuf as a registry format: a schema is a .proto file (as text, or
 * as a base64 FileDescriptorProto, which Confluent's clients send).
 *
 * The parsing, the compatibility rules and the payload checks are C++
 * (protobuf_*.cc) behind this C interface: libprotobuf's descriptor
 * parser (google::protobuf::compiler::Parser and DescriptorPool) is the
 * only complete .proto parser there is, and no C library parses .proto
 * text (protobuf-c only reads the compiled descriptors protoc emits). */
#ifndef SLUICE_SCHEMA_PROTOBUF_H
#define SLUICE_SCHEMA_PROTOBUF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "schema/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The file re-printed from its parsed descriptor (libprotobuf's
 * FileDescriptor::DebugString): comments, whitespace and the way a
 * schema was sent (text or base64) do not make two schemas different.
 * malloc'd; NULL with the parser's message in err when not valid. */
char *protobuf_canonicalize(const char *text, const struct sr_deps *deps, char *err, size_t errlen);
/* The schema as a base64 FileDescriptorProto (?format=serialized, what
 * Confluent's clients read back), malloc'd; NULL if it does not parse. */
char *protobuf_serialized(const char *canonical, const struct sr_deps *deps);
/* Confluent's Protobuf compatibility rules (protobuf_compat.cc). */
bool protobuf_can_read(const char *reader, const struct sr_deps *reader_deps, const char *writer,
                       const struct sr_deps *writer_deps, char *err, size_t errlen);

/* Full validation of Confluent's framing after the schema id: message
 * indexes, then the message's bytes (protobuf_datum.cc). */
void *protobuf_checker_new(const char *canonical, const struct sr_deps *deps);
void protobuf_checker_free(void *checker);
bool protobuf_datum_valid(const void *checker, const uint8_t *p, size_t len, char *why, size_t whylen);

extern const struct sr_format protobuf_format;

#ifdef __cplusplus
}
#endif
#endif
