/* The registry inside the broker (see service.h). */
#include "schema/service.h"
#include <stdlib.h>
#include "broker/broker.h"
#include "core/slog.h"
#include "core/util.h"
#include "schema/avro.h"
#include "schema/json_schema.h"
#include "schema/protobuf.h"
#include "schema/store.h"

static const struct sr_format *const formats[] = {&avro_format, &json_schema_format, &protobuf_format, NULL};

int schema_service_start(struct broker *b, char *err, size_t errlen)
{
    struct schema_service *svc = xcalloc(1, sizeof(*svc));
    svc->b = b;
    sr_init(&svc->reg, formats);
    b->schema = svc;
    if (schema_store_load(svc, err, errlen) != 0 ||
        schema_rest_start(svc, config_str(&b->cfg, P_SCHEMA_REGISTRY_LISTENERS), err, errlen) != 0) {
        schema_service_stop(b);
        return -1;
    }
    return 0;
}

void schema_service_stop(struct broker *b)
{
    struct schema_service *svc = b->schema;
    if (!svc)
        return;
    schema_store_cancel_all(svc);
    schema_rest_stop(svc);
    sr_free(&svc->reg);
    for (size_t i = 0; i < svc->nrefusals; i++)
        free(svc->refusals[i].topic);
    free(svc->refusals);
    for (size_t i = 0; i < svc->ncheckers; i++)
        if (svc->checkers[i].ck)
            svc->checkers[i].format->checker_free(svc->checkers[i].ck);
    free(svc->checkers);
    free(svc);
    b->schema = NULL;
}

int schema_service_port(const struct broker *b) { return b->schema ? schema_rest_port(b->schema) : 0; }
