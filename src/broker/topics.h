/* Topics: the registry and its persistence (partitions: partition.h).
 *
 *   <log.dirs>/meta.properties      cluster.id, node.id (Kafka's format)
 *   <log.dirs>/topics.json          name, id, partition count, configs
 *   <log.dirs>/broker-config.json   dynamic broker configs
 *   <log.dirs>/<topic>-<partition>/ one partition's log (plog.h)
 * Metadata files are rewritten atomically (tmp, fsync, rename). */
#ifndef SLUICE_TOPICS_H
#define SLUICE_TOPICS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "broker/config.h"
#include "broker/partition.h"
#include "core/util.h"
#include "log/plog.h"

struct broker;

struct topic {
    char *name;
    struct kuuid id;
    int32_t partition_count;
    struct partition **partitions;
    struct topic_config config;
    bool internal;
};

#define TOPIC_NAME_MAX 249
/* Kafka's rule: [a-zA-Z0-9._-], 1..249 chars, not "." or "..". */
bool topic_name_valid(struct kstr name, char *err, size_t errlen);

struct topic *topic_find(struct broker *b, struct kstr name);
struct topic *topic_find_id(struct broker *b, const struct kuuid *id);
/* Calls fn for every topic, in name order. */
void topics_for_each(struct broker *b, void (*fn)(struct topic *t, void *arg), void *arg);
size_t topics_count(struct broker *b);

/* Each returns a Kafka error code (0 ok) and fills err for the client. */
int topic_create(struct broker *b, const char *name, int32_t partitions, const struct topic_config *cfg,
                 bool validate_only, struct topic **out, char *err, size_t errlen);
int topic_delete(struct broker *b, struct topic *t);
int topic_add_partitions(struct broker *b, struct topic *t, int32_t new_count, bool validate_only, char *err,
                         size_t errlen);
/* Replaces the topic's overrides (already validated) and persists. */
int topic_set_config(struct broker *b, struct topic *t, const struct topic_config *cfg);
/* Re-applies broker defaults to every partition after a broker config change. */
void topics_reconfigure(struct broker *b);
struct log_config topic_log_config(struct broker *b, const struct topic *t);

int topics_load(struct broker *b, char *err, size_t errlen);
int topics_save(struct broker *b);
void topics_close_all(struct broker *b);     /* clean shutdown */
void topics_housekeep(struct broker *b, int64_t now_ms);

#endif
