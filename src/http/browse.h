/* Browsing and searching one partition for the console (GET
 * /api/topics/NAME/messages), on the loop thread. The scan is bounded:
 * it looks at no more than max_records records and about max_bytes bytes
 * of keys, values and headers (backward: a step over at most) and stops
 * at limit matches, so a search of a
 * long partition cannot stall the Kafka loop. The result says which
 * offsets were searched, so the caller can go on from there:
 *   forward (from >= 0): the first `limit` matches from `from` up;
 *   backward (from < 0): the newest `limit` matches below `before`,
 *   found by scanning ever larger steps back from it. */
#ifndef SLUICE_HTTP_BROWSE_H
#define SLUICE_HTTP_BROWSE_H
#include <jansson.h>
#include <stdint.h>

struct plog;
struct batch_validator;

struct browse_query {
    int32_t partition;
    int64_t from;                 /* forward from this offset; -1: backward */
    int64_t before;               /* backward: below this offset; -1: the high watermark */
    int limit;                    /* matches returned, at most (>= 1) */
    const char *q;                /* text in the key or value; NULL: every record */
    int64_t max_records, max_bytes;
};

struct browse_result {
    json_t *messages;             /* the matches, ascending offsets */
    int64_t searched_from, searched_to;   /* [from, to): every record there was looked at */
    int64_t records, bytes;       /* records looked at there, and the bytes of their keys, values, headers */
};

/* Returns 0 or a Kafka error code; out->messages is set either way. */
int browse_partition(struct batch_validator *v, struct plog *l, const struct browse_query *q,
                     struct browse_result *out);
#endif
