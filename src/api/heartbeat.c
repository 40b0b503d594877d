/* Heartbeat: restarts the member's session timer and tells it about a
 * rebalance (REBALANCE_IN_PROGRESS) so it rejoins (group.c). */
#include "api/handler.h"
#include "group/group.h"

void handle_heartbeat(struct request *req) { group_heartbeat(req); }
