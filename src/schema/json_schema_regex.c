/* JSON Schema patterns (ECMA-262 regular expressions) as POSIX extended
 * ones compiled by glibc's regcomp. glibc builds a pattern by copying the
 * tree under each repetition and computes closures over nested ones, so
 * large or deeply nested repetitions take exponential memory or time: a
 * pattern is refused before regcomp sees it when it repeats a repetition
 * directly ("a++", an error in ECMA too), nests repetitions more than
 * three deep, or would expand past MAX_NODES; and so is a backreference,
 * which makes matching backtrack. */
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/json_schema_internal.h"

enum { MAX_NODES = 20000, MAX_GROUPS = 64, MAX_NESTED_REPEATS = 3 };

/* How a {n}, {n,}, {n,m} at p repeats what it follows (its end in *end),
 * or 0 when p is not a repetition (then '{' is a literal). */
static double brace_factor(const char *p, const char **end)
{
    char *e;
    if (p[1] < '0' || p[1] > '9')
        return 0;
    double lo = strtod(p + 1, &e), hi = lo;
    if (*e == ',') {
        hi = e[1] >= '0' && e[1] <= '9' ? strtod(e + 1, &e) : lo + 1;
    }
    if (*e != '}')
        return 0;
    *end = e;
    return hi > lo ? hi : lo > 1 ? lo : 1;
}

/* The end of a bracket expression starting at p (its ']'), or NULL. */
static const char *class_end(const char *p)
{
    p += p[1] == '^' ? 2 : 1;
    if (*p == ']')   /* a ']' first is a member */
        p++;
    while (*p && *p != ']')
        p++;
    return *p ? p : NULL;
}

/* One group's running figures: the nodes regcomp would build for it,
 * roughly (each atom one, a repetition multiplying what it follows), and
 * how deep repetitions nest in it. */
struct group {
    double nodes;
    int repeats;
};

/* Whether a POSIX pattern is one regcomp can build and run in bounded
 * time and memory (see the top of the file). */
static bool within_bounds(const char *p)
{
    struct group g[MAX_GROUPS + 1] = {{0, 0}};
    int depth = 0;
    double last = 0;          /* nodes of the atom a repetition would apply to */
    int last_repeats = 0;     /* and how deep repetitions nest in it */
    bool after_repeat = false;
    for (; *p; p++) {
        double factor = 0;
        const char *end = p;
        if (*p == '*' || *p == '+' || *p == '?')
            factor = 2;
        else if (*p == '{' && (factor = brace_factor(p, &end)) > 0)
            p = end;
        if (factor > 0) {
            if (after_repeat || ++last_repeats > MAX_NESTED_REPEATS)
                return false;
            g[depth].nodes += last * (factor - 1);
            last *= factor;
            if (last_repeats > g[depth].repeats)
                g[depth].repeats = last_repeats;
            after_repeat = true;
        } else {
            after_repeat = false;
            last = 1;
            last_repeats = 0;
            if (*p == '\\' && p[1] >= '1' && p[1] <= '9')
                return false;
            if (*p == '\\' && p[1]) {
                p++;
            } else if (*p == '[') {
                if (!(p = class_end(p)))
                    return true;   /* unterminated: regcomp refuses it */
            } else if (*p == '(') {
                if (depth == MAX_GROUPS)
                    return false;
                g[++depth] = (struct group){0, 0};
                last = 0;
                continue;
            } else if (*p == ')' && depth > 0) {
                last = g[depth].nodes;
                last_repeats = g[depth].repeats;
                depth--;
                if (last_repeats > g[depth].repeats)
                    g[depth].repeats = last_repeats;
            } else if (*p == '|') {
                last = 0;
                continue;
            }
            g[depth].nodes += last;
        }
        if (g[depth].nodes > MAX_NODES)
            return false;
    }
    return true;
}

bool js_regex_compile(regex_t *re, const char *pattern)
{
    /* \d and \D are ECMA's digit classes, which POSIX lacks; a '?' after
     * a repetition makes it lazy in ECMA, which changes what it captures
     * but not whether the pattern matches: dropped. */
    size_t n = strlen(pattern);
    char *posix = xmalloc(n * 6 + 1), *o = posix;
    bool in_class = false, after_repeat = false;
    for (size_t i = 0; i < n; i++) {
        const char *end = pattern + i;
        bool repeat = false;
        if (pattern[i] == '\\' && i + 1 < n && pattern[i + 1] == 'd') {
            o = stpcpy(o, in_class ? "0-9" : "[0-9]");
            i++;
        } else if (pattern[i] == '\\' && i + 1 < n && pattern[i + 1] == 'D' && !in_class) {
            o = stpcpy(o, "[^0-9]");
            i++;
        } else if (pattern[i] == '[' || pattern[i] == ']') {
            in_class = pattern[i] == '[';
            *o++ = pattern[i];
        } else if (pattern[i] == '\\' && i + 1 < n) {
            *o++ = pattern[i++];
            *o++ = pattern[i];
        } else if (!in_class && pattern[i] == '?' && after_repeat) {
            after_repeat = false;   /* lazy */
            continue;
        } else if (!in_class && pattern[i] == '{' && brace_factor(pattern + i, &end) > 0) {
            size_t len = (size_t)(end - (pattern + i)) + 1;
            memcpy(o, pattern + i, len);
            o += len;
            i += len - 1;
            repeat = true;
        } else {
            repeat = !in_class && (pattern[i] == '*' || pattern[i] == '+' || pattern[i] == '?');
            *o++ = pattern[i];
        }
        after_repeat = repeat;
    }
    *o = '\0';
    bool ok = within_bounds(posix) && regcomp(re, posix, REG_EXTENDED | REG_NOSUB) == 0;
    free(posix);
    return ok;
}

bool js_regex_search(const char *pattern, const char *s)
{
    regex_t re;
    if (!js_regex_compile(&re, pattern))
        return false;
    bool found = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return found;
}
