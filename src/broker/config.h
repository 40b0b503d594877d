/* Broker and topic properties, with Kafka's names.
 *
 * Sources, lowest precedence first: embedded defaults, a properties file,
 * SLUICE_* environment variables (SLUICE_LOG_DIRS=... sets log.dirs),
 * then --name=value command-line options. An unknown property in a file
 * or an option, or an invalid value anywhere, stops the start with a
 * message naming it; an unknown SLUICE_* variable is only warned about.
 *
 * Every value is parsed and validated once, when it is set, into a typed
 * value (struct prop_value) that readers use as it is: config_int() and
 * config_bool() never parse. A property's rules live in its table row:
 * type, range, allowed values, and a check function for anything more.
 * Kafka's forms are accepted: values are trimmed, booleans are true or
 * false in any case, lists are comma separated, enumerated values are
 * matched exactly (as Kafka's ValidString and ValidList do).
 *
 * Topic configs (retention.ms, ...) default to their broker synonym
 * (log.retention.ms, ...), which is how Kafka resolves them. */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prop_type { PT_STRING, PT_INT, PT_LONG, PT_BOOL, PT_LIST, PT_PASSWORD };

/* The allowed values of an enumerated STRING property (its number is the
 * value's index) or LIST property (its number has bit i for value i). */
#define PROP_VALUES(...) ((const char *const[]){__VA_ARGS__, NULL})
enum timestamp_type { TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME };
#define TIMESTAMP_TYPES PROP_VALUES("CreateTime", "LogAppendTime")
enum cleanup_policy { CLEANUP_DELETE = 1 << 0, CLEANUP_COMPACT = 1 << 1 };
#define CLEANUP_POLICIES PROP_VALUES("delete", "compact")
/* Kafka's names; only producer is supported (see check_compression). */
#define COMPRESSION_TYPES PROP_VALUES("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")
enum log_format { LOG_FORMAT_LOGFMT, LOG_FORMAT_JSON };
#define LOG_FORMATS PROP_VALUES("logfmt", "json")
#define LOG_LEVELS PROP_VALUES("debug", "info", "warn", "error")
#define HTTP_ADMIN_VALUES PROP_VALUES("true", "false", "auto")
/* Confluent's subject name strategies, by short or full class name. */
#define SUBJECT_STRATEGIES                                                                                   \
    PROP_VALUES("TopicNameStrategy", "RecordNameStrategy", "TopicRecordNameStrategy",                         \
                "io.confluent.kafka.serializers.subject.TopicNameStrategy",                                   \
                "io.confluent.kafka.serializers.subject.RecordNameStrategy",                                  \
                "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy")
#define SCHEMA_VALIDATION_LEVELS PROP_VALUES("none", "id", "full")

/* X(id, name, type, default, min, max, dynamic, doc[, more]): more are
 * designated initializers of struct prop_def, such as .allowed = ... or
 * .check = ... (a function in config.c). */
#define BROKER_PROPS(X) \
    X(LISTENERS, "listeners", PT_LIST, "PLAINTEXT://127.0.0.1:9092", 0, 0, false, "Listeners to bind: NAME://host:port, comma separated, names and ports unique (e.g. PLAINTEXT://0.0.0.0:9092,INTERNAL://127.0.0.1:9093); port 0 picks a free port", .check = check_listeners) \
    X(LISTENER_SECURITY_PROTOCOL_MAP, "listener.security.protocol.map", PT_LIST, "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", 0, 0, false, "Security protocol of each listener name: NAME:PROTOCOL, comma separated (e.g. PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT); only PLAINTEXT is built yet", .check = check_protocol_map) \
    X(ADVERTISED_LISTENERS, "advertised.listeners", PT_LIST, "", 0, 0, false, "Endpoints given to clients in Metadata, by listener name; defaults to listeners", .check = check_listeners) \
    X(LOG_DIRS, "log.dirs", PT_STRING, "./data", 0, 0, false, "Directory holding topics, offsets and metadata") \
    X(LOG_DIR, "log.dir", PT_STRING, "", 0, 0, false, "Alias of log.dirs when log.dirs is not set") \
    X(NODE_ID, "node.id", PT_INT, "1", 0, INT32_MAX, false, "This broker's id") \
    X(BROKER_ID, "broker.id", PT_INT, "-1", -1, INT32_MAX, false, "Alias of node.id") \
    X(NUM_PARTITIONS, "num.partitions", PT_INT, "1", 1, 100000, true, "Partitions of auto-created topics and of CreateTopics with -1") \
    X(DEFAULT_REPLICATION_FACTOR, "default.replication.factor", PT_INT, "1", 1, 1, false, "Single broker: always 1") \
    X(AUTO_CREATE_TOPICS_ENABLE, "auto.create.topics.enable", PT_BOOL, "true", 0, 0, true, "Create topics named in Metadata requests that allow it") \
    X(DELETE_TOPIC_ENABLE, "delete.topic.enable", PT_BOOL, "true", 0, 0, false, "Allow DeleteTopics") \
    X(LOG_RETENTION_MS, "log.retention.ms", PT_LONG, "", -1, INT64_MAX, true, "Retention time; -1 keeps forever (default from log.retention.minutes/hours: 168 h)") \
    X(LOG_RETENTION_MINUTES, "log.retention.minutes", PT_INT, "", -1, INT32_MAX, false, "Retention in minutes, if log.retention.ms is not set") \
    X(LOG_RETENTION_HOURS, "log.retention.hours", PT_INT, "168", -1, INT32_MAX, false, "Retention in hours, if neither of the above is set") \
    X(LOG_RETENTION_BYTES, "log.retention.bytes", PT_LONG, "-1", -1, INT64_MAX, true, "Retention size per partition; -1 unlimited") \
    X(LOG_RETENTION_CHECK_INTERVAL_MS, "log.retention.check.interval.ms", PT_LONG, "300000", 1, INT64_MAX, false, "How often retention and time-based rolls run") \
    X(LOG_SEGMENT_BYTES, "log.segment.bytes", PT_INT, "1073741824", 14, INT32_MAX, true, "Segment size before a roll") \
    X(LOG_ROLL_MS, "log.roll.ms", PT_LONG, "", 1, INT64_MAX, true, "Segment age before a roll (default from log.roll.hours)") \
    X(LOG_ROLL_HOURS, "log.roll.hours", PT_INT, "168", 1, INT32_MAX, false, "Segment age in hours before a roll") \
    X(LOG_INDEX_INTERVAL_BYTES, "log.index.interval.bytes", PT_INT, "4096", 0, INT32_MAX, true, "Bytes between offset index entries") \
    X(LOG_MESSAGE_TIMESTAMP_TYPE, "log.message.timestamp.type", PT_STRING, "CreateTime", 0, 0, true, "CreateTime or LogAppendTime", .allowed = TIMESTAMP_TYPES) \
    X(LOG_CLEANUP_POLICY, "log.cleanup.policy", PT_LIST, "delete", 0, 0, true, "delete (compact is not supported yet)", .allowed = CLEANUP_POLICIES, .check = check_cleanup_policy) \
    X(MESSAGE_MAX_BYTES, "message.max.bytes", PT_INT, "1048588", 0, INT32_MAX, true, "Largest record batch (compressed) accepted") \
    X(MIN_INSYNC_REPLICAS, "min.insync.replicas", PT_INT, "1", 1, 1, true, "Single broker: always 1") \
    X(COMPRESSION_TYPE, "compression.type", PT_STRING, "producer", 0, 0, true, "Only producer: batches are stored as sent", .allowed = COMPRESSION_TYPES, .check = check_compression) \
    X(SOCKET_REQUEST_MAX_BYTES, "socket.request.max.bytes", PT_INT, "104857600", 1024, INT32_MAX, false, "Largest request; a bigger frame closes the connection") \
    X(CONNECTIONS_MAX_IDLE_MS, "connections.max.idle.ms", PT_LONG, "600000", 1, INT64_MAX, false, "Idle connections are closed after this long") \
    X(MAX_CONNECTIONS, "max.connections", PT_INT, "10000", 1, INT32_MAX, false, "Connections accepted at once") \
    X(QUEUED_MAX_REQUESTS, "queued.max.requests", PT_INT, "64", 1, 100000, false, "Requests in flight per connection before it is no longer read") \
    X(QUEUED_MAX_REQUEST_BYTES, "queued.max.request.bytes", PT_LONG, "67108864", 1024, INT64_MAX, false, "Unsent response bytes per connection before it is no longer read") \
    X(GROUP_MIN_SESSION_TIMEOUT_MS, "group.min.session.timeout.ms", PT_INT, "6000", 1, INT32_MAX, false, "Smallest session.timeout.ms a consumer may ask for") \
    X(GROUP_MAX_SESSION_TIMEOUT_MS, "group.max.session.timeout.ms", PT_INT, "1800000", 1, INT32_MAX, false, "Largest session.timeout.ms a consumer may ask for") \
    X(GROUP_INITIAL_REBALANCE_DELAY_MS, "group.initial.rebalance.delay.ms", PT_INT, "3000", 0, INT32_MAX, false, "How long the first rebalance of an empty group waits for more members") \
    X(GROUP_MAX_SIZE, "group.max.size", PT_INT, "2147483647", 1, INT32_MAX, false, "Most members in one consumer group") \
    X(OFFSETS_RETENTION_MINUTES, "offsets.retention.minutes", PT_INT, "10080", 1, INT32_MAX, false, "Committed offsets of an empty group are dropped after this long") \
    X(OFFSETS_RETENTION_CHECK_INTERVAL_MS, "offsets.retention.check.interval.ms", PT_LONG, "600000", 1, INT64_MAX, false, "How often expired offsets are looked for") \
    X(LOG_LEVEL, "log.level", PT_STRING, "info", 0, 0, false, "debug, info, warn or error", .allowed = LOG_LEVELS) \
    X(LOG_FORMAT, "log.format", PT_STRING, "logfmt", 0, 0, false, "logfmt or json", .allowed = LOG_FORMATS) \
    X(HTTP_LISTENERS, "http.listeners", PT_LIST, "http://127.0.0.1:8080", 0, 0, false, "HTTP listener for /metrics, /health, /api and the console: http://host:port (one; port 0 picks a free port); empty turns it off", .check = check_http_listeners) \
    X(HTTP_ADMIN_ENABLED, "http.admin.enabled", PT_STRING, "auto", 0, 0, false, "Whether the HTTP API may change anything (create or delete topics, produce test messages): true, false or auto (on when http.listeners binds loopback only); reads stay open", .allowed = HTTP_ADMIN_VALUES) \
    X(SCHEMA_REGISTRY_LISTENERS, "schema.registry.listeners", PT_LIST, "http://127.0.0.1:8081", 0, 0, false, "Schema registry REST listener (Confluent's API): http://host:port (one; port 0 picks a free port); empty turns it off", .check = check_http_listeners) \
    X(SLOW_REQUEST_MS, "sluice.slow.request.ms", PT_LONG, "1000", 0, INT64_MAX, false, "Requests slower than this are logged at warn level and counted (Fetch, JoinGroup and SyncGroup, which wait on purpose, are not); 0 logs every request") \
    X(VALIDATE_COMPRESSED, "sluice.validate.compressed.batches", PT_BOOL, "true", 0, 0, true, "Decompress produced batches to validate their records") \
    X(KEY_SCHEMA_VALIDATION, "confluent.key.schema.validation", PT_BOOL, "false", 0, 0, true, "Refuse produced records whose key does not carry a schema id registered under the topic's key subject") \
    X(VALUE_SCHEMA_VALIDATION, "confluent.value.schema.validation", PT_BOOL, "false", 0, 0, true, "Refuse produced records whose value does not carry a schema id registered under the topic's value subject") \
    X(KEY_SUBJECT_NAME_STRATEGY, "confluent.key.subject.name.strategy", PT_STRING, "TopicNameStrategy", 0, 0, true, "TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy (Confluent's class names too)", .allowed = SUBJECT_STRATEGIES) \
    X(VALUE_SUBJECT_NAME_STRATEGY, "confluent.value.subject.name.strategy", PT_STRING, "TopicNameStrategy", 0, 0, true, "TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy (Confluent's class names too)", .allowed = SUBJECT_STRATEGIES) \
    X(SLUICE_KEY_SCHEMA_VALIDATION, "sluice.key.schema.validation", PT_STRING, "none", 0, 0, true, "none, id (as confluent.key.schema.validation) or full (also decode each key against its schema)", .allowed = SCHEMA_VALIDATION_LEVELS) \
    X(SLUICE_VALUE_SCHEMA_VALIDATION, "sluice.value.schema.validation", PT_STRING, "none", 0, 0, true, "none, id (as confluent.value.schema.validation) or full (also decode each value against its schema)", .allowed = SCHEMA_VALIDATION_LEVELS) \
    X(PRODUCER_ID_EXPIRATION_MS, "producer.id.expiration.ms", PT_LONG, "86400000", 1, INT64_MAX, true, "Idempotent producer state is dropped after this long without a produce") \
    X(TRANSACTIONAL_ID_EXPIRATION_MS, "transactional.id.expiration.ms", PT_LONG, "604800000", 1, INT64_MAX, false, "Accepted for compatibility: transactions are not supported yet") \
    X(TEST_DROP_AFTER_APPEND, "sluice.test.drop.after.append", PT_INT, "0", 0, INT32_MAX, false, "Test only: after every Nth produce that appended, close the connection instead of answering (0 = off)") \
    X(TEST_CRASH_SIM, "sluice.test.crash.simulation", PT_BOOL, "false", 0, 0, false, "Test only: on SIGUSR2 drop every write not covered by an fsync and exit") \
    X(TEST_OFFSETS_RETENTION_MS, "sluice.test.offsets.retention.ms", PT_LONG, "-1", -1, INT64_MAX, false, "Test only: offsets retention in ms instead of offsets.retention.minutes (-1 = off)") \
    X(TEST_DISK_FULL_FILE, "sluice.test.disk.full.file", PT_STRING, "", 0, 0, false, "Test only: writes fail with ENOSPC while this file exists") \
    X(TEST_STARTUP_DELAY_MS, "sluice.test.startup.delay.ms", PT_INT, "0", 0, 600000, false, "Test only: sleep this long before recovery (to observe /health/ready while starting)") \
    X(TEST_FSYNC_DELAY_MS, "sluice.test.fsync.delay.ms", PT_INT, "0", 0, 600000, false, "Test only: the flusher sleeps this long before each round of fsyncs (to observe what waits for them)")

enum broker_prop {
#define X(id, ...) P_##id,
    BROKER_PROPS(X)
#undef X
    P__COUNT
};

/* Topic-level configs and the broker property they default to. */
/* X(id, name, type, broker synonym id, min, max, doc[, more]) */
#define TOPIC_PROPS(X) \
    X(CLEANUP_POLICY, "cleanup.policy", PT_LIST, LOG_CLEANUP_POLICY, 0, 0, "delete (compact is not supported yet)", .allowed = CLEANUP_POLICIES, .check = check_cleanup_policy) \
    X(RETENTION_MS, "retention.ms", PT_LONG, LOG_RETENTION_MS, -1, INT64_MAX, "How long to keep records; -1 forever") \
    X(RETENTION_BYTES, "retention.bytes", PT_LONG, LOG_RETENTION_BYTES, -1, INT64_MAX, "Partition size to keep; -1 unlimited") \
    X(SEGMENT_BYTES, "segment.bytes", PT_INT, LOG_SEGMENT_BYTES, 14, INT32_MAX, "Segment size before a roll") \
    X(SEGMENT_MS, "segment.ms", PT_LONG, LOG_ROLL_MS, 1, INT64_MAX, "Segment age before a roll") \
    X(MAX_MESSAGE_BYTES, "max.message.bytes", PT_INT, MESSAGE_MAX_BYTES, 0, INT32_MAX, "Largest record batch accepted") \
    X(MESSAGE_TIMESTAMP_TYPE, "message.timestamp.type", PT_STRING, LOG_MESSAGE_TIMESTAMP_TYPE, 0, 0, "CreateTime or LogAppendTime", .allowed = TIMESTAMP_TYPES) \
    X(INDEX_INTERVAL_BYTES, "index.interval.bytes", PT_INT, LOG_INDEX_INTERVAL_BYTES, 0, INT32_MAX, "Bytes between offset index entries") \
    X(MIN_INSYNC_REPLICAS, "min.insync.replicas", PT_INT, MIN_INSYNC_REPLICAS, 1, 1, "Single broker: always 1") \
    X(COMPRESSION_TYPE, "compression.type", PT_STRING, COMPRESSION_TYPE, 0, 0, "Only producer", .allowed = COMPRESSION_TYPES, .check = check_compression) \
    X(VALIDATE_COMPRESSED, "sluice.validate.compressed.batches", PT_BOOL, VALIDATE_COMPRESSED, 0, 0, "Decompress produced batches to validate their records") \
    X(KEY_SCHEMA_VALIDATION, "confluent.key.schema.validation", PT_BOOL, KEY_SCHEMA_VALIDATION, 0, 0, "Keys must carry a schema id registered under the key subject") \
    X(VALUE_SCHEMA_VALIDATION, "confluent.value.schema.validation", PT_BOOL, VALUE_SCHEMA_VALIDATION, 0, 0, "Values must carry a schema id registered under the value subject") \
    X(KEY_SUBJECT_NAME_STRATEGY, "confluent.key.subject.name.strategy", PT_STRING, KEY_SUBJECT_NAME_STRATEGY, 0, 0, "How the key subject is named", .allowed = SUBJECT_STRATEGIES) \
    X(VALUE_SUBJECT_NAME_STRATEGY, "confluent.value.subject.name.strategy", PT_STRING, VALUE_SUBJECT_NAME_STRATEGY, 0, 0, "How the value subject is named", .allowed = SUBJECT_STRATEGIES) \
    X(SLUICE_KEY_SCHEMA_VALIDATION, "sluice.key.schema.validation", PT_STRING, SLUICE_KEY_SCHEMA_VALIDATION, 0, 0, "none, id or full (keys decoded against their schema)", .allowed = SCHEMA_VALIDATION_LEVELS) \
    X(SLUICE_VALUE_SCHEMA_VALIDATION, "sluice.value.schema.validation", PT_STRING, SLUICE_VALUE_SCHEMA_VALIDATION, 0, 0, "none, id or full (values decoded against their schema)", .allowed = SCHEMA_VALIDATION_LEVELS)

enum topic_prop {
#define X(id, ...) T_##id,
    TOPIC_PROPS(X)
#undef X
    T__COUNT
};

/* A value as set: its text (for DescribeConfigs and the start-up log)
 * and its typed form, parsed once. */
struct prop_value {
    char *text;             /* trimmed; NULL = not set at this level */
    int64_t num;            /* INT, LONG: the number; BOOL: 0 or 1; enumerated
                               STRING: index in allowed; enumerated LIST: bits */
};

/* A rule beyond type, range and allowed values; fills err if v breaks it. */
typedef bool prop_check_fn(const char *name, const struct prop_value *v, char *err, size_t errlen);

struct prop_def {
    const char *name;
    enum prop_type type;
    const char *def;        /* broker props: embedded default; "" = derived/unset */
    int64_t min, max;
    bool dynamic;           /* broker props: alterable at run time */
    int synonym;            /* topic props: broker prop id */
    const char *doc;
    const char *const *allowed;   /* enumerated values (PROP_VALUES), NULL = any */
    prop_check_fn *check;
};
extern const struct prop_def broker_prop_defs[P__COUNT];
extern const struct prop_def topic_prop_defs[T__COUNT];

int broker_prop_find(const char *name);   /* -1 if unknown */
int topic_prop_find(const char *name);
/* The known broker property nearest to name (a likely misspelling), or NULL. */
const char *broker_prop_suggest(const char *name);
/* Secrets are never logged or shown: passwords, secrets, JAAS configs. */
bool prop_is_secret(const struct prop_def *d);

/* Where a broker value came from (DescribeConfigs config_source). */
enum prop_source { SRC_DEFAULT = 5, SRC_STATIC = 4, SRC_DYNAMIC_DEFAULT_BROKER = 3, SRC_DYNAMIC_BROKER = 2, SRC_DYNAMIC_TOPIC = 1 };
/* Which static source set it, for the start-up log. */
enum prop_origin { ORIGIN_DEFAULT, ORIGIN_FILE, ORIGIN_ENV, ORIGIN_FLAG };
const char *prop_origin_name(enum prop_origin o);

struct config {
    struct prop_value value[P__COUNT];   /* static: file, env, command line */
    enum prop_origin origin[P__COUNT];
    /* Set at run time (AlterConfigs): per-broker values win over the
     * cluster-wide default ones, which win over the static value. */
    struct prop_value dynamic[2][P__COUNT];
    struct prop_value def[P__COUNT];      /* the embedded defaults, parsed */
    char *ignored_env;                    /* unknown SLUICE_* names, space separated */
};

void config_init(struct config *c);
void config_free(struct config *c);
/* Parses text by the property's type and rules into *out (text copied,
 * trimmed). Returns true, or false with err naming the property. */
bool prop_parse(const struct prop_def *d, const char *text, struct prop_value *out, char *err, size_t errlen);
void prop_value_free(struct prop_value *v);
/* Checks the value against the property's rules without keeping it. */
bool prop_validate(const struct prop_def *d, const char *value, char *err, size_t errlen);
/* Sets a static value; an unknown name is an error that suggests the
 * nearest known one. */
bool config_set(struct config *c, const char *name, const char *value, enum prop_origin origin,
                char *err, size_t errlen);
/* Loads a Java-style properties file (key=value or key: value, # comments). */
bool config_load_file(struct config *c, const char *path, char *err, size_t errlen);
/* SLUICE_* variables; unknown ones (Kubernetes' SLUICE_PORT, ...) are
 * logged and ignored, invalid values of known ones are errors. */
bool config_load_env(struct config *c, char **envp, char *err, size_t errlen);
/* Cross-property checks after loading (listeners parse, policy, ...). */
bool config_finish(struct config *c, char *err, size_t errlen);
/* Logs, once at start, every property not at its default, with its
 * source; secrets masked. */
void config_log_effective(const struct config *c);

const char *config_str(const struct config *c, enum broker_prop p);   /* effective value */
enum prop_source config_source(const struct config *c, enum broker_prop p);
/* Run-time overrides (dynamic broker configs); value NULL removes one.
 * An invalid value is refused (false, err) and the old one kept. */
enum dynamic_layer { DYN_CLUSTER_DEFAULT = 0, DYN_BROKER = 1 };
bool config_set_dynamic(struct config *c, enum dynamic_layer layer, enum broker_prop p, const char *value,
                        char *err, size_t errlen);
int64_t config_int(const struct config *c, enum broker_prop p);
bool config_bool(const struct config *c, enum broker_prop p);
/* Derived values that Kafka computes from several properties. */
int64_t config_retention_ms(const struct config *c);
int64_t config_roll_ms(const struct config *c);

bool parse_int64(const char *s, int64_t *out);
bool parse_bool(const char *s, bool *out);

/* A topic's own overrides, parsed like broker values. */
struct topic_config {
    struct prop_value value[T__COUNT];   /* text NULL = inherit from broker */
};
void topic_config_free(struct topic_config *tc);
void topic_config_copy(struct topic_config *dst, const struct topic_config *src);
/* Sets (value) or removes (NULL) one override after validating it;
 * false with err for an unknown name or an invalid value. */
bool topic_config_set(struct topic_config *tc, const char *name, const char *value, char *err, size_t errlen);
/* Effective value (override, else broker synonym). */
const char *topic_config_str(const struct topic_config *tc, const struct config *c, enum topic_prop p);
int64_t topic_config_int(const struct topic_config *tc, const struct config *c, enum topic_prop p);
bool topic_config_bool(const struct topic_config *tc, const struct config *c, enum topic_prop p);
/* The property that sets p's effective value for this topic: the topic
 * config when overridden, else its broker synonym (for error messages). */
const char *topic_config_origin_name(const struct topic_config *tc, enum topic_prop p);
/* Validates a topic config name and value. */
bool topic_config_check(const char *name, const char *value, char *err, size_t errlen);


/* listeners / advertised.listeners entries: NAME://host:port */
struct endpoint_spec {
    char name[32];        /* listener name, e.g. PLAINTEXT */
    char host[256];       /* "" = all interfaces */
    int port;
};
/* Returns the number parsed (<= max) or -1 with err filled. */
int parse_endpoints(const char *list, struct endpoint_spec *out, int max, char *err, size_t errlen);
#endif
