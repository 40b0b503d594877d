/* Legacy message sets (magic 0 and 1, before Kafka 0.11): converted to
 * record batches (magic 2) for Produce v0-2, and back for Fetch v0-3,
 * as Kafka 3.x did, so clients that still speak them keep working.
 *
 * A message: offset i64 | size i32 | crc u32 (CRC-32 of the rest) |
 * magic i8 | attributes i8 | timestamp i64 (magic 1 only) | key bytes |
 * value bytes. A compressed message's value is a whole inner message
 * set (gzip, snappy raw or xerial, lz4 frame). */
#ifndef SLUICE_LEGACY_H
#define SLUICE_LEGACY_H
#include <stddef.h>
#include <stdint.h>
#include "core/bytebuf.h"
#include "log/batch.h"

/* Appends the message set's messages to out as one v2 batch, compressed
 * with the first wrapper's codec (none if none). Timestamps of magic 0
 * are -1, as Kafka converts them. Returns 0 or a Kafka error code
 * (CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_COMPRESSION_TYPE) with
 * *why set; out is unchanged then. */
int legacy_to_batch(struct batch_validator *v, const uint8_t *p, size_t len, struct bytebuf *out, const char **why);

/* Appends the records of the whole batches in p (as read from the log)
 * to out as uncompressed messages of magic 0 or 1, headers dropped; a
 * batch cut short at the end is left out. Returns 0 or a Kafka error. */
int legacy_from_batches(struct batch_validator *v, const uint8_t *p, size_t len, int magic, struct bytebuf *out);
#endif
