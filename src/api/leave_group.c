/* LeaveGroup: one member (v0-2) or a batch identified by member id or
 * group.instance.id (v3+); the group rebalances without them (group.c). */
#include "api/handler.h"
#include "group/group.h"

void handle_leave_group(struct request *req) { group_leave(req); }
