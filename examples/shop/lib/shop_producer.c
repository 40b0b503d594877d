#include "shop_producer.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shop_producer {
    rd_kafka_t *rk;
};

/* One send's outcome, filled in by the delivery report. */
struct delivery {
    atomic_int done;
    rd_kafka_resp_err_t err;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct delivery *d = m->_private;
    d->err = m->err;
    atomic_store(&d->done, 1);
}

int shop_conf_apply(rd_kafka_conf_t *conf, const char *const *props, char *err, size_t errlen)
{
    for (; props && *props; props++) {
        char name[256];
        const char *eq = strchr(*props, '=');
        if (!eq || (size_t)(eq - *props) >= sizeof name) {
            snprintf(err, errlen, "setting %s is not name=value", *props);
            return -1;
        }
        memcpy(name, *props, (size_t)(eq - *props));
        name[eq - *props] = '\0';
        if (rd_kafka_conf_set(conf, name, eq + 1, err, errlen) != RD_KAFKA_CONF_OK)
            return -1;
    }
    return 0;
}

struct shop_producer *shop_producer_new(const char *bootstrap, const char *client_id,
                                        const char *const *props, char *err, size_t errlen)
{
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%d", SHOP_DELIVERY_TIMEOUT_MS);
    const char *const safe[] = {
        "enable.idempotence=true", "acks=all", "linger.ms=5", NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, errlen) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "client.id", client_id, err, errlen) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "delivery.timeout.ms", timeout, err, errlen) != RD_KAFKA_CONF_OK ||
        shop_conf_apply(conf, safe, err, errlen) != 0 || shop_conf_apply(conf, props, err, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, errlen);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    struct shop_producer *p = calloc(1, sizeof *p);
    if (!p) {
        rd_kafka_destroy(rk);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->rk = rk;
    return p;
}

void shop_producer_free(struct shop_producer *p)
{
    if (!p)
        return;
    rd_kafka_flush(p->rk, SHOP_DELIVERY_TIMEOUT_MS);
    rd_kafka_destroy(p->rk);
    free(p);
}

rd_kafka_t *shop_producer_handle(struct shop_producer *p) { return p->rk; }

int shop_producer_send(struct shop_producer *p, const char *topic, int32_t partition,
                       const void *key, size_t key_len, const void *value, size_t value_len,
                       rd_kafka_headers_t *hdrs, char *err, size_t errlen)
{
    struct delivery d = {.err = RD_KAFKA_RESP_ERR_NO_ERROR};
    atomic_init(&d.done, 0);
    rd_kafka_headers_t *owned = hdrs ? hdrs : rd_kafka_headers_new(0);
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(owned),
        RD_KAFKA_V_OPAQUE(&d), RD_KAFKA_V_END);
    if (e) {
        rd_kafka_headers_destroy(owned);   /* producev takes them only on success */
        snprintf(err, errlen, "%s: %s", topic, rd_kafka_err2str(e));
        return -1;
    }
    /* The report comes within delivery.timeout.ms; any thread's poll may
     * serve it, so wait on this send's own flag. */
    while (!atomic_load(&d.done))
        rd_kafka_poll(p->rk, 20);
    if (d.err) {
        snprintf(err, errlen, "%s: %s", topic, rd_kafka_err2str(d.err));
        return -1;
    }
    return 0;
}
