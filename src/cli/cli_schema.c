/* sluice schema: list, get, register, check and delete schemas in the
 * schema registry, through its REST API (Confluent's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "cli/cli_registry.h"
#include "core/sbuf.h"
#include "core/util.h"

/* Confluent's codes the delete action handles itself. */
enum {
    SR_CODE_SUBJECT_SOFT_DELETED = 40404,
    SR_CODE_VERSION_SOFT_DELETED = 40406,
};

static const char schema_help[] =
    "Usage: sluice schema list [SUBJECT] [--deleted]\n"
    "       sluice schema get SUBJECT [VERSION|latest]\n"
    "       sluice schema get --id ID\n"
    "       sluice schema register SUBJECT [--file FILE] [--type TYPE]\n"
    "                          [--reference NAME=SUBJECT:VERSION]...\n"
    "       sluice schema check SUBJECT [VERSION|latest] [--file FILE] [--type TYPE]\n"
    "                          [--reference NAME=SUBJECT:VERSION]...\n"
    "       sluice schema delete SUBJECT [VERSION|latest] [--permanent]\n"
    "\n"
    "Actions:\n"
    "  list          print the subjects, one per line; with SUBJECT, its\n"
    "                version numbers\n"
    "  get           print a subject's schema at VERSION (default latest), or\n"
    "                the schema with global id ID; Avro and JSON schemas are\n"
    "                pretty-printed\n"
    "  register      register the schema in FILE (or read from stdin) under\n"
    "                SUBJECT and print its global id (an identical schema\n"
    "                already registered keeps its id)\n"
    "  check         test whether the schema in FILE (or stdin) may be\n"
    "                registered under SUBJECT: against the versions its\n"
    "                compatibility level names, or against VERSION; prints\n"
    "                \"compatible\", or \"incompatible\" and the reasons\n"
    "  delete        soft-delete SUBJECT (every version) or one VERSION and\n"
    "                print the version numbers deleted; --permanent removes\n"
    "                them for good (soft-deleting them first if need be)\n"
    "\n"
    "Options:\n"
    "  -r, --registry URL    the schema registry (default:\n"
    "                        $SLUICE_SCHEMA_REGISTRY, else " CLI_DEFAULT_REGISTRY ")\n"
    "      --deleted         (list) include soft-deleted subjects or versions\n"
    "      --id ID           (get) the schema with this global id\n"
    "  -f, --file FILE       (register, check) the schema's text; - or no\n"
    "                        --file: stdin\n"
    "      --type TYPE       (register, check) AVRO (default), JSON or PROTOBUF\n"
    "      --reference NAME=SUBJECT:VERSION\n"
    "                        (register, check) a schema reference: the type\n"
    "                        or import NAME is SUBJECT's VERSION (repeatable)\n"
    "      --permanent       (delete) delete for good, not only soft\n"
    "  -t, --timeout-ms N    how long to wait for the registry (default: 4000\n"
    "                        to connect, 30000 for each request)\n"
    "  -v, --verbose         (get) also print subject, version, id and type on\n"
    "                        stderr\n"
    "  -h, --help            show this help\n"
    "\n"
    "Examples:\n"
    "  sluice schema register orders-value --file order.avsc\n"
    "  sluice schema list orders-value\n"
    "  sluice schema get orders-value 2\n"
    "  sluice schema check orders-value --file order-v3.avsc\n"
    "  sluice schema register orders-value --type PROTOBUF --file order.proto \\\n"
    "      --reference common/money.proto=money-value:1\n"
    "  sluice schema delete orders-value 1 --permanent\n"
    "\n"
    "Exit status: 0 success (check: compatible), 1 error or incompatible,\n"
    "2 usage error. Errors print the registry's error code and message.\n";

enum {
    OPT_DELETED = 256,
    OPT_ID,
    OPT_FILE,
    OPT_TYPE,
    OPT_REFERENCE,
    OPT_PERMANENT,
};
#define OPT_BIT(opt) (1u << ((opt) - OPT_DELETED))

struct schema_opts {
    char **args;              /* the operands after the action */
    int nargs;
    bool deleted;
    int64_t id;               /* --id, 0: not given */
    const char *file;
    const char *type;
    const char **references;  /* --reference NAME=SUBJECT:VERSION */
    size_t nreferences;
    bool permanent;
    unsigned given;           /* OPT_BIT of every option used */
};

struct schema_run {
    struct cli_common common;
    char cmd[32];             /* "schema ACTION", the message prefix */
    struct schema_opts opts;
    struct cli_registry registry;
};

struct schema_action {
    const char *name;
    unsigned options;         /* OPT_BITs allowed */
    int min_args;
    int max_args;
    int (*run)(struct schema_run *s);
};

/* ---- helpers ---- */

static int call(struct schema_run *s, const char *method, const char *path,
                json_t *body, json_t **reply)
{
    int code;

    return cli_registry_call(&s->common, &s->registry, method, path, body,
                             reply, 0, &code);
}

/* "/subjects/<escaped subject>" plus more, as a malloc'd path. */
static char *subject_path(struct schema_run *s, const char *subject,
                          const char *more)
{
    struct sbuf p = {0};
    char *escaped = cli_registry_escape(&s->registry, subject);

    sbuf_printf(&p, "/subjects/%s%s", escaped, more);
    free(escaped);
    return p.p;
}

/* A version operand: a number from 1, or "latest" (-1 for the registry). */
static bool parse_version(struct schema_run *s, const char *arg, char *out,
                          size_t size)
{
    int64_t v;

    if (strcmp(arg, "latest") == 0 || strcmp(arg, "-1") == 0) {
        snprintf(out, size, "latest");
        return true;
    }
    if (!cli_parse_int(&s->common, "VERSION", arg, 1, INT32_MAX, &v))
        return false;
    snprintf(out, size, "%lld", (long long)v);
    return true;
}

static void print_lines(json_t *array)
{
    size_t i;
    json_t *v;

    json_array_foreach(array, i, v) {
        if (json_is_string(v))
            puts(json_string_value(v));
        else if (json_is_integer(v))
            printf("%lld\n", (long long)json_integer_value(v));
    }
}

/* The schema's text: pretty JSON when it is JSON (Avro, JSON Schema), else
 * as registered (Protobuf). */
static void print_schema(const char *text)
{
    json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);
    char *pretty = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY) : NULL;

    if (pretty)
        puts(pretty);
    else
        printf("%s%s", text, *text && text[strlen(text) - 1] == '\n' ? "" : "\n");
    free(pretty);
    json_decref(doc);
}

/* The schema's text from --file, or stdin; NULL (reported) on error. */
static char *read_schema_text(struct schema_run *s)
{
    size_t len;
    char *text = cli_read_file(&s->common, s->opts.file, &len);

    if (text && !len) {
        cli_error(&s->common, "no schema in %s", s->opts.file && strcmp(s->opts.file, "-") ? s->opts.file : "stdin");
        free(text);
        return NULL;
    }
    return text;
}

/* {"name": NAME, "subject": SUBJECT, "version": VERSION} from
 * NAME=SUBJECT:VERSION (the subject may hold ':', the last one ends it). */
static json_t *parse_reference(struct schema_run *s, const char *arg)
{
    const char *eq = strchr(arg, '=');
    const char *colon = strrchr(arg, ':');
    int64_t version;

    if (!eq || eq == arg || !colon || colon < eq || colon == eq + 1) {
        cli_usage_error(&s->common, "--reference expects NAME=SUBJECT:VERSION, got '%s'", arg);
        return NULL;
    }
    if (!cli_parse_int(&s->common, "--reference's VERSION", colon + 1, 1, INT32_MAX, &version))
        return NULL;
    return json_pack("{s:s%, s:s%, s:I}", "name", arg, (size_t)(eq - arg), "subject", eq + 1,
                     (size_t)(colon - eq - 1), "version", (json_int_t)version);
}

/* The body register and check send: {"schema", "schemaType", "references"}.
 * NULL (reported) on a bad file or reference. */
static json_t *schema_body(struct schema_run *s, int *rc)
{
    char *text = read_schema_text(s);
    json_t *refs = json_array();

    *rc = CLI_EXIT_ERROR;
    if (!text) {
        json_decref(refs);
        return NULL;
    }
    for (size_t i = 0; i < s->opts.nreferences; i++) {
        json_t *ref = parse_reference(s, s->opts.references[i]);
        if (!ref) {
            *rc = CLI_EXIT_USAGE;
            json_decref(refs);
            free(text);
            return NULL;
        }
        json_array_append_new(refs, ref);
    }
    json_t *body = json_pack("{s:s}", "schema", text);
    free(text);
    /* Confluent's registry takes a missing schemaType as AVRO. */
    if (s->opts.type && strcmp(s->opts.type, "AVRO") != 0)
        json_object_set_new(body, "schemaType", json_string(s->opts.type));
    if (json_array_size(refs))
        json_object_set(body, "references", refs);
    json_decref(refs);
    return body;
}

/* ---- actions ---- */

static int schema_list(struct schema_run *s)
{
    const char *query = s->opts.deleted ? "?deleted=true" : "";
    char *path;
    json_t *reply;

    if (s->opts.nargs) {
        char more[64];
        snprintf(more, sizeof(more), "/versions%s", query);
        path = subject_path(s, s->opts.args[0], more);
    } else {
        struct sbuf p = {0};
        sbuf_printf(&p, "/subjects%s", query);
        path = p.p;
    }
    int rc = call(s, "GET", path, NULL, &reply);
    free(path);
    if (rc == CLI_EXIT_OK)
        print_lines(reply);
    json_decref(reply);
    return rc;
}

static int schema_get(struct schema_run *s)
{
    char path_buf[64], version[16] = "latest";
    char *path;
    json_t *reply;

    if (s->opts.given & OPT_BIT(OPT_ID)) {
        if (s->opts.nargs)
            return cli_usage_error(&s->common, "give --id or SUBJECT, not both");
        snprintf(path_buf, sizeof(path_buf), "/schemas/ids/%lld", (long long)s->opts.id);
        path = xstrdup(path_buf);
    } else if (!s->opts.nargs) {
        return cli_usage_error(&s->common, "missing SUBJECT (or --id ID)");
    } else {
        if (s->opts.nargs > 1 && !parse_version(s, s->opts.args[1], version, sizeof(version)))
            return CLI_EXIT_USAGE;
        snprintf(path_buf, sizeof(path_buf), "/versions/%s", version);
        path = subject_path(s, s->opts.args[0], path_buf);
    }
    int rc = call(s, "GET", path, NULL, &reply);
    free(path);
    const char *text = json_string_value(json_object_get(reply, "schema"));
    if (rc == CLI_EXIT_OK && !text) {
        cli_error(&s->common, "the registry's answer has no schema");
        rc = CLI_EXIT_ERROR;
    }
    if (rc == CLI_EXIT_OK) {
        const char *type = json_string_value(json_object_get(reply, "schemaType"));
        if (s->common.verbose && s->opts.nargs)
            fprintf(stderr, "subject %s version %lld id %lld type %s\n",
                    json_string_value(json_object_get(reply, "subject")),
                    (long long)json_integer_value(json_object_get(reply, "version")),
                    (long long)json_integer_value(json_object_get(reply, "id")),
                    type ? type : "AVRO");
        else if (s->common.verbose)
            fprintf(stderr, "id %lld type %s\n", (long long)s->opts.id, type ? type : "AVRO");
        print_schema(text);
    }
    json_decref(reply);
    return rc;
}

static int schema_register(struct schema_run *s)
{
    int rc;
    json_t *body = schema_body(s, &rc), *reply;

    if (!body)
        return rc;
    char *path = subject_path(s, s->opts.args[0], "/versions");
    rc = call(s, "POST", path, body, &reply);
    free(path);
    json_decref(body);
    if (rc == CLI_EXIT_OK)
        printf("%lld\n", (long long)json_integer_value(json_object_get(reply, "id")));
    json_decref(reply);
    return rc;
}

static int schema_check(struct schema_run *s)
{
    char version[16] = "", more[64];
    int rc;

    if (s->opts.nargs > 1 && !parse_version(s, s->opts.args[1], version, sizeof(version)))
        return CLI_EXIT_USAGE;
    json_t *body = schema_body(s, &rc), *reply;
    if (!body)
        return rc;
    /* Without a version the registry checks against the versions the
     * subject's compatibility level names (all of them when transitive). */
    struct sbuf p = {0};
    char *subject = cli_registry_escape(&s->registry, s->opts.args[0]);
    snprintf(more, sizeof(more), "%s%s?verbose=true", *version ? "/" : "", version);
    sbuf_printf(&p, "/compatibility/subjects/%s/versions%s", subject, more);
    free(subject);
    rc = call(s, "POST", p.p, body, &reply);
    free(p.p);
    json_decref(body);
    if (rc == CLI_EXIT_OK) {
        bool ok = json_is_true(json_object_get(reply, "is_compatible"));
        size_t i;
        json_t *m;
        puts(ok ? "compatible" : "incompatible");
        json_array_foreach(json_object_get(reply, "messages"), i, m) {
            if (json_is_string(m))
                printf("  %s\n", json_string_value(m));
        }
        rc = ok ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    }
    json_decref(reply);
    return rc;
}

static int schema_delete(struct schema_run *s)
{
    char version[16], more[64] = "";
    json_t *reply = NULL;
    int code;

    if (s->opts.nargs > 1) {
        if (!parse_version(s, s->opts.args[1], version, sizeof(version)))
            return CLI_EXIT_USAGE;
        snprintf(more, sizeof(more), "/versions/%s", version);
    }
    char *path = subject_path(s, s->opts.args[0], more);
    /* Confluent's registry deletes permanently only what is soft-deleted:
     * with --permanent, soft-delete first unless that is done already. */
    int already = s->opts.nargs > 1 ? SR_CODE_VERSION_SOFT_DELETED : SR_CODE_SUBJECT_SOFT_DELETED;
    int rc = cli_registry_call(&s->common, &s->registry, "DELETE", path, NULL, &reply,
                               s->opts.permanent ? already : 0, &code);
    if (rc != CLI_EXIT_OK && s->opts.permanent && code == already)
        rc = CLI_EXIT_OK;
    if (rc == CLI_EXIT_OK && s->opts.permanent) {
        struct sbuf p = {0};
        sbuf_printf(&p, "%s?permanent=true", path);
        json_decref(reply);
        rc = call(s, "DELETE", p.p, NULL, &reply);
        free(p.p);
    }
    free(path);
    if (rc == CLI_EXIT_OK) {
        if (json_is_array(reply))
            print_lines(reply);
        else if (json_is_integer(reply))
            printf("%lld\n", (long long)json_integer_value(reply));
    }
    json_decref(reply);
    return rc;
}

static const struct schema_action actions[] = {
    {"list", OPT_BIT(OPT_DELETED), 0, 1, schema_list},
    {"get", OPT_BIT(OPT_ID), 0, 2, schema_get},
    {"register", OPT_BIT(OPT_FILE) | OPT_BIT(OPT_TYPE) | OPT_BIT(OPT_REFERENCE), 1, 1,
     schema_register},
    {"check", OPT_BIT(OPT_FILE) | OPT_BIT(OPT_TYPE) | OPT_BIT(OPT_REFERENCE), 1, 2,
     schema_check},
    {"delete", OPT_BIT(OPT_PERMANENT), 1, 2, schema_delete},
};

static const struct schema_action *find_action(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(actions); i++)
        if (strcmp(actions[i].name, name) == 0)
            return &actions[i];
    return NULL;
}

/* ---- options ---- */

static const struct option schema_longopts[] = {
    {"help", no_argument, NULL, 'h'},
    {"verbose", no_argument, NULL, 'v'},
    {"registry", required_argument, NULL, 'r'},
    {"deleted", no_argument, NULL, OPT_DELETED},
    {"id", required_argument, NULL, OPT_ID},
    {"file", required_argument, NULL, 'f'},
    {"type", required_argument, NULL, OPT_TYPE},
    {"reference", required_argument, NULL, OPT_REFERENCE},
    {"permanent", no_argument, NULL, OPT_PERMANENT},
    {"timeout-ms", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

static bool take_schema_option(struct cli_common *c, void *opts, int opt,
                               const char *arg)
{
    struct schema_run *s = opts;
    struct schema_opts *o = &s->opts;
    int64_t ms;

    switch (opt) {
    case 'r':
        s->registry.url = arg;
        s->registry.url_from = "from --registry";
        return true;
    case 't':
        if (!cli_parse_int(c, "--timeout-ms", arg, 1, INT32_MAX, &ms))
            return false;
        s->registry.connect_timeout_ms = ms;
        s->registry.request_timeout_ms = ms;
        return true;
    case 'f':
        opt = OPT_FILE;
        o->file = arg;
        break;
    case OPT_DELETED:
        o->deleted = true;
        break;
    case OPT_ID:
        if (!cli_parse_int(c, "--id", arg, 1, INT32_MAX, &o->id))
            return false;
        break;
    case OPT_TYPE:
        if (strcmp(arg, "AVRO") && strcmp(arg, "JSON") && strcmp(arg, "PROTOBUF"))
            return cli_invalid(c, "--type must be AVRO, JSON or PROTOBUF, not '%s'", arg);
        o->type = arg;
        break;
    case OPT_REFERENCE:
        o->references[o->nreferences++] = arg;
        break;
    case OPT_PERMANENT:
        o->permanent = true;
        break;
    default:
        return cli_invalid(c, "unknown option");
    }
    o->given |= OPT_BIT(opt);
    return true;
}

/* Rejects options the action does not take and a wrong operand count. */
static int check_args(struct schema_run *s, const struct schema_action *a)
{
    unsigned wrong = s->opts.given & ~a->options;

    for (const struct option *lo = schema_longopts; lo->name; lo++)
        if (lo->val >= OPT_DELETED && (wrong & OPT_BIT(lo->val)))
            return cli_usage_error(&s->common, "--%s does not apply to %s", lo->name, a->name);
    if ((wrong & OPT_BIT(OPT_FILE)))
        return cli_usage_error(&s->common, "--file does not apply to %s", a->name);
    if (s->opts.nargs < a->min_args)
        return cli_usage_error(&s->common, "missing SUBJECT");
    if (s->opts.nargs > a->max_args)
        return cli_usage_error(&s->common, "unexpected argument '%s'", s->opts.args[a->max_args]);
    return CLI_EXIT_OK;
}

int cli_schema_main(int argc, char **argv)
{
    struct schema_run s;
    const struct schema_action *a = NULL;

    memset(&s, 0, sizeof(s));
    cli_common_init(&s.common, "schema", argc);
    cli_registry_init(&s.registry);
    s.opts.references = xcalloc((size_t)argc + 1, sizeof(*s.opts.references));
    if (argc > 1 && find_action(argv[1])) {
        snprintf(s.cmd, sizeof(s.cmd), "schema %s", argv[1]);
        s.common.cmd = s.cmd;
    }
    /* No -b or -X: the registry is reached over HTTP, not librdkafka. */
    int rc = cli_parse_options(&s.common, argc, argv, ":hvr:f:t:", schema_longopts,
                               take_schema_option, &s);
    if (rc == CLI_EXIT_OK && s.common.help) {
        fputs(schema_help, stdout);
    } else if (rc == CLI_EXIT_OK && optind >= argc) {
        rc = cli_usage_error(&s.common, "missing action: list, get, register, check or delete");
    } else if (rc == CLI_EXIT_OK && !(a = find_action(argv[optind]))) {
        rc = cli_usage_error(&s.common, "unknown action '%s'", argv[optind]);
    } else if (rc == CLI_EXIT_OK) {
        snprintf(s.cmd, sizeof(s.cmd), "schema %s", a->name);
        s.common.cmd = s.cmd;
        s.opts.args = argv + optind + 1;
        s.opts.nargs = argc - optind - 1;
        rc = check_args(&s, a);
        if (rc == CLI_EXIT_OK)
            rc = a->run(&s);
    }
    cli_registry_free(&s.registry);
    free(s.opts.references);
    cli_common_free(&s.common);
    return rc;
}
