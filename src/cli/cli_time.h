/* The time formats Kafka's tools take on the command line. */
#ifndef SLUICE_CLI_TIME_H
#define SLUICE_CLI_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* An ISO-8601 duration as java.time.Duration reads it: PnDTnHnMn.nS, each
 * part optional but at least one, e.g. PT1H, P1DT12H, PT0.5S. */
bool cli_parse_duration_ms(const char *s, int64_t *ms);

/* A point in time: YYYY-MM-DDTHH:MM:SS[.sss] with an optional zone (Z,
 * +HH:MM, -HHMM), local time without one, as kafka-consumer-groups takes
 * it; or a number of milliseconds since the epoch. */
bool cli_parse_datetime_ms(const char *s, int64_t *ms);

#endif
