/* InitProducerId (v0-5): ids for idempotent producers. Transactional ids
 * are refused (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) until transactions
 * exist. v3+ with the producer's current id and epoch bumps the epoch
 * (KIP-360); an id this broker does not know, or an epoch older than the
 * latest, gets INVALID_PRODUCER_EPOCH. (Kafka itself ignores the id and
 * epoch without a transactional id and hands out a new id; clients do not
 * send them then: librdkafka and the Java client bump an idempotent
 * producer's epoch locally, which Produce accepts from sequence 0.) */
#include "api/handler.h"

void handle_init_producer_id(struct request *req)
{
    struct InitProducerIdRequest m;
    if (!DECODE(req, InitProducerIdRequest, &m))
        return;
    struct InitProducerIdResponse resp;
    InitProducerIdResponse_init(&resp);
    resp.producer_id = -1;
    resp.producer_epoch = -1;
    if (m.transactional_id.len == 0) {
        resp.error_code = KERR_INVALID_REQUEST;   /* as Kafka: an empty id is neither null nor an id */
    } else if (m.transactional_id.len > 0) {
        resp.error_code = KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    } else {
        int64_t pid = req->api_version >= 3 ? m.producer_id : -1;
        int16_t epoch = req->api_version >= 3 ? m.producer_epoch : -1;
        int64_t out_pid;
        int16_t out_epoch;
        int rc = producers_init(req->broker, pid, epoch, &out_pid, &out_epoch);
        if (rc) {
            resp.error_code = (int16_t)rc;
        } else {
            resp.producer_id = out_pid;
            resp.producer_epoch = out_epoch;
        }
    }
    RESPOND(req, InitProducerIdResponse, &resp);
}
