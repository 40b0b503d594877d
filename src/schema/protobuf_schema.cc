// Protobuf schemas parsed by libprotobuf: .proto text through its
// compiler::Parser, base64 FileDescriptorProtos (what Confluent's clients
// register) through the descriptor's own decoder, and both built into a
// DescriptorPool, which resolves every type name and checks what the
// parser alone does not (duplicate field numbers, unknown types, ...).
#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/stubs/strutil.h>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include "schema/protobuf_internal.hh"

namespace pb = google::protobuf;

namespace {

// A schema named by no import path gets this file name.
const char *const kMainName = "schema.proto";
// Imports nest no deeper than this (a cycle of references ends here).
const int kMaxImportDepth = 64;

// The first error of the tokenizer or parser, as "line L:C: message".
class TextErrors : public pb::io::ErrorCollector {
public:
    std::string first;
    void AddError(int line, int column, const std::string &message) override
    {
        if (first.empty())
            first = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
    }
};

// The first error of building a file into a pool.
class PoolErrors : public pb::DescriptorPool::ErrorCollector {
public:
    std::string first;
    void AddError(const std::string &filename, const std::string &element, const pb::Message *,
                  ErrorLocation, const std::string &message) override
    {
        if (first.empty())
            first = (element.empty() ? filename : element) + ": " + message;
    }
};

bool is_base64(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '+' && *s != '/' && *s != '=')
            return false;
    return true;
}

// protoc writes each field's JSON name into the descriptors it emits
// (and so into what Confluent's clients send); the parser leaves it out
// when the .proto does not set it. Dropping the default one makes both
// forms of a schema print the same.
std::string default_json_name(const std::string &name)
{
    std::string out;
    bool upper = false;
    for (char c : name) {
        if (c == '_')
            upper = true;
        else
            out += upper ? (char)toupper((unsigned char)c) : c, upper = false;
    }
    return out;
}

void drop_default_json_names(pb::RepeatedPtrField<pb::FieldDescriptorProto> *fields)
{
    for (pb::FieldDescriptorProto &f : *fields)
        if (f.has_json_name() && f.json_name() == default_json_name(f.name()))
            f.clear_json_name();
}

void drop_default_json_names(pb::DescriptorProto *m)
{
    drop_default_json_names(m->mutable_field());
    drop_default_json_names(m->mutable_extension());
    for (pb::DescriptorProto &nested : *m->mutable_nested_type())
        drop_default_json_names(&nested);
}

// Text (a .proto file or a base64 FileDescriptorProto) into fdp.
bool to_file_proto(const char *text, pb::FileDescriptorProto *fdp, std::string *err)
{
    if (is_base64(text)) {
        std::string bytes;
        if (pb::Base64Unescape(text, &bytes) && fdp->ParseFromString(bytes)) {
            drop_default_json_names(fdp->mutable_extension());
            for (pb::DescriptorProto &m : *fdp->mutable_message_type())
                drop_default_json_names(&m);
            return true;
        }
        *err = "neither a .proto file nor a base64 FileDescriptorProto";
        return false;
    }
    pb::io::ArrayInputStream in(text, (int)strlen(text));
    TextErrors errors;
    pb::io::Tokenizer tokens(&in, &errors);
    pb::compiler::Parser parser;
    parser.RecordErrorsTo(&errors);
    if (!parser.Parse(&tokens, fdp) || !errors.first.empty()) {
        *err = errors.first.empty() ? "not a .proto file" : errors.first;
        return false;
    }
    return true;
}

// Builds fdp into the pool after its imports, found in deps or among the
// well-known types compiled into libprotobuf.
bool build(pb::DescriptorPool *pool, const pb::FileDescriptorProto &fdp, const struct sr_deps *deps, int depth,
           std::string *err)
{
    if (depth > kMaxImportDepth) {
        *err = "imports nest too deep (a cycle?) at " + fdp.name();
        return false;
    }
    for (const std::string &path : fdp.dependency()) {
        if (pool->FindFileByName(path))
            continue;
        pb::FileDescriptorProto dep;
        size_t i = 0;
        while (i < deps->n && path != deps->names[i])
            i++;
        if (i < deps->n) {
            if (!to_file_proto(deps->texts[i], &dep, err)) {
                *err = path + ": " + *err;
                return false;
            }
        } else if (const pb::FileDescriptor *known = pb::DescriptorPool::generated_pool()->FindFileByName(path)) {
            known->CopyTo(&dep);
        } else {
            *err = "import \"" + path + "\" is not found: no schema reference names it";
            return false;
        }
        dep.set_name(path);
        if (!build(pool, dep, deps, depth + 1, err))
            return false;
    }
    PoolErrors errors;
    if (!pool->BuildFileCollectingErrors(fdp, &errors)) {
        *err = errors.first;
        return false;
    }
    return true;
}

}  // namespace

void pb_set_err(char *err, size_t errlen, const std::string &s)
{
    if (errlen)
        snprintf(err, errlen, "%s", s.c_str());
}

std::unique_ptr<pb_schema> pb_load(const char *text, const struct sr_deps *deps, std::string *err)
{
    // libprotobuf writes warnings (a file without a syntax line) to
    // stderr; what matters here reaches the caller as err.
    static std::once_flag quiet;
    std::call_once(quiet, [] { pb::SetLogHandler(nullptr); });
    pb::FileDescriptorProto fdp;
    if (!to_file_proto(text, &fdp, err))
        return nullptr;
    if (fdp.name().empty())
        fdp.set_name(kMainName);
    std::unique_ptr<pb_schema> s(new pb_schema);
    if (!build(&s->pool, fdp, deps, 0, err))
        return nullptr;
    s->file = s->pool.FindFileByName(fdp.name());
    return s;
}

static char *dup_string(const std::string &s)
{
    char *out = static_cast<char *>(malloc(s.size() + 1));
    if (out)
        memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

char *protobuf_canonicalize(const char *text, const struct sr_deps *deps, char *err, size_t errlen)
{
    std::string why;
    std::unique_ptr<pb_schema> s = pb_load(text, deps, &why);
    if (!s) {
        pb_set_err(err, errlen, "invalid Protobuf schema: " + why);
        return nullptr;
    }
    return dup_string(s->file->DebugString());
}

char *protobuf_serialized(const char *canonical, const struct sr_deps *deps)
{
    std::string why, bytes, out;
    std::unique_ptr<pb_schema> s = pb_load(canonical, deps, &why);
    if (!s)
        return nullptr;
    pb::FileDescriptorProto fdp;
    s->file->CopyTo(&fdp);
    fdp.SerializeToString(&bytes);
    pb::Base64Escape(bytes, &out);
    return dup_string(out);
}
