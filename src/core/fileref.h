/* A reference-counted open file descriptor.
 * Segments hold one reference; a response that splices file bytes into
 * the socket (sendfile) and the flusher thread while it syncs each hold
 * another, so a segment deleted by retention stays readable until the
 * last user is done. The count is atomic because the flusher is a
 * separate thread. */
#ifndef SLUICE_FILEREF_H
#define SLUICE_FILEREF_H
#include <stdatomic.h>

struct fileref {
    int fd;
    atomic_int refs;
    int (*close_fd)(int fd);   /* the log's fileio_close, so fault injection sees it */
};

/* Takes ownership of fd, refs = 1; close_fd closes it at zero. */
struct fileref *fileref_new(int fd, int (*close_fd)(int fd));
struct fileref *fileref_get(struct fileref *f);
void fileref_put(struct fileref *f);       /* closes fd at zero */
#endif
