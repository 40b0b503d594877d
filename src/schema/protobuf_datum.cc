// Full validation of a Protobuf record value: after the magic byte and
// schema id, Confluent's framing has the message indexes (a zigzag varint
// count, then that many zigzag varint indexes, the path from the file's
// top-level messages down nested ones; the count 0 alone means the first
// message), then the message itself. The message must parse as the type
// the indexes name, with every field of its declared wire type (libprotobuf
// keeps a field of the wrong wire type as an unknown field rather than
// failing, so those are looked for) and its required fields set.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>
#include "schema/protobuf_internal.hh"

namespace pb = google::protobuf;

namespace {

struct Checker {
    std::unique_ptr<pb_schema> schema;
    std::unique_ptr<pb::DynamicMessageFactory> factory;
};

// Indexes count messages as Confluent's registry does: map entries are
// not messages of their own there.
const pb::Descriptor *nth_message(const pb::FileDescriptor *file, const pb::Descriptor *parent, int64_t n)
{
    int count = parent ? parent->nested_type_count() : file->message_type_count();
    for (int i = 0; i < count; i++) {
        const pb::Descriptor *d = parent ? parent->nested_type(i) : file->message_type(i);
        if (!d->options().map_entry() && n-- == 0)
            return d;
    }
    return nullptr;
}

bool read_zigzag(pb::io::CodedInputStream *in, int64_t *out)
{
    uint64_t v;
    if (!in->ReadVarint64(&v))
        return false;
    *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
    return true;
}

// The message type the indexes name, or nullptr with the reason.
const pb::Descriptor *message_at(const pb::FileDescriptor *file, pb::io::CodedInputStream *in, std::string *why)
{
    int64_t count;
    if (!read_zigzag(in, &count) || count < 0 || count > 64) {
        *why = "bad message indexes";
        return nullptr;
    }
    if (count == 0) {
        const pb::Descriptor *first = nth_message(file, nullptr, 0);
        if (!first)
            *why = "the schema has no message";
        return first;
    }
    const pb::Descriptor *d = nullptr;
    for (int64_t i = 0; i < count; i++) {
        int64_t index;
        if (!read_zigzag(in, &index) || index < 0 || !(d = nth_message(file, d, index))) {
            *why = "the message indexes name no message of the schema";
            return nullptr;
        }
    }
    return d;
}

// A field libprotobuf could not place: a declared number with another
// wire type, as parsing keeps it among the unknown fields.
bool wire_types_match(const pb::Message &m, std::string *why)
{
    const pb::Reflection *refl = m.GetReflection();
    const pb::UnknownFieldSet &unknown = refl->GetUnknownFields(m);
    for (int i = 0; i < unknown.field_count(); i++) {
        const pb::FieldDescriptor *f = m.GetDescriptor()->FindFieldByNumber(unknown.field(i).number());
        if (f) {
            *why = "field " + f->full_name() + " has the wrong wire type";
            return false;
        }
    }
    std::vector<const pb::FieldDescriptor *> set;
    refl->ListFields(m, &set);
    for (const pb::FieldDescriptor *f : set) {
        if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE)
            continue;
        if (!f->is_repeated()) {
            if (!wire_types_match(refl->GetMessage(m, f), why))
                return false;
            continue;
        }
        for (int k = 0; k < refl->FieldSize(m, f); k++)
            if (!wire_types_match(refl->GetRepeatedMessage(m, f, k), why))
                return false;
    }
    return true;
}

}  // namespace

void *protobuf_checker_new(const char *canonical, const struct sr_deps *deps)
{
    std::string why;
    std::unique_ptr<Checker> ck(new Checker);
    ck->schema = pb_load(canonical, deps, &why);
    if (!ck->schema)
        return nullptr;
    ck->factory.reset(new pb::DynamicMessageFactory(&ck->schema->pool));
    return ck.release();
}

void protobuf_checker_free(void *checker)
{
    delete static_cast<Checker *>(checker);
}

bool protobuf_datum_valid(const void *checker, const uint8_t *p, size_t len, char *why, size_t whylen)
{
    const Checker *ck = static_cast<const Checker *>(checker);
    std::string reason;
    pb::io::CodedInputStream in(p, (int)std::min(len, (size_t)INT32_MAX));
    const pb::Descriptor *type = message_at(ck->schema->file, &in, &reason);
    if (!type) {
        pb_set_err(why, whylen, reason);
        return false;
    }
    size_t at = (size_t)in.CurrentPosition();
    std::unique_ptr<pb::Message> m(ck->factory->GetPrototype(type)->New());
    if (!m->ParsePartialFromArray(p + at, (int)(len - at))) {
        pb_set_err(why, whylen, "not a " + type->full_name() + " message");
        return false;
    }
    if (!m->IsInitialized()) {
        pb_set_err(why, whylen, type->full_name() + " lacks required fields: " + m->InitializationErrorString());
        return false;
    }
    if (!wire_types_match(*m, &reason)) {
        pb_set_err(why, whylen, reason);
        return false;
    }
    return true;
}
