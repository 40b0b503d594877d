/* sluice consume: its help and the options it takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_consume.h"
#include "core/util.h"

static const char consume_help[] =
    "Usage: sluice consume TOPIC [OPTIONS]\n"
    "\n"
    "Print the records of TOPIC on standard output, one line per record: by\n"
    "default only the value, as kafka-console-consumer and kcat do.\n"
    "Without --group every partition (or the one given by --partition) is\n"
    "read directly and nothing is committed; with --group the consumer joins\n"
    "that group, reads the partitions it is assigned and commits offsets.\n"
    "\n"
    "Options:\n"
    "  -o, --from WHERE      where to start (default: beginning):\n"
    "                          beginning     the oldest record\n"
    "                          end           only records produced from now on\n"
    "                          OFFSET        this offset in each partition\n"
    "                          -N            the last N records of each partition\n"
    "                          @TIMESTAMP_MS the first record at or after this\n"
    "                                        time (ms since the epoch)\n"
    "                        with --group only beginning or end, and only for a\n"
    "                        group that has no committed offset yet\n"
    "  -p, --partition N     read only partition N (not with --group)\n"
    "  -c, --count N         exit after N records\n"
    "  -t, --timeout-ms N    exit after N ms without a record once every\n"
    "                        partition has been read to its end, counted from\n"
    "                        when the partitions are assigned (a group's first\n"
    "                        join can take seconds); if the end is not reached\n"
    "                        by then, exit with status 1; also how long to wait\n"
    "                        for the broker (default: run until Ctrl-C or\n"
    "                        --count; 4000 ms to connect)\n"
    "  -f, --format value|text|json\n"
    "                        value: the value only (the default); text: every\n"
    "                        field; json: one object per record\n"
    "      --print-partition, --print-offset, --print-timestamp, --print-key,\n"
    "      --print-headers   add this field before the value (text format)\n"
    "  -g, --group ID        consume as a member of consumer group ID\n" CLI_COMMON_HELP
    "\n"
    "Value format: the value's bytes as they are, then a newline; a null\n"
    "value prints as null (as kafka-console-consumer does).\n"
    "\n"
    "Text format: space-separated fields, value last\n"
    "  partition=P offset=O timestamp=MS key=K headers=K1:V1,K2:V2 value=V\n"
    "A field is left out when absent (null key, no headers, null value, no\n"
    "timestamp) or not asked for; a header with a null value is written as\n"
    "just K. Backslash, control bytes, bytes that are not UTF-8 and the\n"
    "separators that would be ambiguous (space in the key and headers, ',' in\n"
    "headers, ':' in header keys) are escaped as \\\\, \\n, \\r, \\t or \\xHH,\n"
    "so every record stays on one line and the value runs to the end of it.\n"
    "Timestamps are milliseconds since the epoch.\n"
    "\n"
    "JSON format: one object per line\n"
    "  {\"topic\":T,\"partition\":P,\"offset\":O,\"timestamp\":MS,\"key\":K,\n"
    "   \"value\":V,\"headers\":[{\"key\":K,\"value\":V},...]}\n"
    "Keys and values are strings, or null when null. One that is not valid\n"
    "UTF-8 is base64-encoded and flagged by a sibling \"key_encoding\" or\n"
    "\"value_encoding\" field set to \"base64\". timestamp is null when the\n"
    "record has none.\n"
    "\n"
    "Examples:\n"
    "  sluice consume orders --from beginning -t 2000\n"
    "  sluice consume orders --print-key --print-offset\n"
    "  sluice consume orders -g billing -f json\n"
    "\n"
    "Exit status: 0 after --count records, the idle timeout or Ctrl-C;\n"
    "1 error; 2 usage error.\n";

/* The --print-* options, in the order of the FIELD_ bits they set. */
enum { OPT_PRINT_PARTITION = 256, OPT_PRINT_OFFSET, OPT_PRINT_TIMESTAMP, OPT_PRINT_KEY, OPT_PRINT_HEADERS };

static bool parse_from(struct cli_common *c, struct consume_opts *o, const char *arg)
{
    if (!strcmp(arg, "beginning")) {
        o->start = START_BEGINNING;
        return true;
    }
    if (!strcmp(arg, "end")) {
        o->start = START_END;
        return true;
    }
    if (arg[0] == '@') {
        o->start = START_TIMESTAMP;
        return cli_parse_int(c, "--from @TIMESTAMP_MS", arg + 1, 0, INT64_MAX, &o->start_value);
    }
    if (arg[0] == '-') {
        o->start = START_TAIL;
        return cli_parse_int(c, "--from -N", arg + 1, 1, INT32_MAX, &o->start_value);
    }
    o->start = START_OFFSET;
    if (!(arg[0] >= '0' && arg[0] <= '9'))
        return cli_invalid(c,
                           "--from must be beginning, end, OFFSET, -N or "
                           "@TIMESTAMP_MS, not '%s'",
                           arg);
    return cli_parse_int(c, "--from OFFSET", arg, 0, INT64_MAX, &o->start_value);
}

static bool take_consume_option(struct cli_common *c, void *opts, int opt, const char *arg)
{
    struct consume_opts *o = opts;
    int64_t n;

    switch (opt) {
    case 'o': return parse_from(c, o, arg);
    case 'p':
        if (!cli_parse_int(c, "--partition", arg, 0, INT32_MAX, &n))
            return false;
        o->partition = (int32_t)n;
        return true;
    case 'c': return cli_parse_int(c, "--count", arg, 1, INT64_MAX, &o->count);
    case 't':
        if (!cli_parse_int(c, "--timeout-ms", arg, 0, INT32_MAX, &o->timeout_ms))
            return false;
        if (o->timeout_ms > 0) /* 0 is "stop at the end", not a deadline */
            c->connect_timeout_ms = o->timeout_ms;
        return true;
    case 'f':
        if (strcmp(arg, "value") && strcmp(arg, "text") && strcmp(arg, "json"))
            return cli_invalid(c, "--format must be value, text or json");
        o->format = arg;
        o->json = !strcmp(arg, "json");
        if (!strcmp(arg, "text"))
            o->fields = FIELD_ALL;
        return true;
    case OPT_PRINT_PARTITION:
    case OPT_PRINT_OFFSET:
    case OPT_PRINT_TIMESTAMP:
    case OPT_PRINT_KEY:
    case OPT_PRINT_HEADERS: o->fields |= 1u << (opt - OPT_PRINT_PARTITION); return true;
    case 'g':
        if (!*arg)
            return cli_invalid(c, "--group must not be empty");
        o->group = arg;
        return true;
    default: return cli_invalid(c, "unexpected option");
    }
}

/* Rejects combinations that a group consumer cannot honour. */
static int check_consume_args(struct cli_common *c, const struct consume_opts *o)
{
    if (o->json && o->fields)
        return cli_usage_error(c,
                               "--print-* options are for the text format; "
                               "json has every field");
    if (o->format && !strcmp(o->format, "value") && o->fields)
        return cli_usage_error(c,
                               "--format value prints the value only; "
                               "--print-* options add fields to it");
    if (!o->group)
        return CLI_EXIT_OK;
    if (o->partition >= 0)
        return cli_usage_error(c, "--partition cannot be used with --group");
    if (o->start != START_BEGINNING && o->start != START_END)
        return cli_usage_error(c,
                               "with --group, --from must be beginning or "
                               "end");
    return CLI_EXIT_OK;
}

/* Returns CLI_EXIT_OK to go on, -1 after --help, or an exit status. */
int cli_consume_parse_args(struct cli_common *c, struct consume_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTS,
        {"from", required_argument, NULL, 'o'},
        {"partition", required_argument, NULL, 'p'},
        {"count", required_argument, NULL, 'c'},
        {"timeout-ms", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'f'},
        {"group", required_argument, NULL, 'g'},
        {"print-partition", no_argument, NULL, OPT_PRINT_PARTITION},
        {"print-offset", no_argument, NULL, OPT_PRINT_OFFSET},
        {"print-timestamp", no_argument, NULL, OPT_PRINT_TIMESTAMP},
        {"print-key", no_argument, NULL, OPT_PRINT_KEY},
        {"print-headers", no_argument, NULL, OPT_PRINT_HEADERS},
        {NULL, 0, NULL, 0},
    };
    int rc = cli_parse_options(c, argc, argv, CLI_COMMON_SHORT_OPTS "o:p:c:t:f:g:", longopts, take_consume_option, o);

    if (rc)
        return rc;
    if (c->help) {
        fputs(consume_help, stdout);
        return -1;
    }
    o->topic = cli_one_topic(c, argc, argv);
    if (!o->topic)
        return CLI_EXIT_USAGE;
    return check_consume_args(c, o);
}
