/* Binds the group coordinator to the broker: the event loop's clock and
 * timers as its group_host, the group.* settings as its limits, and
 * lookups by broker for the handlers. The state machine itself knows
 * neither the loop nor the configuration. */
#include "broker/broker.h"
#include "group/group.h"

static int64_t loop_now(void *ctx) { return loop_now_ms(ctx); }
static void loop_timer_set(void *ctx, struct timer *t, int64_t when_ms) { loop_timer_at(ctx, t, when_ms); }
static void loop_timer_unset(void *ctx, struct timer *t) { loop_timer_cancel(ctx, t); }

void group_coordinator_bind(struct group_coordinator *gc, struct broker *b)
{
    struct group_host host = {
        .ctx = b->loop,
        .now_ms = loop_now,
        .timer_at = loop_timer_set,
        .timer_cancel = loop_timer_unset,
    };
    struct group_limits limits = {
        .min_session_timeout_ms = (int32_t)config_int(&b->cfg, P_GROUP_MIN_SESSION_TIMEOUT_MS),
        .max_session_timeout_ms = (int32_t)config_int(&b->cfg, P_GROUP_MAX_SESSION_TIMEOUT_MS),
        .initial_rebalance_delay_ms = (int32_t)config_int(&b->cfg, P_GROUP_INITIAL_REBALANCE_DELAY_MS),
        .max_size = (int32_t)config_int(&b->cfg, P_GROUP_MAX_SIZE),
    };
    group_coordinator_init(gc, &host, &limits);
    gc->b = b;
}

struct cgroup *group_find(struct broker *b, struct kstr id) { return b->groups ? group_lookup(b->groups, id) : NULL; }

struct cgroup *group_get_or_create(struct broker *b, struct kstr id) { return group_lookup_or_create(b->groups, id); }
