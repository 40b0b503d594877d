/* Protobuf as a registry format: the C side of protobuf.h, the table the
 * registry calls through. */
#include "schema/protobuf.h"
#include <string.h>

/* Confluent's ?format=serialized: the schema as a base64
 * FileDescriptorProto, which Confluent's clients parse. */
static char *render(const char *canonical, const struct sr_deps *deps, const char *format)
{
    return strcmp(format, "serialized") == 0 ? protobuf_serialized(canonical, deps) : NULL;
}

const struct sr_format protobuf_format = {
    .type = "PROTOBUF",
    .canonicalize = protobuf_canonicalize,
    .can_read = protobuf_can_read,
    .checker_new = protobuf_checker_new,
    .checker_free = protobuf_checker_free,
    .datum_valid = protobuf_datum_valid,
    .render = render,
};
