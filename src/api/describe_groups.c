/* DescribeGroups: state, protocol, members with their metadata and
 * assignment. An unknown group is described as Dead with no error, as
 * Kafka does. */
#include "api/handler.h"
#include "group/group.h"

static struct kbytes copy_bytes(struct request *req, const uint8_t *p, int32_t len)
{
    uint8_t *c = REQ_ALLOC(req, uint8_t, len);
    if (len > 0)
        memcpy(c, p, (size_t)len);
    return (struct kbytes){c, len > 0 ? len : 0};
}

static void describe(struct request *req, struct kstr id, struct DescribeGroupsResponse_DescribedGroup *out)
{
    out->group_id = id;
    out->protocol_type = kstr_c("");
    out->protocol_data = kstr_c("");
    if (id.len <= 0) {
        out->error_code = KERR_INVALID_GROUP_ID;
        out->group_state = kstr_c("");
        return;
    }
    struct cgroup *g = group_find(req->broker, id);
    if (!g) {
        out->group_state = kstr_c("Dead");
        return;
    }
    out->group_state = kstr_c(group_state_name(g->state));
    if (g->protocol_type)
        out->protocol_type = req_strf(req, "%s", g->protocol_type);
    bool stable = g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE;
    if (stable && g->protocol_name)
        out->protocol_data = req_strf(req, "%s", g->protocol_name);
    out->members_count = g->nmembers;
    out->members = REQ_ARRAY(req, DescribeGroupsResponse_DescribedGroupMember, g->nmembers);
    int i = 0;
    for (struct member *m = g->members; m; m = m->next, i++) {
        struct DescribeGroupsResponse_DescribedGroupMember *e = &out->members[i];
        e->member_id = req_strf(req, "%s", m->member_id);
        e->group_instance_id = m->instance_id ? req_strf(req, "%s", m->instance_id) : KSTR_NULL;
        e->client_id = req_strf(req, "%s", m->client_id ? m->client_id : "");
        e->client_host = req_strf(req, "/%s", m->client_host ? m->client_host : "");
        e->member_metadata = copy_bytes(req, NULL, 0);
        for (int k = 0; stable && k < m->nprotocols; k++)
            if (g->protocol_name && strcmp(m->protocols[k].name, g->protocol_name) == 0)
                e->member_metadata = copy_bytes(req, m->protocols[k].metadata, m->protocols[k].metadata_len);
        e->member_assignment = copy_bytes(req, m->assignment, g->state == GROUP_STABLE ? m->assignment_len : 0);
    }
}

void handle_describe_groups(struct request *req)
{
    struct DescribeGroupsRequest m;
    if (!DECODE(req, DescribeGroupsRequest, &m))
        return;
    struct DescribeGroupsResponse resp;
    DescribeGroupsResponse_init(&resp);
    resp.groups_count = m.groups_count;
    resp.groups = REQ_ARRAY(req, DescribeGroupsResponse_DescribedGroup, m.groups_count);
    for (int32_t i = 0; i < m.groups_count; i++)
        describe(req, m.groups[i], &resp.groups[i]);
    RESPOND(req, DescribeGroupsResponse, &resp);
}
