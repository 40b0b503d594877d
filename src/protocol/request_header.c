#include "protocol/request_header.h"
#include "protocol/gen/api_keys.h"

int request_header_read(struct rbuf *r, struct request_header *h)
{
    h->api_key = r_i16(r);
    h->api_version = r_i16(r);
    h->correlation_id = r_i32(r);
    h->client_id = r_string(r, false);   /* never compact, even in header v2 */
    return r->err ? -1 : 0;
}

bool request_header_flexible(int16_t api_key, int16_t api_version)
{
    const struct api_spec *s = api_spec_get(api_key);
    return s && s->flexible_min >= 0 && api_version >= s->flexible_min;
}

int request_header_read_tags(struct rbuf *r)
{
    r_skip_tags(r);
    return r->err ? -1 : 0;
}
