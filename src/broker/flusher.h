/* Group commit: one thread that fdatasyncs whatever the loop has
 * written and reports back, so the loop never blocks on the disk and
 * every producer waiting at that moment shares one fsync per file.
 *
 *   loop thread:  append -> flusher_request(p)   (queues p once per round)
 *   flusher:      take the whole queue -> fdatasync each file -> post done
 *   loop thread:  wake -> partition_flushed(p, end) -> high watermark moves,
 *                 acks=all produces complete, parked fetches wake */
#ifndef SLUICE_FLUSHER_H
#define SLUICE_FLUSHER_H
struct broker;
struct partition;
struct flusher;

struct flusher *flusher_start(struct broker *b);
/* Syncs what is queued, then joins the thread. */
void flusher_stop(struct flusher *f);
void flusher_request(struct flusher *f, struct partition *p);
#endif
