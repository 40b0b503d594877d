/* The Confluent Schema Registry REST API over the registry's state:
 *   GET    /subjects                              ?deleted=true
 *   GET    /subjects/S/versions                   ?deleted=true
 *   POST   /subjects/S/versions                   register: {"schema","schemaType","references","id","version"}
 *   GET    /subjects/S/versions/V                 V a number or latest; ?deleted=true
 *   GET    /subjects/S/versions/V/schema
 *   GET    /subjects/S/versions/V/referencedby
 *   DELETE /subjects/S/versions/V                 ?permanent=true
 *   POST   /subjects/S                            look a schema up; ?deleted=true
 *   DELETE /subjects/S                            ?permanent=true
 *   GET    /schemas/ids/I                         also /schema, /subjects, /versions
 *   GET    /schemas/types
 *   GET|PUT /config, GET|PUT|DELETE /config/S     ?defaultToGlobal=true
 *   GET|PUT /mode,   GET|PUT|DELETE /mode/S       ?force=true, ?defaultToGlobal=true
 *   POST   /compatibility/subjects/S/versions[/V] ?verbose=true
 * Errors are Confluent's: {"error_code": 40401, "message": "..."}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker/config.h"
#include "core/util.h"
#include "schema/record.h"
#include "schema/rest.h"

#define MAX_SEGMENTS 8

/* "latest" or -1 is the latest; else a positive number. */
static bool parse_version(const char *s, int32_t *out)
{
    if (strcmp(s, "latest") == 0 || strcmp(s, "-1") == 0) {
        *out = -1;
        return true;
    }
    int64_t v;
    if (!parse_int64(s, &v) || v <= 0 || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

static json_t *body_json(struct rest_request *rq)
{
    json_error_t jerr;
    json_t *doc = rq->body.len ? json_loadb(rq->body.p, rq->body.len, 0, &jerr) : NULL;
    if (!json_is_object(doc)) {
        json_decref(doc);
        rest_error(rq, 400, "the body must be a JSON object");
        return NULL;
    }
    return doc;
}

/* The request's "references" (none when absent), or false with the error
 * answered. */
static bool body_refs(struct rest_request *rq, json_t *doc, struct sr_refs *refs)
{
    if (sr_refs_from_json(json_object_get(doc, "references"), refs))
        return true;
    rest_error(rq, SR_INVALID_SCHEMA,
               "Invalid schema: Invalid reference: each reference needs a name, a subject and a version");
    return false;
}

/* A schema's type and references as Confluent answers them: each left
 * out when it is the default (AVRO, none). */
static void add_type_and_refs(json_t *o, const struct sr_schema *sc)
{
    if (strcmp(sc->format->type, "AVRO") != 0)
        json_object_set_new(o, "schemaType", json_string(sc->format->type));
    if (sc->refs.n)
        json_object_set_new(o, "references", sr_refs_to_json(&sc->refs));
}

static json_t *version_json(const char *subject, const struct sr_version *v)
{
    json_t *o = json_pack("{s:s,s:i,s:i,s:s}", "subject", subject, "version", v->version, "id", v->schema->id,
                          "schema", v->schema->canonical);
    add_type_and_refs(o, v->schema);
    if (v->deleted)
        json_object_set_new(o, "deleted", json_true());
    return o;
}

/* ?format= asks some formats for another text of a schema (Protobuf's
 * "serialized"): the reply's "schema" becomes it. A schema with
 * references is read with them (a .proto's imports). */
static json_t *with_format(const struct rest_request *rq, json_t *o, const struct sr_schema *sc)
{
    const char *format = rest_arg(rq, "format");
    if (!format || !sc->format->render)
        return o;
    char why[256];
    struct sr_resolved res;
    char *text = sr_resolve(&rq->svc->reg, &sc->refs, true, &res, why, sizeof(why)) == SR_OK
                     ? sc->format->render(sc->canonical, &res.deps, format)
                     : NULL;
    sr_resolved_free(&res);
    if (text)
        json_object_set_new(o, "schema", json_string(text));
    free(text);
    return o;
}

/* The .../schema endpoints: the schema's text alone, not JSON. */
static void reply_schema_text(struct rest_request *rq, const struct sr_schema *sc)
{
    json_t *o = with_format(rq, json_pack("{s:s}", "schema", sc->canonical), sc);
    const char *text = json_string_value(json_object_get(o, "schema"));
    rest_reply(rq, 200, json_null());
    rq->out.len = 0;
    sbuf_add(&rq->out, text, strlen(text));
    json_decref(o);
}

static void error_for(struct rest_request *rq, enum sr_err e, const char *subject, const char *detail)
{
    switch (e) {
    case SR_SUBJECT_NOT_FOUND: rest_error(rq, e, "Subject '%s' not found.", subject); break;
    case SR_VERSION_NOT_FOUND: rest_error(rq, e, "Version not found."); break;
    case SR_SCHEMA_NOT_FOUND: rest_error(rq, e, "Schema not found"); break;
    case SR_SUBJECT_SOFT_DELETED: rest_error(rq, e, "Subject '%s' was soft deleted.", subject); break;
    case SR_SUBJECT_NOT_SOFT_DELETED:
        rest_error(rq, e, "Subject '%s' was not deleted first before being permanently deleted", subject);
        break;
    case SR_VERSION_SOFT_DELETED: rest_error(rq, e, "Version of subject '%s' was soft deleted.", subject); break;
    case SR_VERSION_NOT_SOFT_DELETED:
        rest_error(rq, e, "Version of subject '%s' was not deleted first before being permanently deleted", subject);
        break;
    case SR_INCOMPATIBLE:
        rest_error(rq, e, "Schema being registered is incompatible with an earlier schema for subject \"%s\", details: %s",
                   subject, detail && *detail ? detail : "");
        break;
    case SR_INVALID_SCHEMA: rest_error(rq, e, "Invalid schema: %s", detail && *detail ? detail : ""); break;
    case SR_NOT_PERMITTED:
        rest_error(rq, e, "Operation not permitted%s%s", detail && *detail ? ": " : "", detail ? detail : "");
        break;
    case SR_REFERENCE_EXISTS: rest_error(rq, e, "One or more references exist to the schema %s.", detail); break;
    default: rest_error(rq, e, "%s", detail && *detail ? detail : "error"); break;
    }
}

/* ---- subjects and versions ---- */

static void list_subjects(struct rest_request *rq)
{
    size_t n;
    const char **names = sr_subjects(&rq->svc->reg, rest_flag(rq, "deleted"), &n);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(names[i]));
    free((void *)names);
    rest_reply(rq, 200, arr);
}

static void list_versions(struct rest_request *rq, const char *subject)
{
    bool deleted = rest_flag(rq, "deleted");
    const struct sr_subject *s = sr_subject(&rq->svc->reg, subject);
    if (!s || !(deleted ? s->nversions > 0 : sr_subject_live(s))) {
        error_for(rq, SR_SUBJECT_NOT_FOUND, subject, NULL);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < s->nversions; i++)
        if (deleted || !s->versions[i].deleted)
            json_array_append_new(arr, json_integer(s->versions[i].version));
    rest_reply(rq, 200, arr);
}

static void register_schema(struct rest_request *rq, const char *subject)
{
    json_t *doc = body_json(rq);
    if (!doc)
        return;
    const char *text = json_string_value(json_object_get(doc, "schema"));
    struct sr_refs refs = {0};
    if (!text) {
        rest_error(rq, SR_INVALID_SCHEMA, "Invalid schema: no \"schema\" string given");
    } else if (body_refs(rq, doc, &refs)) {
        struct sr_register_req req = {
            .subject = subject,
            .type = json_string_value(json_object_get(doc, "schemaType")),
            .text = text,
            .refs = &refs,
            .id = (int32_t)json_integer_value(json_object_get(doc, "id")),
            .version = (int32_t)json_integer_value(json_object_get(doc, "version")),
        };
        struct sr_register_plan plan;
        char err[1024];
        enum sr_err e = sr_register_plan(&rq->svc->reg, &req, &plan, err, sizeof(err));
        if (e != SR_OK) {
            error_for(rq, e, subject, err);
        } else if (plan.existing) {
            rest_reply(rq, 200, json_pack("{s:i}", "id", plan.id));
        } else {
            struct sr_change c = {.kind = SR_CHANGE_SCHEMA,
                                  .subject = xstrdup(subject),
                                  .version = plan.version,
                                  .id = plan.id,
                                  .type = xstrdup(plan.format->type),
                                  .canonical = plan.canonical,
                                  .refs = plan.refs};
            plan.canonical = NULL;
            plan.refs = (struct sr_refs){0};
            rest_commit(rq, &c, 1, 200, json_pack("{s:i}", "id", c.id));
        }
        sr_register_plan_free(&plan);
    }
    sr_refs_free(&refs);
    json_decref(doc);
}

static void lookup_schema(struct rest_request *rq, const char *subject)
{
    json_t *doc = body_json(rq);
    if (!doc)
        return;
    const char *text = json_string_value(json_object_get(doc, "schema"));
    const struct sr_version *v;
    char err[1024] = "";
    struct sr_refs refs;
    if (!body_refs(rq, doc, &refs)) {
        json_decref(doc);
        return;
    }
    enum sr_err e = text ? sr_lookup(&rq->svc->reg, subject, json_string_value(json_object_get(doc, "schemaType")),
                                     text, &refs, rest_flag(rq, "deleted"), &v, err, sizeof(err))
                         : SR_INVALID_SCHEMA;
    if (e == SR_OK)
        rest_reply(rq, 200, with_format(rq, version_json(subject, v), v->schema));
    else
        error_for(rq, e, subject, err);
    sr_refs_free(&refs);
    json_decref(doc);
}

static void get_version(struct rest_request *rq, const char *subject, const char *version, const char *what)
{
    int32_t num;
    const struct sr_version *v;
    if (!parse_version(version, &num)) {
        rest_error(rq, SR_INVALID_VERSION,
                   "The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] "
                   "and the string \"latest\"",
                   version);
        return;
    }
    /* referencedby finds soft-deleted versions too, as Confluent's does;
     * its ?deleted says whether soft-deleted referrers count. */
    bool referencedby = what && strcmp(what, "referencedby") == 0;
    enum sr_err e = sr_version_get(&rq->svc->reg, subject, num, referencedby || rest_flag(rq, "deleted"), &v);
    if (e != SR_OK)
        error_for(rq, e, subject, NULL);
    else if (!what)
        rest_reply(rq, 200, with_format(rq, version_json(subject, v), v->schema));
    else if (strcmp(what, "schema") == 0)
        reply_schema_text(rq, v->schema);
    else if (referencedby) {
        size_t n;
        int32_t *ids = sr_referenced_by(&rq->svc->reg, subject, v->version, rest_flag(rq, "deleted"), &n);
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_integer(ids[i]));
        free(ids);
        rest_reply(rq, 200, arr);
    } else
        rest_error(rq, 404, "HTTP 404 Not Found");
}

static void delete_version(struct rest_request *rq, const char *subject, const char *version)
{
    int32_t num, resolved;
    if (!parse_version(version, &num)) {
        rest_error(rq, SR_INVALID_VERSION, "The specified version '%s' is not a valid version id.", version);
        return;
    }
    bool permanent = rest_flag(rq, "permanent");
    char err[512] = "";
    enum sr_err e = sr_delete_version_plan(&rq->svc->reg, subject, num, permanent, &resolved, err, sizeof(err));
    if (e != SR_OK) {
        error_for(rq, e, subject, err);
        return;
    }
    struct sr_change c = {.kind = SR_CHANGE_DELETE, .subject = xstrdup(subject), .version = resolved};
    if (!permanent) {
        free(c.subject);
        sr_change_soft_delete(&rq->svc->reg, subject, resolved, &c);
    }
    rest_commit(rq, &c, 1, 200, json_integer(resolved));
}

static void delete_subject(struct rest_request *rq, const char *subject)
{
    bool permanent = rest_flag(rq, "permanent");
    int32_t *versions;
    size_t n;
    char err[512] = "";
    enum sr_err e = sr_delete_subject_plan(&rq->svc->reg, subject, permanent, &versions, &n, err, sizeof(err));
    if (e != SR_OK) {
        error_for(rq, e, subject, err);
        return;
    }
    struct sr_change *changes = xcalloc(n ? n : 1, sizeof(*changes));
    json_t *answer = json_array();
    for (size_t i = 0; i < n; i++) {
        if (permanent)
            changes[i] = (struct sr_change){.kind = SR_CHANGE_DELETE, .subject = xstrdup(subject),
                                            .version = versions[i]};
        else
            sr_change_soft_delete(&rq->svc->reg, subject, versions[i], &changes[i]);
        json_array_append_new(answer, json_integer(versions[i]));
    }
    rest_commit(rq, changes, n, 200, answer);
    free(changes);
    free(versions);
}

/* ---- schemas by id ---- */

static void schema_by_id(struct rest_request *rq, const char *id_text, const char *what)
{
    int64_t id;
    const struct sr_schema *sc = parse_int64(id_text, &id) && id > 0 && id <= INT32_MAX
                                     ? sr_schema_by_id(&rq->svc->reg, (int32_t)id)
                                     : NULL;
    /* Which subjects and versions use it; with none left (all deleted
     * permanently), the id is not found, as in Confluent. */
    json_t *subjects = json_array(), *versions = json_array();
    size_t n;
    const char **names = sc ? sr_subjects(&rq->svc->reg, true, &n) : NULL;
    for (size_t i = 0; names && i < n; i++) {
        const struct sr_subject *s = sr_subject(&rq->svc->reg, names[i]);
        bool listed = false;
        for (size_t k = 0; k < s->nversions; k++) {
            if (s->versions[k].schema != sc || (s->versions[k].deleted && !rest_flag(rq, "deleted")))
                continue;
            if (!listed)
                json_array_append_new(subjects, json_string(s->name));
            listed = true;
            json_array_append_new(versions, json_pack("{s:s,s:i}", "subject", s->name, "version",
                                                      s->versions[k].version));
        }
    }
    free((void *)names);
    bool used = sc && json_array_size(subjects) > 0;
    if (!used && sc) {
        /* Soft-deleted versions still serve their schema by id. */
        const char **all = sr_subjects(&rq->svc->reg, true, &n);
        for (size_t i = 0; i < n && !used; i++) {
            const struct sr_subject *s = sr_subject(&rq->svc->reg, all[i]);
            for (size_t k = 0; k < s->nversions; k++)
                used = used || s->versions[k].schema == sc;
        }
        free((void *)all);
    }
    if (!used) {
        json_decref(subjects);
        json_decref(versions);
        rest_error(rq, SR_SCHEMA_NOT_FOUND, "Schema %s not found", id_text);
        return;
    }
    if (!what) {
        json_t *o = json_pack("{s:s}", "schema", sc->canonical);
        add_type_and_refs(o, sc);
        rest_reply(rq, 200, with_format(rq, o, sc));
    } else if (strcmp(what, "schema") == 0) {
        reply_schema_text(rq, sc);
    } else if (strcmp(what, "subjects") == 0) {
        rest_reply(rq, 200, json_incref(subjects));
    } else if (strcmp(what, "versions") == 0) {
        rest_reply(rq, 200, json_incref(versions));
    } else {
        rest_error(rq, 404, "HTTP 404 Not Found");
    }
    json_decref(subjects);
    json_decref(versions);
}

static void schema_types(struct rest_request *rq)
{
    json_t *arr = json_array();
    for (const struct sr_format *const *f = rq->svc->reg.formats; *f; f++)
        json_array_append_new(arr, json_string((*f)->type));
    rest_reply(rq, 200, arr);
}

/* ---- config and mode ----
 * Both are a global value with a subject's own value over it: one
 * handler, told which by a struct setting. Values are the enums'
 * numbers, -1 (UNSET) for none. */

struct setting {
    enum sr_change_kind kind;
    const char *put_field, *get_field;   /* in the PUT body, in answers */
    enum sr_err not_configured;
};

static const struct setting compat_setting = {SR_CHANGE_COMPAT, "compatibility", "compatibilityLevel",
                                              SR_SUBJECT_COMPAT_NOT_CONFIGURED};
static const struct setting mode_setting = {SR_CHANGE_MODE, "mode", "mode", SR_SUBJECT_MODE_NOT_CONFIGURED};

static int setting_own(const struct setting *st, const struct schema_registry *reg, const char *subject)
{
    const struct sr_subject *s = subject ? sr_subject(reg, subject) : NULL;
    if (st->kind == SR_CHANGE_COMPAT)
        return subject ? (s ? (int)s->compat : -1) : (int)reg->compat;
    return subject ? (s ? (int)s->mode : -1) : (int)reg->mode;
}

static const char *setting_name(const struct setting *st, int v)
{
    return st->kind == SR_CHANGE_COMPAT ? sr_compat_name((enum sr_compat)v) : sr_mode_name((enum sr_mode)v);
}

static int setting_effective(const struct setting *st, const struct schema_registry *reg, const char *subject)
{
    return st->kind == SR_CHANGE_COMPAT ? (int)sr_compat_for(reg, subject) : (int)sr_mode_for(reg, subject);
}

static struct sr_change setting_change(const struct setting *st, const char *subject, int v)
{
    struct sr_change c = {.kind = st->kind, .subject = subject ? xstrdup(subject) : NULL};
    if (st->kind == SR_CHANGE_COMPAT)
        c.compat = (enum sr_compat)v;
    else
        c.mode = (enum sr_mode)v;
    return c;
}

/* The value a PUT asks for, or -1 with the error answered. */
static int setting_parse(const struct setting *st, struct rest_request *rq, const char *subject, const char *name)
{
    if (st->kind == SR_CHANGE_COMPAT) {
        enum sr_compat level = sr_compat_parse(name);
        if (level == SR_COMPAT_UNSET)
            rest_error(rq, SR_INVALID_COMPAT, "Invalid compatibility level. Valid values are none, backward, "
                                              "forward, full, backward_transitive, forward_transitive, and "
                                              "full_transitive");
        return level;
    }
    enum sr_mode m = sr_mode_parse(name);
    enum sr_err e = sr_mode_plan(&rq->svc->reg, subject, m, rest_flag(rq, "force"));
    if (e == SR_INVALID_MODE)
        rest_error(rq, e, "Invalid mode. Valid values are READWRITE, READONLY and IMPORT");
    else if (e != SR_OK)
        rest_error(rq, e, "Cannot import since found existing subjects");
    return e == SR_OK ? (int)m : -1;
}

static void route_setting(struct rest_request *rq, const struct setting *st, const char *subject)
{
    struct schema_registry *reg = &rq->svc->reg;
    int own = setting_own(st, reg, subject);
    if (strcmp(rq->method, "GET") == 0) {
        if (own == -1 && !rest_flag(rq, "defaultToGlobal"))
            rest_error(rq, st->not_configured, "Subject '%s' does not have subject-level %s configured", subject,
                       st->put_field);
        else
            rest_reply(rq, 200, json_pack("{s:s}", st->get_field, setting_name(st, setting_effective(st, reg, subject))));
        return;
    }
    if (strcmp(rq->method, "DELETE") == 0) {
        if (!subject || own == -1) {
            error_for(rq, SR_SUBJECT_NOT_FOUND, subject ? subject : "", NULL);
            return;
        }
        struct sr_change c = setting_change(st, subject, -1);
        rest_commit(rq, &c, 1, 200, json_pack("{s:s}", st->get_field, setting_name(st, own)));
        return;
    }
    json_t *doc = body_json(rq);
    if (!doc)
        return;
    const char *name = json_string_value(json_object_get(doc, st->put_field));
    int v = setting_parse(st, rq, subject, name);
    if (v != -1) {
        struct sr_change c = setting_change(st, subject, v);
        rest_commit(rq, &c, 1, 200, json_pack("{s:s}", st->put_field, name));
    }
    json_decref(doc);
}

static void compatibility(struct rest_request *rq, const char *subject, const char *version)
{
    int32_t num = -1;
    if (version && !parse_version(version, &num)) {
        rest_error(rq, SR_INVALID_VERSION, "The specified version '%s' is not a valid version id.", version);
        return;
    }
    /* "latest" names the latest version alone; no version checks every
     * version the level looks at. */
    const struct sr_version *latest;
    if (version && num == -1) {
        enum sr_err e = sr_version_get(&rq->svc->reg, subject, -1, false, &latest);
        if (e != SR_OK) {
            error_for(rq, e, subject, NULL);
            return;
        }
        num = latest->version;
    }
    json_t *doc = body_json(rq);
    if (!doc)
        return;
    const char *text = json_string_value(json_object_get(doc, "schema"));
    bool ok;
    char err[2048];
    struct sr_refs refs;
    if (!body_refs(rq, doc, &refs)) {
        json_decref(doc);
        return;
    }
    enum sr_err e = text ? sr_check(&rq->svc->reg, subject, num, json_string_value(json_object_get(doc, "schemaType")),
                                    text, &refs, &ok, err, sizeof(err))
                         : SR_INVALID_SCHEMA;
    sr_refs_free(&refs);
    if (e != SR_OK)
        error_for(rq, e, subject, text ? err : "no \"schema\" string given");
    else {
        json_t *o = json_pack("{s:b}", "is_compatible", ok);
        if (rest_flag(rq, "verbose"))
            json_object_set_new(o, "messages", ok ? json_array() : json_pack("[s]", err));
        rest_reply(rq, 200, o);
    }
    json_decref(doc);
}

/* ---- routing ---- */

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* %XX sequences decoded in place; a malformed one is kept as sent. */
static void percent_decode(char *s)
{
    char *out = s;
    for (; *s; s++) {
        int hi = s[0] == '%' ? hex_digit(s[1]) : -1, lo = hi >= 0 ? hex_digit(s[2]) : -1;
        if (lo >= 0 && (hi || lo)) {
            *out++ = (char)(hi * 16 + lo);
            s += 2;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

/* The path as sent, split at its slashes and then decoded, so that a
 * segment may hold an encoded one (a subject named shop/address.proto). */
static int split(char *path, char **seg)
{
    int n = 0;
    for (char *p = strtok(path, "/"); p && n < MAX_SEGMENTS; p = strtok(NULL, "/"))
        seg[n++] = p;
    if (strtok(NULL, "/"))
        return -1;
    for (int i = 0; i < n; i++)
        percent_decode(seg[i]);
    return n;
}

static bool is(const struct rest_request *rq, const char *m) { return strcmp(rq->method, m) == 0; }

void rest_route(struct rest_request *rq)
{
    char *path = xstrdup(rq->path);
    char *seg[MAX_SEGMENTS];
    int n = split(path, seg);
    bool get = is(rq, "GET"), post = is(rq, "POST"), del = is(rq, "DELETE"), put = is(rq, "PUT");
    const char *first = n > 0 ? seg[0] : "";
    if (n == 0 && get)
        rest_reply(rq, 200, json_object());
    else if (strcmp(first, "subjects") == 0) {
        if (n == 1 && get)
            list_subjects(rq);
        else if (n == 2 && post)
            lookup_schema(rq, seg[1]);
        else if (n == 2 && del)
            delete_subject(rq, seg[1]);
        else if (n == 3 && strcmp(seg[2], "versions") == 0 && get)
            list_versions(rq, seg[1]);
        else if (n == 3 && strcmp(seg[2], "versions") == 0 && post)
            register_schema(rq, seg[1]);
        else if (n == 4 && strcmp(seg[2], "versions") == 0 && get)
            get_version(rq, seg[1], seg[3], NULL);
        else if (n == 4 && strcmp(seg[2], "versions") == 0 && del)
            delete_version(rq, seg[1], seg[3]);
        else if (n == 5 && strcmp(seg[2], "versions") == 0 && get)
            get_version(rq, seg[1], seg[3], seg[4]);
        else
            rest_error(rq, 404, "HTTP 404 Not Found");
    } else if (strcmp(first, "schemas") == 0) {
        if (n == 2 && strcmp(seg[1], "types") == 0 && get)
            schema_types(rq);
        else if ((n == 3 || n == 4) && strcmp(seg[1], "ids") == 0 && get)
            schema_by_id(rq, seg[2], n == 4 ? seg[3] : NULL);
        else
            rest_error(rq, 404, "HTTP 404 Not Found");
    } else if (strcmp(first, "config") == 0 && n <= 2 && (get || put || (del && n == 2))) {
        route_setting(rq, &compat_setting, n == 2 ? seg[1] : NULL);
    } else if (strcmp(first, "mode") == 0 && n <= 2 && (get || put || (del && n == 2))) {
        route_setting(rq, &mode_setting, n == 2 ? seg[1] : NULL);
    } else if (strcmp(first, "compatibility") == 0 && post && (n == 4 || n == 5) && strcmp(seg[1], "subjects") == 0 &&
               strcmp(seg[3], "versions") == 0) {
        compatibility(rq, seg[2], n == 5 ? seg[4] : NULL);
    } else {
        rest_error(rq, 404, "HTTP 404 Not Found");
    }
    free(path);
}
