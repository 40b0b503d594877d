/* SyncGroup: the leader hands in the assignment; followers are parked
 * until it arrives (group.c), then each gets its own. */
#include "api/handler.h"
#include "group/group.h"

void handle_sync_group(struct request *req) { group_sync(req); }
