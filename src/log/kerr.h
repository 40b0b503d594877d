/* Kafka error codes used by the storage layer: the generated table. */
#ifndef SLUICE_LOG_KERR_H
#define SLUICE_LOG_KERR_H

#include "protocol/gen/errors.h"

#endif
