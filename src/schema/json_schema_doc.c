/* JSON Schema documents: parsing a schema with its references, following
 * $ref, and comparing values the way the specification does. */
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "schema/json_schema_internal.h"

enum js_draft js_draft_of(json_t *root)
{
    const char *uri = json_is_object(root) ? json_string_value(json_object_get(root, "$schema")) : NULL;
    if (!uri)
        return json_is_object(root) && json_object_get(root, "$schema") ? JS_DRAFT_UNKNOWN : JS_DRAFT7;
    static const struct {
        const char *mark;
        enum js_draft draft;
    } known[] = {{"draft-04/schema", JS_DRAFT4}, {"draft-06/schema", JS_DRAFT6}, {"draft-07/schema", JS_DRAFT7},
                 {"2019-09/schema", JS_DRAFT2019}, {"2020-12/schema", JS_DRAFT2020}};
    if (strncmp(uri, "http://json-schema.org/", 23) != 0 && strncmp(uri, "https://json-schema.org/", 24) != 0)
        return JS_DRAFT_UNKNOWN;
    for (size_t i = 0; i < ARRAY_LEN(known); i++)
        if (strstr(uri, known[i].mark))
            return known[i].draft;
    return JS_DRAFT_UNKNOWN;
}

bool js_doc_load(struct js_doc *d, const char *text, const struct sr_deps *deps, char *err, size_t errlen)
{
    memset(d, 0, sizeof(*d));
    json_error_t je;
    d->root = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!d->root) {
        snprintf(err, errlen, "invalid JSON: %s at line %d column %d", je.text, je.line, je.column);
        return false;
    }
    d->draft = js_draft_of(d->root);
    d->ndeps = deps->n;
    d->dep_names = xcalloc(deps->n ? deps->n : 1, sizeof(*d->dep_names));
    d->dep_roots = xcalloc(deps->n ? deps->n : 1, sizeof(*d->dep_roots));
    for (size_t i = 0; i < deps->n; i++) {
        d->dep_names[i] = xstrdup(deps->names[i]);
        d->dep_roots[i] = json_loads(deps->texts[i], JSON_DECODE_ANY, &je);
        if (!d->dep_roots[i]) {
            snprintf(err, errlen, "the reference %s is not valid JSON: %s", deps->names[i], je.text);
            js_doc_free(d);
            return false;
        }
    }
    return true;
}

void js_doc_free(struct js_doc *d)
{
    json_decref(d->root);
    for (size_t i = 0; i < d->ndeps && d->dep_roots; i++) {
        json_decref(d->dep_roots[i]);
        free(d->dep_names[i]);
    }
    free(d->dep_roots);
    free(d->dep_names);
    memset(d, 0, sizeof(*d));
}

/* Follows a JSON pointer ("/definitions/a~1b") from root. */
static json_t *pointer(json_t *root, const char *ptr)
{
    json_t *at = root;
    while (at && *ptr == '/') {
        ptr++;
        size_t n = strcspn(ptr, "/");
        char *tok = xmalloc(n + 1), *o = tok;
        for (size_t i = 0; i < n; i++) {
            if (ptr[i] == '~' && i + 1 < n && (ptr[i + 1] == '0' || ptr[i + 1] == '1')) {
                *o++ = ptr[i + 1] == '0' ? '~' : '/';
                i++;
            } else {
                *o++ = ptr[i];
            }
        }
        *o = '\0';
        if (json_is_object(at)) {
            at = json_object_get(at, tok);
        } else if (json_is_array(at)) {
            char *end;
            unsigned long idx = strtoul(tok, &end, 10);
            at = *tok && !*end ? json_array_get(at, idx) : NULL;
        } else {
            at = NULL;
        }
        free(tok);
        ptr += n;
    }
    return *ptr ? NULL : at;
}

bool js_resolve(const struct js_doc *d, json_t *root, const char *ref, struct js_node *out)
{
    const char *hash = strchr(ref, '#');
    size_t base_len = hash ? (size_t)(hash - ref) : strlen(ref);
    json_t *doc = root;
    const char *id = json_string_value(json_object_get(root, "$id"));
    if (base_len && !(id && strlen(id) == base_len && strncmp(id, ref, base_len) == 0)) {
        /* not the document itself (named by its $id): one of its references */
        doc = NULL;
        for (size_t i = 0; i < d->ndeps && !doc; i++)
            if (strlen(d->dep_names[i]) == base_len && strncmp(d->dep_names[i], ref, base_len) == 0)
                doc = d->dep_roots[i];
        /* a reference named with its fragment, as some clients register it */
        for (size_t i = 0; i < d->ndeps && !doc; i++)
            if (strcmp(d->dep_names[i], ref) == 0)
                return (*out = (struct js_node){d->dep_roots[i], d->dep_roots[i]}), true;
        if (!doc)
            return false;
    }
    json_t *at = pointer(doc, hash ? hash + 1 : "");
    if (!at)
        return false;
    *out = (struct js_node){at, doc};
    return true;
}

struct js_items js_items_of(json_t *node)
{
    json_t *items = json_object_get(node, "items"), *prefix = json_object_get(node, "prefixItems");
    if (json_is_array(prefix))
        return (struct js_items){NULL, prefix, items};
    if (json_is_array(items))
        return (struct js_items){NULL, items, json_object_get(node, "additionalItems")};
    return (struct js_items){items, NULL, json_object_get(node, "additionalItems")};
}

bool js_equal(json_t *a, json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!js_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v) {
            json_t *w = json_object_get(b, k);
            if (!w || !js_equal(v, w))
                return false;
        }
        return true;
    }
    return json_equal(a, b);
}
