/* Heartbeat: restarts the member's session timer and tells it about a
 * rebalance (REBALANCE_IN_PROGRESS) so it rejoins (src/group). */
#include "api/handler.h"
#include "group/group.h"

void handle_heartbeat(struct request *req)
{
    struct HeartbeatRequest hr;
    if (!DECODE(req, HeartbeatRequest, &hr))
        return;
    struct HeartbeatResponse resp;
    HeartbeatResponse_init(&resp);
    resp.error_code =
        group_heartbeat(req->broker->groups, hr.group_id, hr.member_id, hr.group_instance_id, hr.generation_id);
    RESPOND(req, HeartbeatResponse, &resp);
}
