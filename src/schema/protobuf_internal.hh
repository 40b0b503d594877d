// Between the Protobuf files (C++ only): a schema parsed into its own
// descriptor pool.
#ifndef SLUICE_SCHEMA_PROTOBUF_INTERNAL_HH
#define SLUICE_SCHEMA_PROTOBUF_INTERNAL_HH
#include <google/protobuf/descriptor.h>
#include <memory>
#include <string>
#include "schema/protobuf.h"

struct pb_schema {
    google::protobuf::DescriptorPool pool;
    const google::protobuf::FileDescriptor *file = nullptr;
};

// Parses a schema (.proto text or base64 FileDescriptorProto) with its
// imports: deps by import path, and the well-known types
// (google/protobuf/*.proto) from those compiled into libprotobuf. nullptr
// with the reason in *err when it is not a valid schema.
std::unique_ptr<pb_schema> pb_load(const char *text, const struct sr_deps *deps, std::string *err);

// Copies s into a C buffer of errlen bytes (cut if too long).
void pb_set_err(char *err, size_t errlen, const std::string &s);
#endif
