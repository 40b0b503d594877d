/* Client subcommands of the sluice binary: topic and consumer group
 * administration, a line producer and a consumer, all built on librdkafka,
 * and the schema registry's tools (libcurl).
 *
 * Each entry point takes the arguments starting at the subcommand name
 * (argv[0] is "topic", "group", "produce", "consume", "bench" or
 * "schema") and returns the process exit
 * status: 0 success, 1 error, 2 usage error. */
#ifndef SLUICE_CLI_H
#define SLUICE_CLI_H

int cli_topic_main(int argc, char **argv);
int cli_produce_main(int argc, char **argv);
int cli_consume_main(int argc, char **argv);
int cli_group_main(int argc, char **argv);
/* bench produce|consume|latency|mock-cluster: the load generator. */
int cli_bench_main(int argc, char **argv);
/* schema list|get|register|check|delete: the schema registry over REST. */
int cli_schema_main(int argc, char **argv);

#endif
