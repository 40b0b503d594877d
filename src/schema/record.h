/* A registry change as a record of the `_schemas` topic, in Confluent
 * Schema Registry's own key and value JSON, so that Confluent's registry
 * or Karapace reading a copy of the topic sees the same schemas:
 *   SCHEMA  key {"keytype":"SCHEMA","subject":S,"version":V,"magic":1}
 *           value {"subject":S,"version":V,"id":I,"schema":...,"deleted":b}
 *           (+ "schemaType" unless AVRO); null value: version deleted for good
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
#include <stdbool.h>
#include <stddef.h>
#include "schema/change.h"

#define SR_TOPIC "_schemas"

/* malloc'd key and value (*value NULL for a tombstone). */
void sr_record_encode(const struct sr_change *c, char **key, char **value);

/* Applies one stored record to the registry. false when it is not a
 * record this registry understands (it is then skipped: Confluent's
 * NOOP keys and future key types are not errors). */
bool sr_record_apply(struct schema_registry *r, const char *key, size_t key_len, const char *value,
                     size_t value_len, bool tombstone);
#endif
