/* DeleteGroups: an empty group's committed offsets are tombstoned in the
 * offsets log and the group is forgotten. A group with members answers
 * NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND. */
#include <stdlib.h>
#include "api/handler.h"
#include "group/group.h"

static int16_t delete_one(struct request *req, struct kstr id)
{
    if (id.len <= 0)
        return KERR_INVALID_GROUP_ID;
    struct cgroup *g = group_find(req->broker, id);
    if (!g || g->state == GROUP_DEAD)
        return KERR_GROUP_ID_NOT_FOUND;
    if (g->state != GROUP_EMPTY || g->members)
        return KERR_NON_EMPTY_GROUP;
    int n = 0;
    for (struct committed_offset *o = g->offsets; o; o = o->next)
        n++;
    if (n > 0) {
        struct offset_commit_item *items = REQ_ALLOC(req, struct offset_commit_item, n);
        int i = 0;
        for (struct committed_offset *o = g->offsets; o; o = o->next, i++) {
            items[i].topic = req_strf(req, "%s", o->topic).p;
            items[i].partition = o->partition;
        }
        int rc = offsets_write(req->broker, g, items, n, true, NULL, NULL, NULL);
        if (rc)
            return rc > 0 ? (int16_t)rc : KERR_UNKNOWN_SERVER_ERROR;
    }
    group_delete(g);
    return 0;
}

void handle_delete_groups(struct request *req)
{
    struct DeleteGroupsRequest m;
    if (!DECODE(req, DeleteGroupsRequest, &m))
        return;
    struct DeleteGroupsResponse resp;
    DeleteGroupsResponse_init(&resp);
    resp.results_count = m.groups_names_count;
    resp.results = REQ_ARRAY(req, DeleteGroupsResponse_DeletableGroupResult, m.groups_names_count);
    for (int32_t i = 0; i < m.groups_names_count; i++) {
        resp.results[i].group_id = m.groups_names[i];
        resp.results[i].error_code = delete_one(req, m.groups_names[i]);
    }
    RESPOND(req, DeleteGroupsResponse, &resp);
}
