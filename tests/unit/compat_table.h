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

/* Registers each schema of history in turn under NONE, then asks whether
 * `next` would be accepted at `level`. Texts go through prepare (a
 * malloc'd rewrite) when there is one. */
static inline bool compat_accepted(const struct sr_format *const *formats, char *(*prepare)(const char *),
                                   const char *const *history, size_t n, const char *next, enum sr_compat level,
                                   char *err, size_t errlen)
{
    struct schema_registry r;
    sr_init(&r, formats);
    sr_apply_compat(&r, NULL, SR_COMPAT_NONE);
    for (size_t i = 0; i < n; i++) {
        char *text = prepare ? prepare(history[i]) : xstrdup(history[i]);
        struct sr_register_req req = {.subject = "s", .type = formats[0]->type, .text = text};
        struct sr_register_plan plan;
        if (sr_register_plan(&r, &req, &plan, err, errlen) != SR_OK)
            fail_msg("history %zu does not register: %s", i, err);
        sr_apply_schema(&r, "s", plan.version, plan.id, plan.format->type, plan.canonical, &plan.refs, false);
        sr_register_plan_free(&plan);
        free(text);
    }
    sr_apply_compat(&r, "s", level);
    char *text = prepare ? prepare(next) : xstrdup(next);
    bool ok;
    assert_int_equal(sr_check(&r, "s", -1, formats[0]->type, text, NULL, &ok, err, errlen), SR_OK);
    free(text);
    sr_free(&r);
    return ok;
}

/* Every case at every level; prints each wrong answer, returns how many. */
static inline int compat_table_failures(const struct sr_format *const *formats, char *(*prepare)(const char *),
                                        const struct evolution *cases, size_t n)
{
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const struct evolution *c = &cases[i];
        for (enum sr_compat level = SR_COMPAT_NONE; level <= SR_COMPAT_FULL_TRANSITIVE; level++) {
            char err[1024] = "";
            bool got = compat_accepted(formats, prepare, &c->old, 1, c->new, level, err, sizeof(err));
            if (got != compat_expected_at(level, c->backward, c->forward)) {
                print_error("case \"%s\" at %s: got %s (%s)\n", c->name, sr_compat_name(level),
                            got ? "compatible" : "incompatible", err);
                failures++;
            }
        }
    }
    return failures;
}
#endif
