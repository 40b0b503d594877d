/* The processed-ids set: which event ids a service has already handled,
 * so that a redelivered event (after a crash, a rebalance or a replay) is
 * skipped rather than handled twice. Kept in memory as a hash set and on
 * disk as an append-only file of one id per line, fsynced before
 * shop_idem_add returns: an id is only remembered once it is durable.
 * Instances of a service on one host share the file: each reads what the
 * others added when it is given partitions (shop_idem_refresh), so an event
 * handled by an instance that died before committing is still skipped.
 * (Across hosts the set would live in a compacted topic instead.) */
#ifndef SHOP_IDEM_H
#define SHOP_IDEM_H
#include <stddef.h>

#define SHOP_IDEM_ID_MAX 127

struct shop_idem;

/* Opens (creating) the file at path and reads the ids in it; NULL with
 * errno set on failure. */
struct shop_idem *shop_idem_open(const char *path);
void shop_idem_close(struct shop_idem *set);

int shop_idem_contains(const struct shop_idem *set, const char *id);

/* Remembers id durably (write + fdatasync); 0 also when it was already
 * there, -1 on an I/O error or an id that is empty, too long or holds a
 * newline. */
int shop_idem_add(struct shop_idem *set, const char *id);

/* Reads the ids other instances appended since the last read. */
int shop_idem_refresh(struct shop_idem *set);

size_t shop_idem_count(const struct shop_idem *set);

#endif
