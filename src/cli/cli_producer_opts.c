/* The producer options produce and bench share: see cli_producer_opts.h. */
#include <string.h>

#include "cli/cli_producer_opts.h"

static bool is_one_of(const char *s, const char *const *choices)
{
    for (; *choices; choices++)
        if (!strcmp(s, *choices))
            return true;
    return false;
}

bool cli_take_producer_option(struct cli_common *c, struct cli_producer_opts *p,
                              int opt, const char *arg)
{
    static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};
    /* -1 is librdkafka's own spelling of all */
    static const char *const acks[] = {"0", "1", "all", "-1", NULL};
    int64_t n;

    switch (opt) {
    case 'z':
        if (!is_one_of(arg, codecs))
            return cli_invalid(c, "unknown compression '%s'", arg);
        p->compression = arg;
        return true;
    case CLI_OPT_ACKS:
        if (!is_one_of(arg, acks))
            return cli_invalid(c, "--acks must be 0, 1 or all");
        p->acks = arg;
        return true;
    case CLI_OPT_LINGER_MS:
        if (!cli_parse_int(c, "--linger-ms", arg, 0, 900000, &n))
            return false;
        p->linger_ms = arg;
        return true;
    default:
        return cli_invalid(c, "unexpected option");
    }
}

bool cli_conf_set_producer(const struct cli_common *c, rd_kafka_conf_t *conf,
                           const struct cli_producer_opts *p,
                           const char *default_linger)
{
    return cli_conf_set(c, conf, "linger.ms", p->linger_ms ? p->linger_ms : default_linger) &&
           cli_conf_set(c, conf, "acks", p->acks ? p->acks : "all") &&
           cli_conf_set(c, conf, "compression.codec", p->compression ? p->compression : "none");
}
