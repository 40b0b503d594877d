/* sluice: one binary, several subcommands. `serve` is the broker; the
 * others are clients built on librdkafka. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker/broker.h"
#include "broker/config.h"
#include "broker/config_help.h"
#include "cli/cli.h"
#include "core/sd_notify.h"
#include "server/server.h"

#define SLUICE_VERSION "0.1.0"

extern char **environ;

static void usage(FILE *out)
{
    fprintf(out,
            "sluice %s - a small event-streaming broker that speaks the Kafka protocol\n\n"
            "usage: sluice <command> [options]\n\n"
            "commands:\n"
            "  serve [FILE] [--name=value ...]   run the broker (properties file, then SLUICE_* env,\n"
            "                                    then --name=value options; see `sluice serve --help`)\n"
            "  topic create|list|describe|configs|alter|delete|alter-config\n"
            "  group list|describe|delete|reset-offsets ...\n"
            "  produce TOPIC                     lines from stdin become records\n"
            "  consume TOPIC                     print records\n"
            "  bench produce|consume|latency TOPIC, bench mock-cluster\n"
            "                                    load generator (messages/s, MB/s, latency)\n"
            "  schema list|get|register|check|delete ...\n"
            "                                    the schema registry's subjects and schemas\n"
            "  version\n\n"
            "Run `sluice <command> --help` for a command's options.\n",
            SLUICE_VERSION);
}

static void serve_usage(void) { config_print_help(stdout); }

static int serve_main(int argc, char **argv)
{
    struct config cfg;
    config_init(&cfg);
    char err[512];
    const char *file = NULL;
    /* Precedence: file < environment < command line. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            serve_usage();
            config_free(&cfg);
            return 0;
        }
        if (strncmp(argv[i], "--", 2) != 0) {
            if (file) {
                fprintf(stderr, "sluice serve: more than one properties file given ('%s')\n", argv[i]);
                config_free(&cfg);
                return 2;
            }
            file = argv[i];
        }
    }
    if (file && !config_load_file(&cfg, file, err, sizeof(err)))
        goto bad;
    if (!config_load_env(&cfg, environ, err, sizeof(err)))
        goto bad;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0)
            continue;
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "sluice serve: option '%s' needs a value: --name=value\n", argv[i]);
            config_free(&cfg);
            return 2;
        }
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[i] - 2), argv[i] + 2);
        if (!config_set(&cfg, name, eq + 1, ORIGIN_FLAG, err, sizeof(err)))
            goto bad;
    }
    if (!config_finish(&cfg, err, sizeof(err)))
        goto bad;
    struct broker *b = broker_start(&cfg, err, sizeof(err));
    if (!b) {
        fprintf(stderr, "sluice serve: %s\n", err);
        config_free(&cfg);
        return 1;
    }
    sd_notify_state("READY=1");
    broker_run(b);
    sd_notify_state("STOPPING=1");
    broker_shutdown(b);
    broker_free(b);
    config_free(&cfg);   /* the fresh defaults broker_start left in it */
    return 0;
bad:
    fprintf(stderr, "sluice serve: %s\n", err);
    config_free(&cfg);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return serve_main(argc - 1, argv + 1);
    if (strcmp(cmd, "topic") == 0)
        return cli_topic_main(argc - 1, argv + 1);
    if (strcmp(cmd, "group") == 0)
        return cli_group_main(argc - 1, argv + 1);
    if (strcmp(cmd, "produce") == 0)
        return cli_produce_main(argc - 1, argv + 1);
    if (strcmp(cmd, "consume") == 0)
        return cli_consume_main(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return cli_bench_main(argc - 1, argv + 1);
    if (strcmp(cmd, "schema") == 0)
        return cli_schema_main(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("sluice %s\n", SLUICE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "sluice: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
