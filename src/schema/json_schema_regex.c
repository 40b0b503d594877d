/* JSON Schema patterns (ECMA-262 regular expressions) as POSIX extended
 * ones compiled by glibc's regcomp. glibc builds a pattern by copying the
 * tree under each repetition, so stacked or nested repetitions
 * ("a+++", "(a{999}){999}") take memory exponentially: a pattern whose
 * copies would pass a bound is refused before regcomp sees it, and so
 * are backreferences, which make matching exponential. */
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/json_schema_internal.h"

enum { MAX_NODES = 20000, MAX_GROUPS = 64 };

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
        if (e[0] == ',')
            e++;
    }
    if (*e != '}')
        return 0;
    *end = e;
    return hi > lo ? hi : lo > 1 ? lo : 1;
}

/* The nodes regcomp would build, roughly: each atom one, a repetition
 * multiplying what it follows. false past MAX_NODES, or for a backreference. */
static bool within_bounds(const char *p)
{
    double total[MAX_GROUPS + 1] = {0}, last = 0;
    int depth = 0;
    for (; *p; p++) {
        double factor = 0;
        const char *end = p;
        if (*p == '\\') {
            if (p[1] >= '1' && p[1] <= '9')
                return false;
            if (p[1])
                p++;
            total[depth] += last = 1;
        } else if (*p == '[') {
            p += p[1] == '^' ? 2 : 1;   /* a ']' first is a member */
            if (*p == ']')
                p++;
            while (*p && *p != ']')
                p++;
            if (!*p)
                return true;   /* unterminated: regcomp refuses it */
            total[depth] += last = 1;
        } else if (*p == '(') {
            if (depth == MAX_GROUPS)
                return false;
            total[++depth] = 0;
            last = 0;
        } else if (*p == ')' && depth > 0) {
            last = total[depth--];
            total[depth] += last;
        } else if (*p == '|') {
            last = 0;
        } else if (*p == '*' || *p == '+' || *p == '?') {
            factor = 2;
        } else if (*p == '{' && (factor = brace_factor(p, &end)) > 0) {
            p = end;
        } else {
            total[depth] += last = 1;
        }
        if (factor > 0) {
            total[depth] += last * (factor - 1);
            last *= factor;
        }
        if (total[depth] > MAX_NODES)
            return false;
    }
    return true;
}

bool js_regex_compile(regex_t *re, const char *pattern)
{
    if (!within_bounds(pattern))
        return false;
    /* \d and \D are ECMA's digit classes; POSIX has none. */
    size_t n = strlen(pattern);
    char *posix = xmalloc(n * 6 + 1), *o = posix;
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
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
        } else {
            *o++ = pattern[i];
        }
    }
    *o = '\0';
    int rc = regcomp(re, posix, REG_EXTENDED | REG_NOSUB);
    free(posix);
    return rc == 0;
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
