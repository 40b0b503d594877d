/* Kafka error codes used by the storage layer. The generated table
 * (protocol/gen/errors.h) wins when it exists; the fallbacks below only
 * fill in what it does not define, with the same numeric values. */
#ifndef SLUICE_LOG_KERR_H
#define SLUICE_LOG_KERR_H

#if defined(__has_include)
#if __has_include("protocol/gen/errors.h")
#include "protocol/gen/errors.h"
#endif
#endif

#ifndef KERR_NONE
#define KERR_NONE 0
#endif
#ifndef KERR_UNKNOWN_SERVER_ERROR
#define KERR_UNKNOWN_SERVER_ERROR (-1)
#endif
#ifndef KERR_OFFSET_OUT_OF_RANGE
#define KERR_OFFSET_OUT_OF_RANGE 1
#endif
#ifndef KERR_CORRUPT_MESSAGE
#define KERR_CORRUPT_MESSAGE 2
#endif
#ifndef KERR_MESSAGE_TOO_LARGE
#define KERR_MESSAGE_TOO_LARGE 10
#endif
#ifndef KERR_KAFKA_STORAGE_ERROR
#define KERR_KAFKA_STORAGE_ERROR 56
#endif
#ifndef KERR_UNSUPPORTED_COMPRESSION_TYPE
#define KERR_UNSUPPORTED_COMPRESSION_TYPE 76
#endif
#ifndef KERR_INVALID_RECORD
#define KERR_INVALID_RECORD 87
#endif
#endif
