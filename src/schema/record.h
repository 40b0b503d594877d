/* A registry change as a record of the `_schemas` topic, in Confluent
 * Schema Registry's own key and value JSON, so that Confluent's registry
 * or Karapace reading a copy of the topic sees the same schemas:
 *   SCHEMA  key {"keytype":"SCHEMA","subject":S,"version":V,"magic":1}
 *           value {"subject":S,"version":V,"id":I,"schema":...,"deleted":b}
 *           (+ "schemaType" unless AVRO, + "references":[{"name":N,
 *           "subject":S,"version":V}] unless none, both before "schema"
 *           as Confluent's SchemaValue writes them); null value: version
 *           deleted for good
 *   CONFIG  key {"keytype":"CONFIG","subject":S|null,"magic":0}
 *           value {"compatibilityLevel":L}; null value: the subject's removed
 *   MODE    key {"keytype":"MODE","subject":S|null,"magic":0}
 *           value {"mode":M}; null value: the subject's removed
 *   DELETE_SUBJECT key {"keytype":"DELETE_SUBJECT","subject":S,"magic":0}
 *           value {"subject":S,"version":V}: versions up to V soft-deleted
 *           (read, never written: soft deletes are SCHEMA records with
 *           deleted true, which say the same per version)
 * The key is the record's identity, so once the topic is compacted the
 * latest record per key is the state, as Confluent's is. */
#ifndef SLUICE_SCHEMA_RECORD_H
#define SLUICE_SCHEMA_RECORD_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "schema/change.h"

#define SR_TOPIC "_schemas"

/* References as Confluent's JSON writes them, in records and in REST
 * bodies: [{"name":N,"subject":S,"version":V}]. from_json: NULL or an
 * absent array is none; false when an entry is not such an object. */
json_t *sr_refs_to_json(const struct sr_refs *refs);
bool sr_refs_from_json(json_t *arr, struct sr_refs *out);

/* malloc'd key and value (*value NULL for a tombstone). */
void sr_record_encode(const struct sr_change *c, char **key, char **value);

/* Applies one stored record to the registry. false when it is not a
 * record this registry understands (it is then skipped: Confluent's
 * NOOP keys and future key types are not errors). A schema whose
 * references are not known (yet) at replay is kept with its text as
 * stored: Confluent's registries load in log order too. */
bool sr_record_apply(struct schema_registry *r, const char *key, size_t key_len, const char *value,
                     size_t value_len, bool tombstone);
#endif
