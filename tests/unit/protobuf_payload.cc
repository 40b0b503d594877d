// Payloads for the Protobuf unit tests, encoded by libprotobuf
// itself: a message given in protobuf's text format, serialized as a
// message of a schema parsed the way the registry parses it.
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>
#include <cstring>
#include "protobuf_payload.h"
#include "schema/protobuf_internal.hh"

size_t pb_test_encode(const char *schema, const char *message, const char *text, uint8_t *out, size_t cap)
{
    std::string why, bytes;
    std::unique_ptr<pb_schema> s = pb_load(schema, &sr_no_deps, &why);
    const google::protobuf::Descriptor *d = s ? s->pool.FindMessageTypeByName(message) : nullptr;
    if (!d)
        return (size_t)-1;
    google::protobuf::DynamicMessageFactory factory(&s->pool);
    std::unique_ptr<google::protobuf::Message> m(factory.GetPrototype(d)->New());
    google::protobuf::TextFormat::Parser parser;
    parser.AllowPartialMessage(true);   // payloads lacking required fields, to be refused
    if (!parser.ParseFromString(text, m.get()) || !m->SerializePartialToString(&bytes) ||
        bytes.size() > cap)
        return (size_t)-1;
    memcpy(out, bytes.data(), bytes.size());
    return bytes.size();
}
