/* LeaveGroup: one member (v0-2) or a batch identified by member id or
 * group.instance.id (v3+); the group rebalances without them (src/group). */
#include "api/handler.h"
#include "group/group.h"

void handle_leave_group(struct request *req)
{
    struct LeaveGroupRequest lr;
    if (!DECODE(req, LeaveGroupRequest, &lr))
        return;
    struct group_coordinator *gc = req->broker->groups;
    struct LeaveGroupResponse resp;
    LeaveGroupResponse_init(&resp);
    if (req->api_version < 3) {
        resp.error_code = group_leave(gc, lr.group_id, lr.member_id, KSTR_NULL);
    } else if ((resp.error_code = group_status(gc, lr.group_id)) == KERR_UNKNOWN_MEMBER_ID || !resp.error_code) {
        resp.error_code = 0;   /* as Kafka: a group that does not exist answers member by member */
        resp.members_count = lr.members_count;
        resp.members = REQ_ARRAY(req, LeaveGroupResponse_MemberResponse, lr.members_count);
        for (int32_t i = 0; i < lr.members_count; i++) {
            struct LeaveGroupResponse_MemberResponse *r = &resp.members[i];
            r->member_id = lr.members[i].member_id;
            r->group_instance_id = lr.members[i].group_instance_id;
            /* A group emptied by an earlier entry may be gone by now: UNKNOWN_MEMBER_ID. */
            r->error_code = group_leave(gc, lr.group_id, lr.members[i].member_id, lr.members[i].group_instance_id);
        }
    }
    RESPOND(req, LeaveGroupResponse, &resp);
}
