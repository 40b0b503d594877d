/* JoinGroup: parked until the group's join phase ends (group.c), then
 * answered with the generation, the chosen protocol and, for the leader,
 * every member's metadata. v4+ new members first get MEMBER_ID_REQUIRED
 * with their id and join again with it (KIP-394). */
#include "api/handler.h"
#include "group/group.h"

void handle_join_group(struct request *req) { group_join(req); }
