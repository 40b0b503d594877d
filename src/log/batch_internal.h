/* Shared between batch.c and batch_records.c. */
#ifndef SLUICE_BATCH_INTERNAL_H
#define SLUICE_BATCH_INTERNAL_H
#include "log/batch.h"
#include "log/decompress.h"

#define BATCH_MAX_RECORD_DEFAULT (64u << 20)          /* one decoded record */
#define BATCH_MAX_DECODED_DEFAULT (1ull << 30)        /* a whole decoded batch */

struct batch_validator {
    struct decomp d;
    uint8_t *win;                /* decoded records not yet parsed */
    size_t win_cap;
    size_t max_record;
    uint64_t max_decoded;
};

/* Walks the records of a batch whose header is already checked (bi),
 * decompressing as it goes. cb may be NULL (validation only).
 * Returns 0 or a Kafka error code with *why set. */
int batch_walk_records(struct batch_validator *v, const struct batch_info *bi, const uint8_t *batch,
                       size_t len, record_cb cb, void *arg, const char **why);
#endif
