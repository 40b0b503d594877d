/* Shared by the coordinator's own files (group.c, member.c, registry.c),
 * not by its users. */
#ifndef SLUICE_GROUP_INTERNAL_H
#define SLUICE_GROUP_INTERNAL_H
#include "group/group.h"

/* group.c */
void group_join_timer_init(struct cgroup *g);
/* Unlinks and frees m, answering its parked calls with error, without
 * moving the group on (the caller does). why, when set, is logged. */
void group_drop_member(struct cgroup *g, struct member *m, int16_t error, const char *why);

/* member.c */
/* A new member appended to g (the first one stays first, and leader);
 * takes member_id. The session timer is set up but not started. */
struct member *member_new(struct cgroup *g, char *member_id, const struct join_args *a,
                          void (*on_session_timeout)(struct loop *l, void *arg));
void member_free(struct member *m);
void member_set_protocols(struct member *m, const struct join_args *a);
bool member_same_protocols(const struct member *m, const struct join_args *a);
void member_set_assignment(struct member *m, const uint8_t *p, int32_t len);
/* Whether every member but except supports one of the joiner's protocols. */
bool group_protocols_compatible(const struct cgroup *g, const struct join_args *a, const struct member *except);
/* The protocol the members vote for; NULL if none is common. Caller frees. */
char *group_select_protocol(const struct cgroup *g);
/* As Kafka: the client id, a dash and a random UUID. Caller frees. */
char *group_new_member_id(struct group_coordinator *gc, struct kstr client_id);
#endif
