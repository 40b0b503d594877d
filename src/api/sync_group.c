/* SyncGroup: the leader hands in the assignment; followers are parked
 * until it arrives (src/group), then each gets its own. */
#include "api/handler.h"
#include "group/group.h"

struct sync_ctx {
    struct sync_call call;
    struct request *req;
};

static void sync_done(struct sync_call *call, const struct sync_answer *a)
{
    struct request *req = ((struct sync_ctx *)call)->req;
    struct SyncGroupResponse resp;
    SyncGroupResponse_init(&resp);
    resp.error_code = a->error;
    if (!a->error) {
        resp.protocol_type = a->protocol_type ? req_strf(req, "%s", a->protocol_type) : KSTR_NULL;
        resp.protocol_name = a->protocol_name ? req_strf(req, "%s", a->protocol_name) : KSTR_NULL;
    }
    uint8_t *copy = REQ_ALLOC(req, uint8_t, a->assignment_len);
    if (a->assignment_len > 0)
        memcpy(copy, a->assignment, (size_t)a->assignment_len);
    resp.assignment = (struct kbytes){copy, a->assignment_len > 0 ? a->assignment_len : 0};
    RESPOND(req, SyncGroupResponse, &resp);
}

static void sync_cancel(struct request *req) { group_sync_abandon(&((struct sync_ctx *)req->async)->call); }

void handle_sync_group(struct request *req)
{
    struct SyncGroupRequest sr;
    if (!DECODE(req, SyncGroupRequest, &sr))
        return;
    struct sync_assignment *assignments = REQ_ALLOC(req, struct sync_assignment, sr.assignments_count);
    for (int32_t i = 0; i < sr.assignments_count; i++)
        assignments[i] = (struct sync_assignment){sr.assignments[i].member_id, sr.assignments[i].assignment.p,
                                                  sr.assignments[i].assignment.len};
    struct sync_args args = {
        .group_id = sr.group_id,
        .member_id = sr.member_id,
        .instance_id = sr.group_instance_id,
        .protocol_type = sr.protocol_type,
        .protocol_name = sr.protocol_name,
        .generation = sr.generation_id,
        .nassignments = sr.assignments_count,
        .assignments = assignments,
    };
    struct sync_ctx *ctx = REQ_ALLOC(req, struct sync_ctx, 1);
    ctx->call.done = sync_done;
    ctx->req = req;
    req->async = ctx;
    req->cancel = sync_cancel;
    group_sync(req->broker->groups, &args, &ctx->call);
}
