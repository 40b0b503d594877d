/* The last minutes of traffic and lag, sampled on the loop thread every
 * HISTORY_STEP_MS into a ring, so that the console's charts show the
 * recent past as soon as it opens (GET /api/history). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "broker/broker.h"
#include "broker/topics.h"
#include "group/group.h"
#include "http/http.h"

#define HISTORY_STEP_MS 2000
#define HISTORY_SAMPLES 180          /* 6 minutes */
#define HISTORY_GROUPS 8             /* the most lagging groups of each sample */

struct lag_point {
    char group[96];
    int64_t lag;
};

struct sample {
    int64_t t_ms;                    /* wall clock */
    uint64_t records_in, records_out, bytes_in, bytes_out;
    int ngroups;
    struct lag_point groups[HISTORY_GROUPS];
};

struct history {
    struct broker *b;
    struct timer tick;
    struct sample ring[HISTORY_SAMPLES];
    size_t next, count;
};

static int64_t group_lag(struct broker *b, const struct cgroup *g)
{
    int64_t sum = 0;
    for (const struct committed_offset *co = g->offsets; co; co = co->next) {
        struct topic *t = topic_find(b, kstr_c(co->topic));
        if (!t || co->partition < 0 || co->partition >= t->partition_count)
            continue;
        int64_t hw = plog_high_watermark(t->partitions[co->partition]->log);
        if (co->offset >= 0 && hw > co->offset)
            sum += hw - co->offset;
    }
    return sum;
}

static void take_sample(struct loop *l, void *arg)
{
    struct history *h = arg;
    struct broker *b = h->b;
    struct sample *s = &h->ring[h->next];
    memset(s, 0, sizeof(*s));
    s->t_ms = now_ms();
    s->records_in = b->stats.records_produced;
    s->records_out = b->stats.records_fetched;
    s->bytes_in = b->conns.counters.bytes_in;
    s->bytes_out = b->conns.counters.bytes_out;
    for (struct cgroup *g = b->groups ? b->groups->groups : NULL; g; g = g->next) {
        int64_t lag = group_lag(b, g);
        /* keep the HISTORY_GROUPS largest, sorted descending */
        int pos = s->ngroups;
        while (pos > 0 && s->groups[pos - 1].lag < lag)
            pos--;
        if (pos >= HISTORY_GROUPS)
            continue;
        int last = s->ngroups < HISTORY_GROUPS ? s->ngroups : HISTORY_GROUPS - 1;
        memmove(&s->groups[pos + 1], &s->groups[pos], sizeof(s->groups[0]) * (size_t)(last - pos));
        snprintf(s->groups[pos].group, sizeof(s->groups[pos].group), "%s", g->id);
        s->groups[pos].lag = lag;
        if (s->ngroups < HISTORY_GROUPS)
            s->ngroups++;
    }
    h->next = (h->next + 1) % HISTORY_SAMPLES;
    if (h->count < HISTORY_SAMPLES)
        h->count++;
    loop_timer_at(l, &h->tick, loop_now_ms(l) + HISTORY_STEP_MS);
}

struct history *history_start(struct broker *b)
{
    struct history *h = xcalloc(1, sizeof(*h));
    h->b = b;
    timer_init(&h->tick, take_sample, h);
    loop_timer_at(b->loop, &h->tick, loop_now_ms(b->loop) + HISTORY_STEP_MS);
    return h;
}

void history_stop(struct broker *b, struct history *h)
{
    if (!h)
        return;
    loop_timer_cancel(b->loop, &h->tick);
    free(h);
}

/* [{"t": ms, "records_in": N, ..., "lag": {"group": N, ...}}, ...] oldest first */
void history_json(struct history *h, struct sbuf *out)
{
    json_t *a = json_array();
    for (size_t i = 0; h && i < h->count; i++) {
        const struct sample *s = &h->ring[(h->next + HISTORY_SAMPLES - h->count + i) % HISTORY_SAMPLES];
        json_t *lag = json_object();
        for (int k = 0; k < s->ngroups; k++)
            json_object_set_new(lag, s->groups[k].group, json_integer(s->groups[k].lag));
        json_array_append_new(a, json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}", "t", (json_int_t)s->t_ms, "records_in",
                                           (json_int_t)s->records_in, "records_out", (json_int_t)s->records_out,
                                           "bytes_in", (json_int_t)s->bytes_in, "bytes_out",
                                           (json_int_t)s->bytes_out, "lag", lag));
    }
    char *text = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(a);
    if (text) {
        sbuf_add(out, text, strlen(text));
        free(text);
    }
}
