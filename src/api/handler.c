#include "api/handler.h"
#include <stdarg.h>

struct kstr req_strf(struct request *req, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (n >= (int)sizeof(buf))
        n = sizeof(buf) - 1;
    struct kstr s = {arena_strndup(&req->arena, buf, (size_t)n), n};
    return s;
}

char *req_cstr(struct request *req, struct kstr s)
{
    if (s.len < 0)
        return NULL;
    return arena_strndup(&req->arena, s.p, (size_t)s.len);
}

void req_endpoint(const struct request *req, const char **host, int *port)
{
    listener_endpoint(req->conn ? req->conn->listener : &req->broker->listeners[0], host, port);
}
