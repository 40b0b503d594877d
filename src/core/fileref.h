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
};

struct fileref *fileref_new(int fd);       /* takes ownership of fd, refs = 1 */
struct fileref *fileref_get(struct fileref *f);
void fileref_put(struct fileref *f);       /* closes fd at zero */
#endif
