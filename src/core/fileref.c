#include "core/fileref.h"
#include <stdlib.h>
#include <unistd.h>
#include "core/util.h"

struct fileref *fileref_new(int fd, int (*close_fd)(int fd))
{
    struct fileref *f = xmalloc(sizeof(*f));
    f->fd = fd;
    f->close_fd = close_fd;
    atomic_init(&f->refs, 1);
    return f;
}

struct fileref *fileref_get(struct fileref *f)
{
    atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
    return f;
}

void fileref_put(struct fileref *f)
{
    if (!f)
        return;
    if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) == 1) {
        f->close_fd(f->fd);
        free(f);
    }
}
