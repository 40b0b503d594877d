// Confluent's Protobuf compatibility rules, walked over two parsed files.
//
// Confluent's registry (io.confluent.kafka.schemaregistry.protobuf.diff)
// compares an original schema (the writer's) with an update (the
// reader's) and lists differences by kind; a kind outside its
// COMPATIBLE_CHANGES set makes the pair incompatible. This file finds
// the same kinds and reports only the incompatible ones, because only
// those decide. Compatible, so never reported: a message, enum, enum
// constant, field, oneof or oneof member added; an enum, enum constant,
// plain (not required) field or a whole oneof removed; a field renamed;
// a message moved; a string/bytes label change; a oneof member moved out
// to the top level. The syntax line is not compared (Confluent neither).
//
// Labels follow Confluent's parser: a proto3 field without a label, a map
// field and a oneof member have none, so changing between them is no
// label change; only explicit optional, required and repeated compare.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <map>
#include <set>
#include <string>
#include <vector>
#include "schema/protobuf_internal.hh"

namespace pb = google::protobuf;

namespace {

enum class Label { none, optional, required, repeated };
enum class Kind { scalar, map, message };
// Scalars whose encodings read each other (the Protobuf guide's
// "Updating a message type"; enums are varints too).
enum class Scalar { general_number, signed_number, string_or_bytes, fixed32, fixed64, float_, double_ };

struct Diffs {
    std::vector<std::string> found;
    std::set<std::pair<std::string, std::string>> visited;   // message pairs compared
    // Message-typed fields' types still to compare, with the field's path:
    // a worklist, not recursion, so a long chain of message types cannot
    // exhaust the stack.
    struct Pending {
        std::string field_path;
        const pb::Descriptor *orig, *upd;
    };
    std::vector<Pending> pending;
    void add(const char *type, const std::string &path, const std::string &what)
    {
        found.push_back("{errorType:\"" + std::string(type) + "\", description:\"" + what + " at path '" + path +
                        "'\"}");
    }
};

Label label_of(const pb::FieldDescriptor *f)
{
    if (f->is_map() || f->real_containing_oneof())
        return Label::none;
    if (f->is_repeated())
        return Label::repeated;
    if (f->is_required())
        return Label::required;
    if (f->file()->syntax() == pb::FileDescriptor::SYNTAX_PROTO2 || f->has_optional_keyword())
        return Label::optional;
    return Label::none;
}

Kind kind_of(const pb::FieldDescriptor *f)
{
    if (f->is_map())
        return Kind::map;
    return f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE ? Kind::message : Kind::scalar;
}

Scalar scalar_of(const pb::FieldDescriptor *f)
{
    switch (f->type()) {
    case pb::FieldDescriptor::TYPE_SINT32:
    case pb::FieldDescriptor::TYPE_SINT64: return Scalar::signed_number;
    case pb::FieldDescriptor::TYPE_STRING:
    case pb::FieldDescriptor::TYPE_BYTES: return Scalar::string_or_bytes;
    case pb::FieldDescriptor::TYPE_FIXED32:
    case pb::FieldDescriptor::TYPE_SFIXED32: return Scalar::fixed32;
    case pb::FieldDescriptor::TYPE_FIXED64:
    case pb::FieldDescriptor::TYPE_SFIXED64: return Scalar::fixed64;
    case pb::FieldDescriptor::TYPE_FLOAT: return Scalar::float_;
    case pb::FieldDescriptor::TYPE_DOUBLE: return Scalar::double_;
    default: return Scalar::general_number;   // int32/64, uint32/64, bool, enum
    }
}

// A message's name inside its package: what Confluent compares a
// message-typed field's type by.
std::string local_name(const pb::Descriptor *d)
{
    const std::string &pkg = d->file()->package();
    return pkg.empty() ? d->full_name() : d->full_name().substr(pkg.size() + 1);
}

void compare_message(Diffs *diffs, const std::string &path, const pb::Descriptor *orig, const pb::Descriptor *upd);

void compare_value_types(Diffs *diffs, const std::string &path, Label ol, Label ul, const pb::FieldDescriptor *o,
                         const pb::FieldDescriptor *u)
{
    Kind ok = kind_of(o), uk = kind_of(u);
    if (ok != uk) {
        diffs->add("FIELD_KIND_CHANGED", path, "The type of a field does not match");
        return;
    }
    if (ok == Kind::map) {
        const pb::Descriptor *oe = o->message_type(), *ue = u->message_type();
        compare_value_types(diffs, path, Label::none, Label::none, oe->map_key(), ue->map_key());
        compare_value_types(diffs, path, Label::none, Label::none, oe->map_value(), ue->map_value());
    } else if (ok == Kind::message) {
        const pb::Descriptor *om = o->message_type(), *um = u->message_type();
        if (local_name(om) != local_name(um)) {
            diffs->add("FIELD_NAMED_TYPE_CHANGED", path, "The type of a MESSAGE field does not match");
            return;
        }
        // Confluent compares the two types too (when they come from
        // different references; local ones are compared anyway); what it
        // finds there is incompatible by itself.
        diffs->pending.push_back({path, om, um});
    } else if (scalar_of(o) != scalar_of(u)) {
        diffs->add("FIELD_SCALAR_KIND_CHANGED", path, "The kind of a SCALAR field does not match");
    } else if (ol != Label::none && ul != Label::none && ol != ul && scalar_of(o) != Scalar::string_or_bytes) {
        diffs->add("FIELD_NUMERIC_LABEL_CHANGED", path, "The label for a NUMERIC field does not match");
    }
}

struct Fields {
    std::map<int, const pb::FieldDescriptor *> by_number;
    std::map<int, std::string> oneof_of;                        // member number -> its oneof
    std::map<std::string, const pb::OneofDescriptor *> oneofs;   // real (not proto3 optional) ones
};

Fields fields_of(const pb::Descriptor *d)
{
    Fields fs;
    for (int i = 0; i < d->field_count(); i++) {
        const pb::FieldDescriptor *f = d->field(i);
        fs.by_number[f->number()] = f;
        if (f->real_containing_oneof())
            fs.oneof_of[f->number()] = f->real_containing_oneof()->name();
    }
    for (int i = 0; i < d->real_oneof_decl_count(); i++)
        fs.oneofs[d->oneof_decl(i)->name()] = d->oneof_decl(i);
    return fs;
}

// Fields that could be set together before and are in one oneof now:
// writers' data may set several of them, which the new oneof refuses.
void compare_oneof_membership(Diffs *diffs, const std::string &path, const Fields &o, const pb::Descriptor *upd)
{
    for (int i = 0; i < upd->real_oneof_decl_count(); i++) {
        const pb::OneofDescriptor *oneof = upd->oneof_decl(i);
        std::set<std::string> origins;
        int moved_in = 0;
        for (int k = 0; k < oneof->field_count(); k++) {
            int number = oneof->field(k)->number();
            auto in_oneof = o.oneof_of.find(number);
            if (in_oneof != o.oneof_of.end()) {
                origins.insert("oneof:" + in_oneof->second);
            } else if (o.by_number.count(number)) {
                origins.insert("field:" + std::to_string(number));
                moved_in++;
            }
        }
        if (origins.size() > 1)
            diffs->add(moved_in > 1 ? "MULTIPLE_FIELDS_MOVED_TO_ONEOF" : "FIELD_MOVED_TO_EXISTING_ONEOF",
                       path + "/" + oneof->name(), "Fields that were independent are in one oneof");
    }
}

void compare_types(Diffs *diffs, const std::string &scope, const std::vector<const pb::Descriptor *> &orig,
                   const std::vector<const pb::Descriptor *> &upd)
{
    std::map<std::string, const pb::Descriptor *> updated;
    for (const pb::Descriptor *d : upd)
        updated[d->name()] = d;
    for (const pb::Descriptor *o : orig) {
        std::string path = scope + o->name();
        auto u = updated.find(o->name());
        if (u == updated.end())
            diffs->add("MESSAGE_REMOVED", path, "The reader schema is missing a MESSAGE type");
        else
            compare_message(diffs, path, o, u->second);
    }
}

// The messages declared in a scope, map entries left out (they are a
// map field's own business, as in Confluent's parser).
template <typename Scope> std::vector<const pb::Descriptor *> messages_of(const Scope *s, int count,
                                                                       const pb::Descriptor *(Scope::*at)(int) const)
{
    std::vector<const pb::Descriptor *> out;
    for (int i = 0; i < count; i++)
        if (!(s->*at)(i)->options().map_entry())
            out.push_back((s->*at)(i));
    return out;
}

void compare_message(Diffs *diffs, const std::string &path, const pb::Descriptor *orig, const pb::Descriptor *upd)
{
    if (!diffs->visited.insert({orig->full_name(), upd->full_name()}).second)
        return;   // compared already (a recursive type)
    Fields o = fields_of(orig), u = fields_of(upd);
    // A oneof removed with all its members is a complete deletion.
    std::set<std::string> deleted_oneofs;
    for (const auto &entry : o.oneofs) {
        bool survives = u.oneofs.count(entry.first) > 0;
        for (int k = 0; !survives && k < entry.second->field_count(); k++)
            survives = u.by_number.count(entry.second->field(k)->number()) > 0;
        if (!survives)
            deleted_oneofs.insert(entry.first);
    }
    compare_oneof_membership(diffs, path, o, upd);
    for (const auto &entry : o.by_number) {
        int number = entry.first;
        std::string at = path + "/" + std::to_string(number);
        auto in_oneof = o.oneof_of.find(number);
        auto now = u.by_number.find(number);
        if (now == u.by_number.end()) {
            if (in_oneof != o.oneof_of.end() && !deleted_oneofs.count(in_oneof->second))
                diffs->add("ONEOF_FIELD_REMOVED", path + "/" + in_oneof->second + "/" + std::to_string(number),
                           "The reader schema is missing a oneof field");
            else if (in_oneof == o.oneof_of.end() && label_of(entry.second) == Label::required)
                diffs->add("REQUIRED_FIELD_REMOVED", at, "The reader schema is missing a required field");
            continue;
        }
        compare_value_types(diffs, at, label_of(entry.second), label_of(now->second), entry.second, now->second);
    }
    for (const auto &entry : u.by_number)
        if (!o.by_number.count(entry.first) && !u.oneof_of.count(entry.first) &&
            label_of(entry.second) == Label::required)
            diffs->add("REQUIRED_FIELD_ADDED", path + "/" + std::to_string(entry.first),
                       "A required field of the reader schema is missing in the writer schema");
    compare_types(diffs, path + "/", messages_of(orig, orig->nested_type_count(), &pb::Descriptor::nested_type),
                  messages_of(upd, upd->nested_type_count(), &pb::Descriptor::nested_type));
}

}  // namespace

bool protobuf_can_read(const char *reader, const struct sr_deps *reader_deps, const char *writer,
                       const struct sr_deps *writer_deps, char *err, size_t errlen)
{
    std::string why;
    std::unique_ptr<pb_schema> r = pb_load(reader, reader_deps, &why), w;
    if (r)
        w = pb_load(writer, writer_deps, &why);
    if (!r || !w) {
        pb_set_err(err, errlen, "invalid Protobuf schema: " + why);
        return false;
    }
    Diffs diffs;
    if (r->file->package() != w->file->package())
        diffs.add("PACKAGE_CHANGED", "#/", "The package does not match");
    compare_types(&diffs, "#/",
                  messages_of(w->file, w->file->message_type_count(), &pb::FileDescriptor::message_type),
                  messages_of(r->file, r->file->message_type_count(), &pb::FileDescriptor::message_type));
    while (!diffs.pending.empty()) {
        Diffs::Pending types = diffs.pending.back();
        diffs.pending.pop_back();
        size_t before = diffs.found.size();
        compare_message(&diffs, "#/" + local_name(types.orig), types.orig, types.upd);
        // Confluent names the field too when its type (a referenced
        // version of it) changed incompatibly.
        if (diffs.found.size() > before)
            diffs.add("FIELD_NAMED_TYPE_CHANGED", types.field_path, "The type of a MESSAGE field does not match");
    }
    if (diffs.found.empty())
        return true;
    std::string all;
    for (const std::string &d : diffs.found)
        all += (all.empty() ? "" : ", ") + d;
    pb_set_err(err, errlen, all);
    return false;
}
