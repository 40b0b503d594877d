#include "broker/config_help.h"
#include <string.h>
#include "broker/config.h"

#define WIDTH 80
#define DOC_INDENT 6

bool config_prop_hidden(const char *name) { return strncmp(name, "sluice.test.", 12) == 0; }

/* Areas in the order printed; a property goes to the first area one of
 * whose prefixes starts its name (an exact name is its own prefix). */
static const struct area {
    const char *title;
    const char *prefixes[16];   /* NULL-terminated */
} areas[] = {
    {"Listeners and connections",
     {"listeners", "listener.", "advertised.listeners", "socket.", "connections.", "max.connections", "queued."}},
    {"HTTP: metrics, health probes, admin API, console", {"http."}},
    {"Schema registry", {"schema.registry.", "confluent."}},
    {"Storage and topics",
     {"log.dir", "node.id", "broker.id", "num.partitions", "default.replication.factor", "auto.create.",
      "delete.topic.", "message.max.bytes", "min.insync.replicas", "compression.type", "log.message.",
      "log.index."}},
    {"Retention and segments", {"log.retention.", "log.segment.", "log.roll.", "log.cleanup."}},
    {"Consumer groups and committed offsets", {"group.", "offsets."}},
    {"Producers", {"producer.", "transaction"}},
    {"Logging and diagnostics", {"log.level", "log.format", "sluice.slow."}},
};
#define NAREAS (sizeof(areas) / sizeof(areas[0]))

static int area_of(const char *name)
{
    for (size_t a = 0; a < NAREAS; a++)
        for (const char *const *p = areas[a].prefixes; *p; p++)
            if (strncmp(name, *p, strlen(*p)) == 0)
                return (int)a;
    return (int)NAREAS;   /* Other */
}

/* Prints text word-wrapped at WIDTH: the first line indented by first,
 * the others by indent. */
static void print_wrapped_hang(FILE *out, const char *text, int first, int indent)
{
    bool started = false;
    int col = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (!len)
            break;
        if (col && col + 1 + (int)len > WIDTH) {
            fputc('\n', out);
            col = 0;
        }
        if (!col) {
            col = fprintf(out, "%*s", started ? indent : first, "");
            started = true;
        }
        else
            col += fprintf(out, " ");
        col += fprintf(out, "%.*s", (int)len, p);
        p += len;
    }
    if (col)
        fputc('\n', out);
}

static void print_wrapped(FILE *out, const char *text, int indent) { print_wrapped_hang(out, text, indent, indent); }

static void print_prop(FILE *out, const char *name, const char *def_label, const char *def, const char *doc)
{
    char head[256];
    if (def && *def)
        snprintf(head, sizeof(head), "%s (%s %s)", name, def_label, def);
    else
        snprintf(head, sizeof(head), "%s", name);
    print_wrapped_hang(out, head, 2, 4);
    print_wrapped(out, doc, DOC_INDENT);
}

void config_print_help(FILE *out)
{
    fprintf(out, "usage: sluice serve [FILE] [--name=value ...]\n\n");
    print_wrapped(out,
                  "Properties use Kafka's names. Lowest precedence first: the defaults below, "
                  "FILE (name=value lines), SLUICE_* environment variables "
                  "(SLUICE_LOG_DIRS=/var/lib/sluice sets log.dirs), --name=value options.",
                  0);
    for (size_t a = 0; a <= NAREAS; a++) {
        bool any = false;
        for (int i = 0; i < P__COUNT; i++) {
            const struct prop_def *d = &broker_prop_defs[i];
            if (config_prop_hidden(d->name) || area_of(d->name) != (int)a)
                continue;
            if (!any)
                fprintf(out, "\n%s\n", a < NAREAS ? areas[a].title : "Other");
            any = true;
            print_prop(out, d->name, "default", d->def, d->doc);
        }
    }
    fprintf(out, "\nTopic configs (CreateTopics, AlterConfigs)\n");
    print_wrapped(out, "Each defaults to the broker property named in brackets.", 2);
    for (int i = 0; i < T__COUNT; i++) {
        const struct prop_def *d = &topic_prop_defs[i];
        print_prop(out, d->name, "from", broker_prop_defs[d->synonym].name, d->doc);
    }
    fprintf(out, "\nExample:\n  sluice serve --log.dirs=/var/lib/sluice --num.partitions=3\n");
}
