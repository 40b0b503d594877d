/* The partition log's internals, shared by the files that implement
 * plog.h: segment.c (names, files), index.c (sparse indexes), scan.c
 * (walking batch headers on disk), checkpoint.c, recovery.c (plog_open),
 * plog.c (append, roll, high watermark, close), plog_read.c,
 * plog_time.c (timestamp queries) and retention.c. */
#ifndef SLUICE_PLOG_INTERNAL_H
#define SLUICE_PLOG_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include "core/invariant.h"
#include "log/plog.h"

#define PLOG_HINTS 32                 /* recent append boundaries, for tail reads */
#define WALK_CHUNK (16u << 10)        /* bytes read at once when walking headers */

/* Sparse index entries, as in the files (big-endian there). */
struct offset_entry {
    uint32_t rel;                     /* batch base offset - segment base */
    uint32_t pos;                     /* file position of that batch */
};
struct time_entry {
    int64_t ts;                       /* largest batch maxTimestamp so far */
    uint32_t rel;                     /* base offset of the first batch that reached it */
};

enum index_state {
    INDEX_UNLOADED,                   /* closed segment: files not read yet */
    INDEX_SAVED,                      /* in memory and the same on disk */
    INDEX_UNSAVED,                    /* in memory, newer than the files */
};

struct segment {
    int64_t base, end;                /* offsets [base, end) */
    int64_t size;                     /* bytes of the .log file in use */
    int64_t max_ts, max_ts_offset;    /* largest batch maxTimestamp and its batch (-1: none) */
    int64_t first_ts;                 /* active: the time segment.ms counts from (-1: empty) */
    int64_t since_entry;              /* bytes appended since the last index entry */
    struct offset_entry *oidx;
    struct time_entry *tidx;
    uint32_t n_oidx, cap_oidx, n_tidx, cap_tidx;
    enum index_state index;
};

struct pos_hint {
    int64_t offset, pos;
};

struct plog {
    char *dir;
    struct log_config cfg;
    uint64_t uid;                     /* names this log in the shared read-file cache */
    struct segment *segs;             /* by base offset; the last one is active */
    int nsegs, cap_segs;
    struct fileref *active;           /* the last segment's file, read-write */
    int64_t log_start, hw, hw_pos;    /* hw_pos: the high watermark's position in the active file */
    uint64_t total_size;
    int32_t leader_epoch;
    struct pos_hint hints[PLOG_HINTS];
    unsigned hint_next;
    /* The closed segment read last: keeps plog_read's borrowed file alive
     * even if the shared cache evicts it; dropped by housekeep when idle. */
    struct fileref *read_file;
    int64_t read_base;
    bool read_used;
    bool dir_sync_pending;            /* new directory entries to fsync before the first write */
    bool parent_sync_pending;         /* ... and the directory itself was created */
    bool clean_on_disk;               /* the checkpoint says clean: rewrite it before writing */
    bool dirty;                       /* changed since the last clean checkpoint */
    bool tail_dirty;                  /* a failed append may have left bytes past the end */
    uint64_t recovered_bytes;
};

static inline struct segment *active_seg(struct plog *l) { return &l->segs[l->nsegs - 1]; }
static inline int64_t plog_leo(const struct plog *l) { return l->segs[l->nsegs - 1].end; }

/* log start <= high watermark <= log end: checked wherever one of them
 * moves, since readers and retention rely on it without checking. */
static inline void plog_check_offsets(const struct plog *l)
{
    INVARIANT(l->log_start <= l->hw && l->hw <= plog_leo(l), "log start <= high watermark <= log end",
              "dir=%s log_start=%lld hw=%lld log_end=%lld", l->dir, (long long)l->log_start, (long long)l->hw,
              (long long)plog_leo(l));
}

/* segment.c */
void seg_path(char *out, size_t n, const char *dir, int64_t base, const char *ext);
bool seg_parse_name(const char *name, int64_t *base, const char **ext);
int plog_find_segment(const struct plog *l, int64_t offset);      /* last with base <= offset, or 0 */
struct segment *plog_add_segment(struct plog *l, int64_t base);   /* appended at the end, empty */
void seg_release(struct segment *s);
void seg_remove_files(const char *dir, int64_t base);
/* The segment's open file (borrowed), opening a closed one on demand. */
struct fileref *plog_segment_file(struct plog *l, int i);
void plog_forget_file(struct plog *l, int64_t base);
void plog_hints_reset(struct plog *l);
int64_t plog_hint_lookup(const struct plog *l, int64_t offset); /* -1 if unknown */

/* index.c */
void index_reset(struct segment *s);
void index_note_batch(struct segment *s, int64_t pos, int64_t base, int64_t size, int64_t max_ts,
                      int32_t interval);
int64_t index_pos_for_offset(const struct segment *s, int64_t offset);
int64_t index_boundary_below(const struct segment *s, int64_t pos_limit);
int64_t index_offset_for_time(const struct segment *s, int64_t ts);
int index_ensure(struct plog *l, int i);                  /* loads or rebuilds; 0 or Kafka error */
int index_load_files(struct plog *l, struct segment *s);  /* 0, or -1 if missing or bad */
int index_save(struct plog *l, struct segment *s);        /* no directory fsync */

/* scan.c */
struct walked_batch {
    int64_t pos, size;                /* where it is in the file */
    int64_t base, last;               /* first and last offset */
    int64_t max_ts;
};
struct hdr_walker {
    int fd;
    int64_t pos, limit;
    int64_t buf_off;
    size_t buf_len;
    int err;                          /* Kafka error that stopped the walk, or 0 */
    uint8_t buf[WALK_CHUNK];
};
void walker_init(struct hdr_walker *w, int fd, int64_t pos, int64_t limit);
bool walker_next(struct hdr_walker *w, struct walked_batch *b);
int read_exact(int fd, void *buf, size_t n, int64_t off);
int write_exact(int fd, const void *buf, size_t n, int64_t off);
/* Finds the batch holding offset (or the first after it) below limit in
 * segment i; w is left just past it. 0 or a Kafka error. */
int plog_locate(struct plog *l, int i, int64_t offset, int64_t limit, struct hdr_walker *w,
                struct walked_batch *b);

/* checkpoint.c */
struct checkpoint {
    bool valid, clean;
    int64_t log_start, recovery_point;
    int32_t leader_epoch;
    int64_t log_end, active_base, active_size, active_first_ts;   /* clean only */
};
int checkpoint_read(const char *dir, struct checkpoint *ck);      /* 0, or -1 missing or bad */
/* No directory fsync, and clean_on_disk is left to the caller, which
 * knows when the new file is durable. */
int checkpoint_write(struct plog *l, bool clean);
/* Writes a not-clean checkpoint and fsyncs the directory. */
int checkpoint_persist(struct plog *l);

/* plog.c */
void plog_normalize_config(struct log_config *c);
int plog_roll(struct plog *l);
void plog_free(struct plog *l);

/* recovery.c */
int recover_segment(struct plog *l, int i, int fd, bool *truncated);
#endif
