/* FindCoordinator. Consumer groups and transactions are not built yet:
 * group keys get COORDINATOR_NOT_AVAILABLE (clients retry, and will find
 * this broker once groups exist) and transactional ids get
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, so a transactional producer fails
 * at once with a clear message instead of retrying until its timeout.
 * The API is advertised from v0 because librdkafka reads FindCoordinator
 * v0 as the sign that a broker handles LZ4 (its feature map). */
#include "api/handler.h"

#define KEY_TYPE_GROUP 0
#define KEY_TYPE_TRANSACTION 1

static int16_t coordinator_error(int8_t key_type, struct kstr *msg)
{
    if (key_type == KEY_TYPE_TRANSACTION) {
        *msg = kstr_c("Transactions are not supported by this broker yet");
        return KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    }
    if (key_type == KEY_TYPE_GROUP) {
        *msg = kstr_c("Consumer groups are not supported by this broker yet");
        return KERR_COORDINATOR_NOT_AVAILABLE;
    }
    *msg = kstr_c("Unknown coordinator key type");
    return KERR_INVALID_REQUEST;
}

void handle_find_coordinator(struct request *req)
{
    struct FindCoordinatorRequest m;
    if (!DECODE(req, FindCoordinatorRequest, &m))
        return;
    struct FindCoordinatorResponse resp;
    FindCoordinatorResponse_init(&resp);
    if (req->api_version < 4) {
        resp.error_code = coordinator_error(m.key_type, &resp.error_message);
        resp.node_id = -1;
        resp.host = kstr_c("");
        resp.port = -1;
    } else {
        /* v4+: a batch of keys, one answer each. */
        resp.coordinators_count = m.coordinator_keys_count;
        resp.coordinators = REQ_ALLOC(req, struct FindCoordinatorResponse_Coordinator, m.coordinator_keys_count);
        for (int32_t i = 0; i < m.coordinator_keys_count; i++) {
            struct FindCoordinatorResponse_Coordinator *c = &resp.coordinators[i];
            FindCoordinatorResponse_Coordinator_init(c);
            c->key = m.coordinator_keys[i];
            c->node_id = -1;
            c->host = kstr_c("");
            c->port = -1;
            c->error_code = coordinator_error(m.key_type, &c->error_message);
        }
    }
    RESPOND(req, FindCoordinatorResponse, &resp);
}
