/* The header every Kafka request starts with, after its size prefix:
 * header v1 (api key, version, correlation id, client id), and for the
 * flexible versions of an API header v2, which adds tagged fields. Which
 * versions are flexible comes from Kafka's definitions (gen/api_keys).
 * Only reading: whether the API and version are served is the
 * dispatcher's call. */
#ifndef SLUICE_REQUEST_HEADER_H
#define SLUICE_REQUEST_HEADER_H
#include <stdbool.h>
#include <stdint.h>
#include "core/util.h"
#include "protocol/wire.h"

struct request_header {
    int16_t api_key, api_version;
    int32_t correlation_id;
    struct kstr client_id;     /* a view into the frame; len -1 for null */
};

/* Reads header v1's fields. 0, or -1 if the frame is too short for them. */
int request_header_read(struct rbuf *r, struct request_header *h);
/* Whether a version of an API uses header v2 and a flexible body; false
 * for keys Kafka does not define. */
bool request_header_flexible(int16_t api_key, int16_t api_version);
/* Header v2's tagged fields, after request_header_read: 0, or -1 if malformed. */
int request_header_read_tags(struct rbuf *r);
#endif
