/* sluice consume: print the records of a topic, one per line. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
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
    "  -g, --group ID        consume as a member of consumer group ID\n"
    CLI_COMMON_HELP
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

/* The fields of the text format, as bits. */
enum {
    FIELD_PARTITION = 1,
    FIELD_OFFSET = 2,
    FIELD_TIMESTAMP = 4,
    FIELD_KEY = 8,
    FIELD_HEADERS = 16,
    FIELD_ALL = 31,
};

/* The --print-* options, in the order of the FIELD_ bits they set. */
enum { OPT_PRINT_PARTITION = 256, OPT_PRINT_OFFSET, OPT_PRINT_TIMESTAMP,
       OPT_PRINT_KEY, OPT_PRINT_HEADERS };

enum start_kind { START_BEGINNING, START_END, START_OFFSET, START_TAIL,
                  START_TIMESTAMP };

struct consume_opts {
    const char *topic;
    enum start_kind start;
    int64_t start_value;      /* offset, record count or timestamp */
    int32_t partition;        /* -1: all */
    int64_t count;            /* 0: unlimited */
    int64_t timeout_ms;       /* -1: none */
    bool json;
    const char *format;       /* --format, NULL if not given */
    unsigned fields;          /* FIELD_ bits printed before the value */
    const char *group;
};

/* Everything one consume run owns. common comes first because it is the
 * librdkafka opaque: the callbacks of cli_common receive a pointer to it,
 * the rebalance callback here converts it back to the whole run. */
struct consume_run {
    struct cli_common common;
    struct consume_opts opts;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    rd_kafka_queue_t *queue;  /* without a group: every partition feeds it */
    int32_t *started;         /* without a group: the partitions read */
    size_t nstarted;
    bool *at_end;             /* indexed by partition: reached its end */
    size_t at_end_len;
    uint64_t records;
    int64_t last_record_ms;   /* or when the partitions were assigned */
    bool assigned;            /* the group gave us our partitions */
};

static bool parse_from(struct cli_common *c, struct consume_opts *o,
                       const char *arg)
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
        return cli_parse_int(c, "--from @TIMESTAMP_MS", arg + 1, 0, INT64_MAX,
                             &o->start_value);
    }
    if (arg[0] == '-') {
        o->start = START_TAIL;
        return cli_parse_int(c, "--from -N", arg + 1, 1, INT32_MAX,
                             &o->start_value);
    }
    o->start = START_OFFSET;
    if (!(arg[0] >= '0' && arg[0] <= '9'))
        return cli_invalid(c, "--from must be beginning, end, OFFSET, -N or "
                              "@TIMESTAMP_MS, not '%s'", arg);
    return cli_parse_int(c, "--from OFFSET", arg, 0, INT64_MAX,
                         &o->start_value);
}

static bool take_consume_option(struct cli_common *c, void *opts, int opt,
                                const char *arg)
{
    struct consume_opts *o = opts;
    int64_t n;

    switch (opt) {
    case 'o':
        return parse_from(c, o, arg);
    case 'p':
        if (!cli_parse_int(c, "--partition", arg, 0, INT32_MAX, &n))
            return false;
        o->partition = (int32_t)n;
        return true;
    case 'c':
        return cli_parse_int(c, "--count", arg, 1, INT64_MAX, &o->count);
    case 't':
        if (!cli_parse_int(c, "--timeout-ms", arg, 0, INT32_MAX,
                           &o->timeout_ms))
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
    case OPT_PRINT_HEADERS:
        o->fields |= 1u << (opt - OPT_PRINT_PARTITION);
        return true;
    case 'g':
        if (!*arg)
            return cli_invalid(c, "--group must not be empty");
        o->group = arg;
        return true;
    default:
        return cli_invalid(c, "unexpected option");
    }
}

/* Rejects combinations that a group consumer cannot honour. */
static int check_consume_args(struct cli_common *c,
                              const struct consume_opts *o)
{
    if (o->json && o->fields)
        return cli_usage_error(c, "--print-* options are for the text format; "
                                  "json has every field");
    if (o->format && !strcmp(o->format, "value") && o->fields)
        return cli_usage_error(c, "--format value prints the value only; "
                                  "--print-* options add fields to it");
    if (!o->group)
        return CLI_EXIT_OK;
    if (o->partition >= 0)
        return cli_usage_error(c, "--partition cannot be used with --group");
    if (o->start != START_BEGINNING && o->start != START_END)
        return cli_usage_error(c, "with --group, --from must be beginning or "
                                  "end");
    return CLI_EXIT_OK;
}

/* Returns CLI_EXIT_OK to go on, -1 after --help, or an exit status. */
static int parse_consume_args(struct cli_common *c, struct consume_opts *o,
                              int argc, char **argv)
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
    int rc = cli_parse_options(c, argc, argv,
                               CLI_COMMON_SHORT_OPTS "o:p:c:t:f:g:", longopts,
                               take_consume_option, o);

    if (rc)
        return rc;
    if (c->help) {
        fputs(consume_help, stdout);
        return -1;
    }
    if (optind >= argc)
        return cli_usage_error(c, "missing TOPIC");
    if (argc - optind > 1)
        return cli_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);
    o->topic = argv[optind];
    return check_consume_args(c, o);
}

/* ---- end-of-partition tracking, for --timeout-ms ---- */

static void set_at_end(struct consume_run *r, int32_t partition, bool value)
{
    size_t p = (size_t)partition;

    if (partition < 0)
        return;
    if (p >= r->at_end_len) {
        size_t len = p + 16;

        r->at_end = xrealloc(r->at_end, len * sizeof(*r->at_end));
        memset(r->at_end + r->at_end_len, 0,
               (len - r->at_end_len) * sizeof(*r->at_end));
        r->at_end_len = len;
    }
    r->at_end[p] = value;
}

static bool is_at_end(const struct consume_run *r, int32_t partition)
{
    return partition >= 0 && (size_t)partition < r->at_end_len &&
           r->at_end[partition];
}

/* Counts the partitions being read and those not yet at their end. */
static void count_behind(struct consume_run *r, size_t *total, size_t *behind)
{
    rd_kafka_topic_partition_list_t *assigned = NULL;

    *total = *behind = 0;
    if (!r->opts.group) {
        for (size_t i = 0; i < r->nstarted; i++)
            *behind += !is_at_end(r, r->started[i]);
        *total = r->nstarted;
        return;
    }
    if (rd_kafka_assignment(r->rk, &assigned))
        return;
    for (int i = 0; i < assigned->cnt; i++)
        *behind += !is_at_end(r, assigned->elems[i].partition);
    *total = (size_t)assigned->cnt;
    rd_kafka_topic_partition_list_destroy(assigned);
}

/* Group membership changes: forget what we knew about partition ends, since
 * a partition may have grown while another member had it. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct consume_run *r = opaque;
    bool cooperative = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    rd_kafka_error_t *error = NULL;

    for (int i = 0; i < parts->cnt; i++)
        set_at_end(r, parts->elems[i].partition, false);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        /* --timeout-ms counts from here: the join itself may take the
         * broker's group.initial.rebalance.delay.ms and more. */
        r->assigned = true;
        r->last_record_ms = mono_ms();
        if (cooperative)
            error = rd_kafka_incremental_assign(rk, parts);
        else
            rd_kafka_assign(rk, parts);
    } else {
        if (cooperative)
            error = rd_kafka_incremental_unassign(rk, parts);
        else
            rd_kafka_assign(rk, NULL);
    }
    if (error) {
        cli_error(&r->common, "rebalance failed: %s",
                  rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
}

/* ---- output ---- */

/* Length of the valid UTF-8 sequence starting at p (1 to 4 bytes), or 0
 * when it is not one: bad lead or continuation byte, truncated, overlong,
 * a surrogate or past U+10FFFF. */
static size_t utf8_sequence_len(const unsigned char *p, size_t left)
{
    static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t cp;
    size_t n;

    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xe0) == 0xc0)
        n = 2, cp = p[0] & 0x1f;
    else if ((p[0] & 0xf0) == 0xe0)
        n = 3, cp = p[0] & 0x0f;
    else if ((p[0] & 0xf8) == 0xf0)
        n = 4, cp = p[0] & 0x07;
    else
        return 0;
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < smallest[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

/* Writes bytes so that a record stays on one line and field boundaries
 * stay visible: backslash, control bytes, bytes that are not UTF-8 and
 * the bytes in `special` become escapes; the rest passes through. */
static void put_escaped(FILE *out, const void *data, size_t len,
                        const char *special)
{
    const unsigned char *p = data;

    for (size_t i = 0, n; i < len; i += n) {
        unsigned char ch = p[i];

        n = utf8_sequence_len(p + i, len - i);
        if (n > 1) {
            fwrite(p + i, 1, n, out);
            continue;
        }
        n = 1;
        if (ch == '\\')
            fputs("\\\\", out);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\r')
            fputs("\\r", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch < 0x20 || ch >= 0x7f || strchr(special, ch))
            fprintf(out, "\\x%02x", ch);
        else
            putc(ch, out);
    }
}

static void put_text_headers(FILE *out, rd_kafka_headers_t *hdrs)
{
    const char *name;
    const void *value;
    size_t size;

    fputs("headers=", out);
    for (size_t i = 0;
         !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); i++) {
        if (i)
            putc(',', out);
        put_escaped(out, name, strlen(name), ",: ");
        if (value) {
            putc(':', out);
            put_escaped(out, value, size, ", ");
        }
    }
}

/* The value alone, as it is: what kafka-console-consumer prints. */
static void print_value(FILE *out, const rd_kafka_message_t *m)
{
    if (m->payload)
        fwrite(m->payload, 1, m->len, out);
    else
        fputs("null", out);
    putc('\n', out);
}

/* The fields asked for, then the value; a field is left out when absent. */
static void print_text(FILE *out, const rd_kafka_message_t *m,
                       unsigned fields)
{
    rd_kafka_headers_t *hdrs = NULL;
    int64_t ts = rd_kafka_message_timestamp(m, NULL);
    const char *sep = "";

    if (fields & FIELD_PARTITION) {
        fprintf(out, "partition=%d", (int)m->partition);
        sep = " ";
    }
    if (fields & FIELD_OFFSET) {
        fprintf(out, "%soffset=%lld", sep, (long long)m->offset);
        sep = " ";
    }
    if ((fields & FIELD_TIMESTAMP) && ts >= 0) {
        fprintf(out, "%stimestamp=%lld", sep, (long long)ts);
        sep = " ";
    }
    if ((fields & FIELD_KEY) && m->key) {
        fprintf(out, "%skey=", sep);
        put_escaped(out, m->key, m->key_len, " ");
        sep = " ";
    }
    if ((fields & FIELD_HEADERS) && !rd_kafka_message_headers(m, &hdrs) &&
        rd_kafka_header_cnt(hdrs)) {
        fputs(sep, out);
        put_text_headers(out, hdrs);
        sep = " ";
    }
    if (m->payload) {
        fprintf(out, "%svalue=", sep);
        put_escaped(out, m->payload, m->len, "");
    }
    putc('\n', out);
}

static char *base64_encode(const unsigned char *p, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = xmalloc((len + 2) / 3 * 4 + 1);
    char *o = out;

    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        size_t left = len - i;

        if (left > 1)
            v |= (uint32_t)p[i + 1] << 8;
        if (left > 2)
            v |= p[i + 2];
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = left > 1 ? alphabet[(v >> 6) & 63] : '=';
        *o++ = left > 2 ? alphabet[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* Sets obj[field] to the bytes as a string: null when absent, base64 with
 * obj[field + "_encoding"] = "base64" when they are not valid UTF-8. */
static void json_set_bytes(json_t *obj, const char *field, const void *data,
                           size_t len)
{
    json_t *s;
    char *b64;
    char encoding_field[64];

    if (!data) {
        json_object_set_new(obj, field, json_null());
        return;
    }
    s = json_stringn(data, len); /* NULL when not valid UTF-8 */
    if (s) {
        json_object_set_new(obj, field, s);
        return;
    }
    b64 = base64_encode(data, len);
    json_object_set_new(obj, field, json_string(b64));
    free(b64);
    snprintf(encoding_field, sizeof(encoding_field), "%s_encoding", field);
    json_object_set_new(obj, encoding_field, json_string("base64"));
}

static json_t *json_headers(const rd_kafka_message_t *m)
{
    json_t *arr = json_array();
    rd_kafka_headers_t *hdrs = NULL;
    const char *name;
    const void *value;
    size_t size;

    if (rd_kafka_message_headers(m, &hdrs))
        return arr;
    for (size_t i = 0;
         !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); i++) {
        json_t *h = json_object();

        json_set_bytes(h, "key", name, strlen(name));
        json_set_bytes(h, "value", value, size);
        json_array_append_new(arr, h);
    }
    return arr;
}

static void print_json(FILE *out, const char *topic,
                       const rd_kafka_message_t *m)
{
    json_t *obj = json_object();
    int64_t ts = rd_kafka_message_timestamp(m, NULL);

    json_set_bytes(obj, "topic", topic, strlen(topic));
    json_object_set_new(obj, "partition", json_integer(m->partition));
    json_object_set_new(obj, "offset", json_integer(m->offset));
    json_object_set_new(obj, "timestamp",
                        ts >= 0 ? json_integer(ts) : json_null());
    json_set_bytes(obj, "key", m->key, m->key_len);
    json_set_bytes(obj, "value", m->payload, m->len);
    json_object_set_new(obj, "headers", json_headers(m));
    json_dumpf(obj, out, JSON_COMPACT);
    putc('\n', out);
    json_decref(obj);
}

/* ---- the consumer ---- */

/* Returns CLI_EXIT_OK with r->rk set, or the exit status to stop with. */
static int new_consumer(struct consume_run *r)
{
    struct cli_common *c = &r->common;
    const struct consume_opts *o = &r->opts;
    rd_kafka_conf_t *conf = cli_conf_new(c);
    bool ok = conf != NULL;

    if (!ok)
        return CLI_EXIT_ERROR;
    if (o->timeout_ms >= 0)
        ok = cli_conf_set(c, conf, "enable.partition.eof", "true");
    if (ok && o->group) {
        ok = cli_conf_set(c, conf, "group.id", o->group) &&
             cli_conf_set(c, conf, "auto.offset.reset",
                          o->start == START_END ? "latest" : "earliest");
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    } else if (ok) {
        /* Reading without a group: there is nowhere to commit to. */
        ok = cli_conf_set(c, conf, "enable.auto.commit", "false") &&
             cli_conf_set(c, conf, "enable.auto.offset.store", "false");
    }
    if (ok)
        ok = cli_conf_apply_props(c, conf);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return CLI_EXIT_USAGE;
    }
    r->rk = cli_client_new(c, RD_KAFKA_CONSUMER, conf);
    return r->rk ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

/* How long to wait for the broker's answer while setting up: no longer
 * than the idle timeout, if one was given. */
static int broker_timeout_ms(const struct consume_run *r)
{
    if (r->opts.timeout_ms < 0)
        return CLI_DEFAULT_TIMEOUT_MS;
    return (int)MAX(r->opts.timeout_ms, 1000);
}

/* Looks the topic up, so that a missing topic is an error rather than a
 * consumer waiting forever. */
static int fetch_partition_count(struct consume_run *r, int *count)
{
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err;
    const rd_kafka_metadata_topic_t *t;

    r->rkt = rd_kafka_topic_new(r->rk, r->opts.topic, NULL);
    if (!r->rkt) {
        cli_error(&r->common, "invalid topic '%s': %s", r->opts.topic,
                  rd_kafka_err2str(rd_kafka_last_error()));
        return CLI_EXIT_ERROR;
    }
    err = rd_kafka_metadata(r->rk, 0, r->rkt, &md, broker_timeout_ms(r));
    if (err) {
        cli_error(&r->common, "cannot get metadata of topic '%s': %s",
                  r->opts.topic, rd_kafka_err2str(err));
        return CLI_EXIT_ERROR;
    }
    t = md->topic_cnt == 1 ? &md->topics[0] : NULL;
    if (!t || (t->err && t->partition_cnt == 0)) {
        cli_error(&r->common, "topic '%s': %s", r->opts.topic,
                  rd_kafka_err2str(t ? t->err
                                     : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
        rd_kafka_metadata_destroy(md);
        return CLI_EXIT_ERROR;
    }
    *count = t->partition_cnt;
    rd_kafka_metadata_destroy(md);
    return CLI_EXIT_OK;
}

/* Turns --from @TIMESTAMP into offsets; partitions with no record that
 * recent start at their end. */
static int resolve_timestamps(struct consume_run *r,
                              rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_resp_err_t err;

    for (int i = 0; i < parts->cnt; i++)
        parts->elems[i].offset = r->opts.start_value;
    err = rd_kafka_offsets_for_times(r->rk, parts, broker_timeout_ms(r));
    if (err) {
        cli_error(&r->common, "cannot look up offsets by time: %s",
                  rd_kafka_err2str(err));
        return CLI_EXIT_ERROR;
    }
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];

        if (p->err) {
            cli_error(&r->common, "partition %d: cannot look up offset by "
                      "time: %s", (int)p->partition, rd_kafka_err2str(p->err));
            return CLI_EXIT_ERROR;
        }
        if (p->offset < 0)
            p->offset = RD_KAFKA_OFFSET_END;
    }
    return CLI_EXIT_OK;
}

static int64_t start_offset(const struct consume_opts *o)
{
    switch (o->start) {
    case START_END:
        return RD_KAFKA_OFFSET_END;
    case START_OFFSET:
        return o->start_value;
    case START_TAIL:
        return RD_KAFKA_OFFSET_TAIL(o->start_value);
    default:
        return RD_KAFKA_OFFSET_BEGINNING;
    }
}

/* The partitions to read without a group, each with its start offset. */
static int plan_partitions(struct consume_run *r, int count,
                           rd_kafka_topic_partition_list_t **out)
{
    const struct consume_opts *o = &r->opts;
    rd_kafka_topic_partition_list_t *parts;

    if (o->partition >= count) {
        cli_error(&r->common, "topic '%s' has no partition %d (it has %d)",
                  o->topic, (int)o->partition, count);
        return CLI_EXIT_ERROR;
    }
    parts = rd_kafka_topic_partition_list_new(count);
    for (int p = 0; p < count; p++)
        if (o->partition < 0 || o->partition == p)
            rd_kafka_topic_partition_list_add(parts, o->topic, p)->offset =
                start_offset(o);
    if (o->start == START_TIMESTAMP && resolve_timestamps(r, parts)) {
        rd_kafka_topic_partition_list_destroy(parts);
        return CLI_EXIT_ERROR;
    }
    *out = parts;
    return CLI_EXIT_OK;
}

/* Without a group, librdkafka's KafkaConsumer cannot assign(), so the
 * partitions are read with the simple consumer API into one queue. */
static int start_partitions(struct consume_run *r, int count)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    int rc = plan_partitions(r, count, &parts);

    if (rc)
        return rc;
    r->queue = rd_kafka_queue_new(r->rk);
    r->started = xcalloc((size_t)parts->cnt + 1, sizeof(*r->started));
    for (int i = 0; i < parts->cnt && !rc; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];

        if (rd_kafka_consume_start_queue(r->rkt, p->partition, p->offset,
                                         r->queue) == -1) {
            cli_error(&r->common, "cannot start partition %d: %s",
                      (int)p->partition,
                      rd_kafka_err2str(rd_kafka_last_error()));
            rc = CLI_EXIT_ERROR;
        } else {
            r->started[r->nstarted++] = p->partition;
        }
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return rc;
}

static int subscribe(struct consume_run *r)
{
    rd_kafka_topic_partition_list_t *topics =
        rd_kafka_topic_partition_list_new(1);
    rd_kafka_resp_err_t err;

    rd_kafka_poll_set_consumer(r->rk);
    rd_kafka_topic_partition_list_add(topics, r->opts.topic,
                                      RD_KAFKA_PARTITION_UA);
    err = rd_kafka_subscribe(r->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        cli_error(&r->common, "cannot subscribe to '%s': %s", r->opts.topic,
                  rd_kafka_err2str(err));
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

static rd_kafka_message_t *next_message(struct consume_run *r, int wait_ms)
{
    rd_kafka_message_t *m;

    if (r->opts.group)
        return rd_kafka_consumer_poll(r->rk, wait_ms);
    m = rd_kafka_consume_queue(r->queue, wait_ms);
    rd_kafka_poll(r->rk, 0); /* serves error_cb */
    return m;
}

/* Errors that mean the topic cannot be read at all end the run; the rest
 * (connection trouble and the like) are retried by librdkafka. */
static int handle_consumer_error(struct consume_run *r,
                                 const rd_kafka_message_t *m)
{
    switch (m->err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__FATAL:
        cli_error(&r->common, "%s", rd_kafka_message_errstr(m));
        return CLI_EXIT_ERROR;
    default:
        cli_warn_once(&r->common, m->err, rd_kafka_message_errstr(m));
        return CLI_EXIT_OK;
    }
}

/* Whether standard output is a pipe whose reader has gone: such a pipe
 * reports POLLERR even while we have nothing to write. */
static bool reader_gone(void)
{
    struct pollfd p = {.fd = STDOUT_FILENO, .events = 0, .revents = 0};

    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/* Returns CLI_EXIT_OK while standard output works. A reader that went
 * away (EPIPE, as with `| head`) ends the run normally, returning -1. */
static int check_output(struct consume_run *r)
{
    if (!ferror(stdout))
        return CLI_EXIT_OK;
    if (errno == EPIPE)
        return -1;
    cli_error(&r->common, "cannot write output: %s", strerror(errno));
    return CLI_EXIT_ERROR;
}

/* Returns CLI_EXIT_OK to go on, -1 when --count is reached or the reader
 * has gone, or an error. */
static int handle_message(struct consume_run *r, const rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        set_at_end(r, m->partition, true);
        return CLI_EXIT_OK;
    }
    if (m->err)
        return handle_consumer_error(r, m);
    set_at_end(r, m->partition, false);
    r->last_record_ms = mono_ms();
    if (r->opts.json)
        print_json(stdout, r->opts.topic, m);
    else if (r->opts.fields)
        print_text(stdout, m, r->opts.fields);
    else
        print_value(stdout, m);
    r->records++;
    if (r->opts.count && r->records >= (uint64_t)r->opts.count)
        return -1;
    return check_output(r);
}

/* --timeout-ms ran out: a clean end if every partition was read to its
 * end, otherwise the broker never let us get there. */
static int idle_timeout(struct consume_run *r)
{
    size_t total, behind;

    count_behind(r, &total, &behind);
    if (total && !behind)
        return CLI_EXIT_OK;
    if (!total)
        cli_error(&r->common, "no record for %lld ms and no partition of '%s' "
                  "assigned", (long long)r->opts.timeout_ms, r->opts.topic);
    else
        cli_error(&r->common, "no record for %lld ms, but %zu of %zu "
                  "partitions of '%s' not read to the end",
                  (long long)r->opts.timeout_ms, behind, total, r->opts.topic);
    return CLI_EXIT_ERROR;
}

/* Whether --timeout-ms has run out. A group member's clock starts when it
 * is assigned its partitions; a join that never completes is given up
 * after CLI_DEFAULT_TIMEOUT_MS more. */
static bool timed_out(const struct consume_run *r)
{
    int64_t idle = mono_ms() - r->last_record_ms;

    if (r->opts.timeout_ms < 0)
        return false;
    if (r->opts.group && !r->assigned)
        return idle >= r->opts.timeout_ms + CLI_DEFAULT_TIMEOUT_MS;
    return idle >= r->opts.timeout_ms;
}

static int consume_loop(struct consume_run *r)
{
    r->last_record_ms = mono_ms();
    while (!cli_stop_requested) {
        rd_kafka_message_t *m;
        int rc;

        if (timed_out(r))
            return idle_timeout(r);
        m = next_message(r, 100);
        if (m) {
            rc = handle_message(r, m);
            rd_kafka_message_destroy(m);
        } else {
            fflush(stdout); /* idle: let a reader see what we have */
            rc = reader_gone() ? -1 : check_output(r);
        }
        if (rc)
            return rc < 0 ? CLI_EXIT_OK : rc;
    }
    return CLI_EXIT_OK;
}

static void close_consumer(struct consume_run *r)
{
    if (!r->rk)
        return;
    if (r->opts.group)
        rd_kafka_consumer_close(r->rk); /* leaves the group, commits */
    for (size_t i = 0; i < r->nstarted; i++)
        rd_kafka_consume_stop(r->rkt, r->started[i]);
    if (r->queue)
        rd_kafka_queue_destroy(r->queue);
    if (r->rkt)
        rd_kafka_topic_destroy(r->rkt);
    rd_kafka_destroy(r->rk);
    r->rk = NULL;
}

static int run_consumer(struct consume_run *r)
{
    int partitions = 0;
    int rc = new_consumer(r);

    if (rc)
        return rc;
    cli_catch_stop_signals();
    /* A closed output pipe is noticed as EPIPE, so that a group member
     * still leaves its group properly. */
    signal(SIGPIPE, SIG_IGN);
    rc = fetch_partition_count(r, &partitions);
    if (!rc)
        rc = r->opts.group ? subscribe(r) : start_partitions(r, partitions);
    if (!rc)
        rc = consume_loop(r);
    close_consumer(r);
    if (rc == CLI_EXIT_OK && fflush(stdout) && errno != EPIPE) {
        cli_error(&r->common, "cannot write output: %s", strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    if (r->common.verbose)
        cli_error(&r->common, "consumed %llu records from %s",
                  (unsigned long long)r->records, r->opts.topic);
    return rc;
}

int cli_consume_main(int argc, char **argv)
{
    struct consume_run r;
    int rc;

    memset(&r, 0, sizeof(r));
    cli_common_init(&r.common, "consume", argc);
    r.opts.partition = -1;
    r.opts.timeout_ms = -1;
    rc = parse_consume_args(&r.common, &r.opts, argc, argv);
    if (rc == CLI_EXIT_OK)
        rc = run_consumer(&r);
    else if (rc < 0) /* --help */
        rc = CLI_EXIT_OK;
    free(r.started);
    free(r.at_end);
    cli_common_free(&r.common);
    return rc;
}
