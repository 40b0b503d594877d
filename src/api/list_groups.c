/* ListGroups: every group this coordinator knows, with its protocol type
 * and (v4+) state, filtered by state (v4+, case-insensitive) and by type
 * (v5+: only "classic" groups exist here). */
#include <strings.h>
#include "api/handler.h"
#include "group/group.h"

static bool matches(const struct kstr *filter, int32_t n, const char *value)
{
    if (n <= 0)
        return true;
    for (int32_t i = 0; i < n; i++)
        if (filter[i].len == (int32_t)strlen(value) && strncasecmp(filter[i].p, value, (size_t)filter[i].len) == 0)
            return true;
    return false;
}

void handle_list_groups(struct request *req)
{
    struct ListGroupsRequest m;
    if (!DECODE(req, ListGroupsRequest, &m))
        return;
    struct ListGroupsResponse resp;
    ListGroupsResponse_init(&resp);
    struct group_coordinator *gc = req->broker->groups;
    int n = 0;
    for (struct cgroup *g = gc->groups; g; g = g->next)
        n++;
    resp.groups = REQ_ARRAY(req, ListGroupsResponse_ListedGroup, n);
    for (struct cgroup *g = gc->groups; g; g = g->next) {
        if (g->state == GROUP_DEAD || !matches(m.states_filter, m.states_filter_count, group_state_name(g->state)) ||
            !matches(m.types_filter, m.types_filter_count, "classic"))
            continue;
        struct ListGroupsResponse_ListedGroup *e = &resp.groups[resp.groups_count++];
        e->group_id = req_strf(req, "%s", g->id);
        e->protocol_type = req_strf(req, "%s", g->protocol_type ? g->protocol_type : "");
        e->group_state = kstr_c(group_state_name(g->state));
        e->group_type = kstr_c("classic");
    }
    RESPOND(req, ListGroupsResponse, &resp);
}
