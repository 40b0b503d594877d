/* Streaming decompression of a batch's records block, one codec at a
 * time. Codec contexts are created on first use and reused, so a warm
 * decompressor allocates nothing per batch. */
#ifndef SLUICE_LOG_DECOMPRESS_H
#define SLUICE_LOG_DECOMPRESS_H
#define ZLIB_CONST
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

struct LZ4F_dctx_s;
struct ZSTD_DCtx_s;

struct decomp {
    int codec;
    const uint8_t *src;
    size_t src_len, src_pos;
    bool frame_done;             /* the current gzip member / lz4 or zstd frame is complete */
    uint64_t max_out;            /* refuse single snappy blocks bigger than this */

    z_stream z;
    bool z_ready;
    struct LZ4F_dctx_s *lz4;
    struct ZSTD_DCtx_s *zstd;

    /* snappy has no streaming API: one decoded block (raw) or chunk
     * (xerial framing) waits here to be read */
    uint8_t *snap;
    size_t snap_cap, snap_len, snap_pos;
    bool snap_xerial, snap_raw_done;
};

void decomp_free(struct decomp *d);
/* Starts a compressed block. Returns 0 or a Kafka error code. */
int decomp_begin(struct decomp *d, int codec, const uint8_t *src, size_t len, uint64_t max_out,
                 const char **why);
/* Reads up to cap decoded bytes. *got == 0 means the block ended
 * cleanly. Returns 0 or KERR_CORRUPT_MESSAGE (truncated or bad data). */
int decomp_read(struct decomp *d, uint8_t *out, size_t cap, size_t *got, const char **why);
/* Gives back an oversized snappy buffer after a big batch. */
void decomp_trim(struct decomp *d);
#endif
