/* JoinGroup: parked until the group's join phase ends (src/group), then
 * answered with the generation, the chosen protocol and, for the leader,
 * every member's metadata. v4+ new members first get MEMBER_ID_REQUIRED
 * with their id and join again with it (KIP-394). */
#include "api/handler.h"
#include "group/group.h"

struct join_ctx {
    struct join_call call;
    struct request *req;
};

static struct kstr copy_str(struct request *req, const char *s) { return req_strf(req, "%s", s ? s : ""); }

/* The leader's list: every member's metadata for the chosen protocol. */
static void add_members(struct request *req, const struct cgroup *g, struct JoinGroupResponse *resp)
{
    resp->members_count = g->nmembers;
    resp->members = REQ_ARRAY(req, JoinGroupResponse_JoinGroupResponseMember, g->nmembers);
    int i = 0;
    for (const struct member *o = g->members; o; o = o->next, i++) {
        struct JoinGroupResponse_JoinGroupResponseMember *e = &resp->members[i];
        e->member_id = copy_str(req, o->member_id);
        e->group_instance_id = o->instance_id ? copy_str(req, o->instance_id) : KSTR_NULL;
        const struct member_protocol *p = group_member_protocol(o, g->protocol_name);
        if (p) {
            uint8_t *copy = REQ_ALLOC(req, uint8_t, p->metadata_len);
            if (p->metadata_len > 0)
                memcpy(copy, p->metadata, (size_t)p->metadata_len);
            e->metadata = (struct kbytes){copy, p->metadata_len};
        }
    }
}

static void join_done(struct join_call *call, const struct join_answer *a)
{
    struct request *req = ((struct join_ctx *)call)->req;
    struct JoinGroupResponse resp;
    JoinGroupResponse_init(&resp);
    resp.error_code = a->error;
    if (a->member_id)
        resp.member_id = copy_str(req, a->member_id);
    if (a->error) {
        if (req->api_version >= 7)
            resp.protocol_name = KSTR_NULL;
    } else {
        resp.generation_id = a->generation;
        resp.protocol_type = copy_str(req, a->protocol_type);
        resp.protocol_name = copy_str(req, a->protocol_name);
        resp.leader = copy_str(req, a->leader_id);
        if (a->group)
            add_members(req, a->group, &resp);
    }
    RESPOND(req, JoinGroupResponse, &resp);
}

static void join_cancel(struct request *req) { group_join_abandon(&((struct join_ctx *)req->async)->call); }

void handle_join_group(struct request *req)
{
    struct JoinGroupRequest jr;
    if (!DECODE(req, JoinGroupRequest, &jr))
        return;
    struct join_protocol *protocols = REQ_ALLOC(req, struct join_protocol, jr.protocols_count);
    for (int32_t i = 0; i < jr.protocols_count; i++)
        protocols[i] = (struct join_protocol){jr.protocols[i].name, jr.protocols[i].metadata.p,
                                              jr.protocols[i].metadata.len};
    struct join_args args = {
        .group_id = jr.group_id,
        .member_id = jr.member_id,
        .instance_id = jr.group_instance_id,
        .protocol_type = jr.protocol_type,
        .client_id = req->client_id,
        .client_host = req->conn ? req->conn->peer : "",
        .session_timeout_ms = jr.session_timeout_ms,
        .rebalance_timeout_ms = jr.rebalance_timeout_ms,
        .nprotocols = jr.protocols_count,
        .protocols = protocols,
        .member_id_required = req->api_version >= 4,
    };
    struct join_ctx *ctx = REQ_ALLOC(req, struct join_ctx, 1);
    ctx->call.done = join_done;
    ctx->req = req;
    req->async = ctx;
    req->cancel = join_cancel;
    group_join(req->broker->groups, &args, &ctx->call);
}
