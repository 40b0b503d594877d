/* Kafka error codes used by the storage layer: the generated table when
 * it is there, else the same numeric values as macros (so src/log builds
 * on its own). */
#ifndef SLUICE_LOG_KERR_H
#define SLUICE_LOG_KERR_H

#if defined(__has_include) && __has_include("protocol/gen/errors.h")
#include "protocol/gen/errors.h"
#else
#define KERR_UNKNOWN_SERVER_ERROR (-1)
#define KERR_NONE 0
#define KERR_OFFSET_OUT_OF_RANGE 1
#define KERR_CORRUPT_MESSAGE 2
#define KERR_MESSAGE_TOO_LARGE 10
#define KERR_OUT_OF_ORDER_SEQUENCE_NUMBER 45
#define KERR_INVALID_PRODUCER_EPOCH 47
#define KERR_KAFKA_STORAGE_ERROR 56
#define KERR_UNSUPPORTED_COMPRESSION_TYPE 76
#define KERR_INVALID_RECORD 87
#endif

#endif
