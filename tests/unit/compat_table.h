/* The registry side of the compatibility tables (test_schema_*_compat.c):
 * each case is an old and a new schema with two answers written from the
 * format's documentation,
 *   backward: the new schema reads data written with the old one;
 *   forward:  the old schema reads data written with the new one;
 * and is checked at every level through sr_register_plan and sr_check.
 * A level expects: NONE true; BACKWARD(_TRANSITIVE) backward;
 * FORWARD(_TRANSITIVE) forward; FULL(_TRANSITIVE) both. */
#ifndef COMPAT_TABLE_H
#define COMPAT_TABLE_H
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "core/util.h"
#include "schema/registry.h"

struct evolution {
    const char *name, *old, *new;
    bool backward, forward;
};

static inline bool compat_expected_at(enum sr_compat level, bool backward, bool forward)
{
    switch (level) {
    case SR_COMPAT_BACKWARD:
    case SR_COMPAT_BACKWARD_TRANSITIVE: return backward;
    case SR_COMPAT_FORWARD:
    case SR_COMPAT_FORWARD_TRANSITIVE: return forward;
    case SR_COMPAT_FULL:
    case SR_COMPAT_FULL_TRANSITIVE: return backward && forward;
    default: return true;
    }
}

/* Registers a schema of the registry's first format under subject, with
 * refs (NULL: none). The text goes through prepare (a malloc'd rewrite)
 * when there is one. */
static inline void compat_register(struct schema_registry *r, char *(*prepare)(const char *), const char *subject,
                                   const char *schema, const struct sr_refs *refs, char *err, size_t errlen)
{
    char *text = prepare ? prepare(schema) : xstrdup(schema);
    struct sr_register_req req = {.subject = subject, .type = r->formats[0]->type, .text = text, .refs = refs};
    struct sr_register_plan plan;
    if (sr_register_plan(r, &req, &plan, err, errlen) != SR_OK)
        fail_msg("%s does not register under %s: %s", schema, subject, err);
    sr_apply_schema(r, subject, plan.version, plan.id, plan.format->type, plan.canonical, &plan.refs, false);
    sr_register_plan_free(&plan);
    free(text);
}

/* Registers each schema of history in turn under NONE, then asks whether
 * `next` would be accepted at `level`. */
static inline bool compat_accepted(const struct sr_format *const *formats, char *(*prepare)(const char *),
                                   const char *const *history, size_t n, const char *next, enum sr_compat level,
                                   char *err, size_t errlen)
{
    struct schema_registry r;
    sr_init(&r, formats);
    sr_apply_compat(&r, NULL, SR_COMPAT_NONE);
    for (size_t i = 0; i < n; i++)
        compat_register(&r, prepare, "s", history[i], NULL, err, errlen);
    sr_apply_compat(&r, "s", level);
    char *text = prepare ? prepare(next) : xstrdup(next);
    bool ok;
    assert_int_equal(sr_check(&r, "s", -1, formats[0]->type, text, NULL, &ok, err, errlen), SR_OK);
    free(text);
    sr_free(&r);
    return ok;
}

/* Evolution through a reference: the user schema refers to a type of
 * subject "ref" (naming it `name`, as the format does: an Avro full name,
 * a .proto import path). */
struct compat_reference {
    const char *name, *user;
};

/* A case's old and new are versions 1 and 2 of "ref"; the user schema is
 * registered referencing version 1, and the same text moved to version 2
 * is checked at `level`. Each side is read with its own reference, so the
 * answers are those of the referenced type changing in place. */
static inline bool compat_accepted_by_reference(const struct sr_format *const *formats,
                                                char *(*prepare)(const char *), const struct compat_reference *via,
                                                const struct evolution *c, enum sr_compat level, char *err,
                                                size_t errlen)
{
    struct schema_registry r;
    sr_init(&r, formats);
    sr_apply_compat(&r, NULL, SR_COMPAT_NONE);
    compat_register(&r, prepare, "ref", c->old, NULL, err, errlen);
    compat_register(&r, prepare, "ref", c->new, NULL, err, errlen);
    struct sr_ref ref = {(char *)via->name, "ref", 1};
    struct sr_refs refs = {1, &ref};
    compat_register(&r, prepare, "s", via->user, &refs, err, errlen);
    sr_apply_compat(&r, "s", level);
    ref.version = 2;
    char *text = prepare ? prepare(via->user) : xstrdup(via->user);
    bool ok;
    assert_int_equal(sr_check(&r, "s", -1, formats[0]->type, text, &refs, &ok, err, errlen), SR_OK);
    free(text);
    sr_free(&r);
    return ok;
}

/* Every case at every level, directly (via NULL) or through a reference;
 * prints each wrong answer, returns how many. */
static inline int compat_reference_failures(const struct sr_format *const *formats, char *(*prepare)(const char *),
                                            const struct compat_reference *via, const struct evolution *cases,
                                            size_t n)
{
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const struct evolution *c = &cases[i];
        for (enum sr_compat level = SR_COMPAT_NONE; level <= SR_COMPAT_FULL_TRANSITIVE; level++) {
            char err[1024] = "";
            bool got = via ? compat_accepted_by_reference(formats, prepare, via, c, level, err, sizeof(err))
                           : compat_accepted(formats, prepare, &c->old, 1, c->new, level, err, sizeof(err));
            if (got != compat_expected_at(level, c->backward, c->forward)) {
                print_error("case \"%s\" at %s: got %s (%s)\n", c->name, sr_compat_name(level),
                            got ? "compatible" : "incompatible", err);
                failures++;
            }
        }
    }
    return failures;
}
static inline int compat_table_failures(const struct sr_format *const *formats, char *(*prepare)(const char *),
                                        const struct evolution *cases, size_t n)
{
    return compat_reference_failures(formats, prepare, NULL, cases, n);
}
#endif
