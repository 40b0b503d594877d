/* The schema registry's state, with no wire, HTTP or storage in it.
 *
 * Subjects hold numbered versions; each version points at a schema, and a
 * schema (type, canonical text and references) has one global id shared
 * by every subject that registers it. Ids are never reused: a schema keeps its id
 * after every version using it is deleted, so registering it again gives
 * the same id back, and a different schema always gets a new one.
 *
 * Every change is made in two steps so that storage can come between
 * them: a *_plan function checks a request against the state and says
 * what would change (without changing anything), and the sr_apply_*
 * functions make one change. Replaying the stored log calls the same
 * sr_apply_* functions, so the state rebuilt on start is the state that
 * answered the requests.
 *
 * Errors are Confluent's error codes (enum sr_err), so the REST layer
 * passes them through unchanged. */
#ifndef SLUICE_SCHEMA_REGISTRY_H
#define SLUICE_SCHEMA_REGISTRY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/hmap.h"

enum sr_err {
    SR_OK = 0,
    SR_INCOMPATIBLE = 409,
    SR_SUBJECT_NOT_FOUND = 40401,
    SR_VERSION_NOT_FOUND = 40402,
    SR_SCHEMA_NOT_FOUND = 40403,
    SR_SUBJECT_SOFT_DELETED = 40404,
    SR_SUBJECT_NOT_SOFT_DELETED = 40405,
    SR_VERSION_SOFT_DELETED = 40406,
    SR_VERSION_NOT_SOFT_DELETED = 40407,
    SR_SUBJECT_COMPAT_NOT_CONFIGURED = 40408,
    SR_SUBJECT_MODE_NOT_CONFIGURED = 40409,
    SR_INVALID_SCHEMA = 42201,
    SR_INVALID_VERSION = 42202,
    SR_INVALID_COMPAT = 42203,
    SR_INVALID_MODE = 42204,
    SR_NOT_PERMITTED = 42205,
    SR_REFERENCE_EXISTS = 42206,
    SR_STORE_ERROR = 50001,
};

enum sr_compat {
    SR_COMPAT_UNSET = -1,
    SR_COMPAT_NONE,
    SR_COMPAT_BACKWARD,
    SR_COMPAT_BACKWARD_TRANSITIVE,
    SR_COMPAT_FORWARD,
    SR_COMPAT_FORWARD_TRANSITIVE,
    SR_COMPAT_FULL,
    SR_COMPAT_FULL_TRANSITIVE,
};

enum sr_mode {
    SR_MODE_UNSET = -1,
    SR_MODE_READWRITE,
    SR_MODE_READONLY,
    SR_MODE_IMPORT,
};

/* Names as Confluent spells them; parse returns the UNSET value when the
 * name is unknown. */
const char *sr_compat_name(enum sr_compat c);
enum sr_compat sr_compat_parse(const char *s);
const char *sr_mode_name(enum sr_mode m);
enum sr_mode sr_mode_parse(const char *s);

/* How a topic's records name their subject (Confluent's strategies),
 * from "TopicNameStrategy" or a Java class name ending with it. */
enum sr_strategy { SR_TOPIC_NAME, SR_RECORD_NAME, SR_TOPIC_RECORD_NAME, SR_STRATEGY_UNKNOWN };
enum sr_strategy sr_strategy_parse(const char *s);

/* The schemas a schema refers to (Confluent's schema references),
 * resolved to their texts: names[i] is how the schema names texts[i] (an
 * Avro full name, a JSON Schema $ref URL, a .proto import path). A
 * referenced schema's own references come before it. */
struct sr_deps {
    size_t n;
    const char *const *names;
    const char *const *texts;
};
extern const struct sr_deps sr_no_deps;

/* A schema reference as Confluent stores and serves it: the schema names
 * `subject` at `version` as `name`. A version of -1 (latest) is pinned to
 * the number it has when the schema is registered. */
struct sr_ref {
    char *name, *subject;
    int32_t version;
};

struct sr_refs {
    size_t n;
    struct sr_ref *items;
};

void sr_refs_copy(struct sr_refs *dst, const struct sr_refs *src);   /* src NULL: none */
void sr_refs_free(struct sr_refs *refs);
bool sr_refs_equal(const struct sr_refs *a, const struct sr_refs *b);

/* What the registry needs from a schema format. The registry calls
 * these; it knows nothing of any format itself. */
struct sr_format {
    const char *type;          /* "AVRO", "JSON", "PROTOBUF" */
    /* The canonical text two schemas are compared by, malloc'd, or NULL
     * with a reason in err when the text is not a valid schema. */
    char *(*canonicalize)(const char *text, const struct sr_deps *deps, char *err, size_t errlen);
    /* Can data written with `writer` be read with `reader`, by the
     * format's compatibility rules? false with a reason in err when not.
     * Both are canonical texts, each with its own references. */
    bool (*can_read)(const char *reader, const struct sr_deps *reader_deps, const char *writer,
                     const struct sr_deps *writer_deps, char *err, size_t errlen);
    /* Full validation (sluice.*.schema.validation=full). checker_new
     * parses a schema once for checking data (NULL: cannot, and data pass
     * unchecked); datum_valid says whether p..p+len, what follows the
     * magic byte and schema id, is exactly one value of it, with the
     * reason in why when not. */
    void *(*checker_new)(const char *canonical, const struct sr_deps *deps);
    void (*checker_free)(void *checker);
    bool (*datum_valid)(const void *checker, const uint8_t *p, size_t len, char *why, size_t whylen);
    /* The text in a representation a client asks for with ?format=
     * (Protobuf's "serialized"), read with the schema's references,
     * malloc'd; NULL, or no render: the canonical text. */
    char *(*render)(const char *canonical, const struct sr_deps *deps, const char *format);
};

struct sr_schema {
    int32_t id;
    const struct sr_format *format;
    char *canonical;
    struct sr_refs refs;
    struct hnode by_id;
    struct hnode by_text;
};

struct sr_version {
    int32_t version;
    struct sr_schema *schema;
    bool deleted;              /* soft-deleted: kept, hidden unless asked for */
};

struct sr_subject {
    char *name;
    struct sr_version *versions;   /* in version order */
    size_t nversions, cap;
    enum sr_compat compat;         /* SR_COMPAT_UNSET: the global level */
    enum sr_mode mode;             /* SR_MODE_UNSET: the global mode */
    struct hnode node;
};

struct schema_registry {
    const struct sr_format *const *formats;   /* NULL-terminated */
    struct hmap subjects, ids, texts;
    int32_t max_id;                /* the highest id ever given */
    enum sr_compat compat;
    enum sr_mode mode;
};

/* formats: NULL-terminated; the first is the default type. */
void sr_init(struct schema_registry *r, const struct sr_format *const *formats);
void sr_free(struct schema_registry *r);
const struct sr_format *sr_format_by_type(const struct schema_registry *r, const char *type);

/* ---- reading ---- */
struct sr_subject *sr_subject(const struct schema_registry *r, const char *name);
struct sr_schema *sr_schema_by_id(const struct schema_registry *r, int32_t id);
/* refs NULL: none. */
struct sr_schema *sr_schema_by_text(const struct schema_registry *r, const struct sr_format *f, const char *canonical,
                                    const struct sr_refs *refs);
/* True when the subject has a version that is not soft-deleted. */
bool sr_subject_live(const struct sr_subject *s);
/* The subjects (sorted by name) with a live version, or with any version
 * when include_deleted; *n gets the count. Free the array, not the names. */
const char **sr_subjects(const struct schema_registry *r, bool include_deleted, size_t *n);
/* One version: number > 0, or -1 for the latest. Errors: 40401, 40402. */
enum sr_err sr_version_get(const struct schema_registry *r, const char *subject, int32_t version,
                           bool include_deleted, const struct sr_version **out);
/* The version of `subject` holding this schema text (parsed by `type`)
 * with these references (NULL: none). Errors: 40401, 40403, 42201. */
enum sr_err sr_lookup(const struct schema_registry *r, const char *subject, const char *type, const char *text,
                      const struct sr_refs *refs, bool include_deleted, const struct sr_version **out, char *err,
                      size_t errlen);
/* ---- references (registry_refs.c) ---- */
/* References resolved into what a format reads (struct sr_deps): every
 * schema they reach, transitively, a referenced schema's own references
 * first, each name once (the first binding wins, as in Confluent). The
 * texts point into the registry's state: valid until it next changes.
 * refs holds the top-level references with versions pinned (-1 made the
 * latest's number). */
struct sr_resolved {
    struct sr_deps deps;
    struct sr_refs refs;
    const char **names, **texts;
    size_t cap;
};
/* include_deleted: soft-deleted versions count (they do not for a new
 * registration, as in Confluent). Error 42201 with the reason in err
 * ("No schema reference found for subject ..."). */
enum sr_err sr_resolve(const struct schema_registry *r, const struct sr_refs *refs, bool include_deleted,
                       struct sr_resolved *out, char *err, size_t errlen);
void sr_resolved_free(struct sr_resolved *res);
/* Is a schema used by some version (a live one unless include_deleted)
 * of a subject other than except_subject (NULL: of any subject)? */
bool sr_schema_in_use(const struct schema_registry *r, const struct sr_schema *sc, bool include_deleted,
                      const char *except_subject);
/* The ids (ascending, malloc'd) of schemas that reference subject/version
 * and are used by a version (a live one unless include_deleted). */
int32_t *sr_referenced_by(const struct schema_registry *r, const char *subject, int32_t version,
                          bool include_deleted, size_t *n);

/* The level and mode in force for a subject (its own, else global). */
enum sr_compat sr_compat_for(const struct schema_registry *r, const char *subject);
enum sr_mode sr_mode_for(const struct schema_registry *r, const char *subject);

/* ---- registering ---- */
struct sr_register_req {
    const char *subject;
    const char *type;          /* NULL: the default format */
    const char *text;
    const struct sr_refs *refs;   /* NULL: none */
    int32_t id, version;       /* 0 unless importing (mode IMPORT) */
};

/* What a registration will do. existing: the subject already holds this
 * schema and nothing changes. Otherwise the caller stores and applies
 * (subject, version, id, canonical, refs). canonical and refs (versions
 * pinned) are owned by the plan. */
struct sr_register_plan {
    bool existing;
    int32_t id, version;
    const struct sr_format *format;
    char *canonical;
    struct sr_refs refs;
};

/* Checks mode, schema, references and compatibility. Errors: 42201, 409
 * (reason in err), 42205 (READONLY, or an id given outside IMPORT), 42202. */
enum sr_err sr_register_plan(const struct schema_registry *r, const struct sr_register_req *req,
                             struct sr_register_plan *plan, char *err, size_t errlen);
void sr_register_plan_free(struct sr_register_plan *plan);

/* Would `text` be accepted against the versions its level checks
 * (version -1: all that level checks; else that one version only)?
 * Errors: 40401, 40402, 42201; *compatible false with reasons in err. */
enum sr_err sr_check(const struct schema_registry *r, const char *subject, int32_t version, const char *type,
                     const char *text, const struct sr_refs *refs, bool *compatible, char *err, size_t errlen);

/* ---- deleting ----
 * Plans say which versions a delete touches, in *versions (malloc'd,
 * *n of them); applying is one sr_apply_delete per version. Errors:
 * 40401, 40402, 40404 (soft delete of what is soft-deleted), 40405 and
 * 40407 (permanent delete of what is not soft-deleted yet), 42205, and
 * 42206 when another schema references a version (one live, or any for
 * a permanent delete; a subject's own references to itself do not
 * count), with that version's key in err as Confluent names it:
 * {magic=1,keytype=SCHEMA,subject=S,version=V}. */
enum sr_err sr_delete_subject_plan(const struct schema_registry *r, const char *subject, bool permanent,
                                   int32_t **versions, size_t *n, char *err, size_t errlen);
enum sr_err sr_delete_version_plan(const struct schema_registry *r, const char *subject, int32_t version,
                                   bool permanent, int32_t *resolved, char *err, size_t errlen);

/* Setting IMPORT mode where versions exist needs force (42205 without). */
enum sr_err sr_mode_plan(const struct schema_registry *r, const char *subject, enum sr_mode m, bool force);

/* ---- applying (requests and log replay) ---- */
/* Adds (or, on replay, overwrites) subject/version -> schema id. The
 * schema with this id is created if new (refs NULL: none). false when
 * the id is taken by a different schema (a corrupt log) or the type is
 * unknown. */
bool sr_apply_schema(struct schema_registry *r, const char *subject, int32_t version, int32_t id,
                     const char *type, const char *canonical, const struct sr_refs *refs, bool deleted);
void sr_apply_delete(struct schema_registry *r, const char *subject, int32_t version, bool permanent);
/* subject NULL: the global setting. UNSET on a subject removes its own. */
void sr_apply_compat(struct schema_registry *r, const char *subject, enum sr_compat c);
void sr_apply_mode(struct schema_registry *r, const char *subject, enum sr_mode m);
#endif
