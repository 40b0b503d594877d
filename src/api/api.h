/* One handler per API, each in its own file. */
#ifndef SLUICE_API_H
#define SLUICE_API_H
struct request;

void handle_produce(struct request *req);
void handle_fetch(struct request *req);
void handle_list_offsets(struct request *req);
void handle_metadata(struct request *req);
void handle_describe_topic_partitions(struct request *req);
void handle_api_versions(struct request *req);
void handle_create_topics(struct request *req);
void handle_delete_topics(struct request *req);
void handle_delete_records(struct request *req);
void handle_describe_configs(struct request *req);
void handle_alter_configs(struct request *req);
void handle_incremental_alter_configs(struct request *req);
void handle_create_partitions(struct request *req);
void handle_describe_cluster(struct request *req);
void handle_describe_log_dirs(struct request *req);
void handle_find_coordinator(struct request *req);
void handle_init_producer_id(struct request *req);
void handle_join_group(struct request *req);
void handle_sync_group(struct request *req);
void handle_heartbeat(struct request *req);
void handle_leave_group(struct request *req);
void handle_offset_commit(struct request *req);
void handle_offset_fetch(struct request *req);
void handle_describe_groups(struct request *req);
void handle_list_groups(struct request *req);
void handle_delete_groups(struct request *req);
void handle_offset_delete(struct request *req);

/* Answers an ApiVersions request whose version is not supported: v0
 * format, UNSUPPORTED_VERSION and the full list, so the client retries. */
void api_versions_reject(struct request *req);


/* Fetch: re-evaluates parked fetches woken during this loop iteration. */
struct broker;
void fetch_process_woken(struct broker *b);
/* The broker's fetch_wake hook: called (deferred, once per loop
 * iteration) for a parked fetch whose partitions got new data. */
void fetch_wake(struct broker *b, void *owner);
#endif
