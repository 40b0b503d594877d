/* FindCoordinator. This single broker coordinates every consumer group:
 * group keys get this broker's node id and the endpoint of the listener
 * the request came in on. Transactional ids get
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, so a transactional producer fails
 * at once with a clear message instead of retrying until its timeout.
 * The API is advertised from v0 because librdkafka reads FindCoordinator
 * v0 as the sign that a broker handles LZ4 (its feature map). */
#include "api/handler.h"

#define KEY_TYPE_GROUP 0
#define KEY_TYPE_TRANSACTION 1

/* Fills node/host/port for a group key, or returns an error code. */
static int16_t coordinator_for(struct request *req, int8_t key_type, struct kstr key, struct kstr *msg,
                               int32_t *node_id, struct kstr *host, int32_t *port)
{
    *node_id = -1;
    *host = kstr_c("");
    *port = -1;
    if (key_type == KEY_TYPE_TRANSACTION) {
        *msg = kstr_c("Transactions are not supported by this broker yet");
        return KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    }
    if (key_type != KEY_TYPE_GROUP) {
        *msg = kstr_c("Unknown coordinator key type");
        return KERR_INVALID_REQUEST;
    }
    if (key.len <= 0) {
        *msg = kstr_c("The group id must not be empty");
        return KERR_INVALID_GROUP_ID;
    }
    const char *h = NULL;
    int p = -1;
    req_endpoint(req, &h, &p);
    *node_id = req->broker->node_id;
    *host = req_strf(req, "%s", h);
    *port = p;
    *msg = KSTR_NULL;
    return 0;
}

void handle_find_coordinator(struct request *req)
{
    struct FindCoordinatorRequest m;
    if (!DECODE(req, FindCoordinatorRequest, &m))
        return;
    struct FindCoordinatorResponse resp;
    FindCoordinatorResponse_init(&resp);
    if (req->api_version < 4) {
        resp.error_code = coordinator_for(req, m.key_type, m.key, &resp.error_message, &resp.node_id, &resp.host,
                                          &resp.port);
    } else {
        /* v4+: a batch of keys, one answer each. */
        resp.coordinators_count = m.coordinator_keys_count;
        resp.coordinators = REQ_ARRAY(req, FindCoordinatorResponse_Coordinator, m.coordinator_keys_count);
        for (int32_t i = 0; i < m.coordinator_keys_count; i++) {
            struct FindCoordinatorResponse_Coordinator *c = &resp.coordinators[i];
            c->key = m.coordinator_keys[i];
            c->error_code = coordinator_for(req, m.key_type, c->key, &c->error_message, &c->node_id, &c->host,
                                            &c->port);
        }
    }
    RESPOND(req, FindCoordinatorResponse, &resp);
}
