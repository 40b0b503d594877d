/* Streaming decoders for the four Kafka codecs. Each read fills the
 * caller's buffer as far as it can; the end of the input is only a
 * clean end when the last frame/member was complete. */
#include "log/decompress.h"
#include <lz4frame.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include "core/util.h"
#include "log/batch.h"
#include "log/kerr.h"
#include "core/byteorder.h"

/* Java's snappy framing: magic, then two be32 versions, then chunks. */
static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
#define XERIAL_HEADER_SIZE 16
/* A snappy element produces at most 64 bytes from 3 input bytes. */
#define SNAPPY_MAX_RATIO 22
/* zstd frames may ask for huge windows; 16 MiB is more than producers use. */
#define ZSTD_WINDOW_LOG_MAX 24
#define SNAP_KEEP_BYTES (1u << 20)

static int corrupt(const char **why, const char *reason)
{
    *why = reason;
    return KERR_CORRUPT_MESSAGE;
}

void decomp_free(struct decomp *d)
{
    if (d->z_ready)
        inflateEnd(&d->z);
    if (d->lz4)
        LZ4F_freeDecompressionContext(d->lz4);
    ZSTD_freeDCtx(d->zstd);
    free(d->snap);
    memset(d, 0, sizeof(*d));
}

void decomp_trim(struct decomp *d)
{
    if (d->snap_cap > SNAP_KEEP_BYTES) {
        free(d->snap);
        d->snap = NULL;
        d->snap_cap = 0;
    }
}

int decomp_begin(struct decomp *d, int codec, const uint8_t *src, size_t len, uint64_t max_out,
                 const char **why)
{
    d->codec = codec;
    d->src = src;
    d->src_len = len;
    d->src_pos = 0;
    d->frame_done = false;
    d->max_out = max_out;
    switch (codec) {
    case CODEC_GZIP:
        if (!d->z_ready) {
            memset(&d->z, 0, sizeof(d->z));
            if (inflateInit2(&d->z, 15 + 32) != Z_OK) /* 32: accept gzip or zlib headers */
                return corrupt(why, "gzip init failed");
            d->z_ready = true;
        } else if (inflateReset(&d->z) != Z_OK) {
            return corrupt(why, "gzip reset failed");
        }
        return 0;
    case CODEC_SNAPPY:
        d->snap_len = d->snap_pos = 0;
        d->snap_raw_done = false;
        d->snap_xerial = len >= XERIAL_HEADER_SIZE && memcmp(src, xerial_magic, sizeof(xerial_magic)) == 0;
        if (d->snap_xerial)
            d->src_pos = XERIAL_HEADER_SIZE;
        return 0;
    case CODEC_LZ4:
        if (!d->lz4) {
            if (LZ4F_isError(LZ4F_createDecompressionContext(&d->lz4, LZ4F_VERSION)))
                return corrupt(why, "lz4 init failed");
        } else {
            LZ4F_resetDecompressionContext(d->lz4);
        }
        return 0;
    case CODEC_ZSTD:
        if (!d->zstd) {
            d->zstd = ZSTD_createDCtx();
            if (!d->zstd)
                return corrupt(why, "zstd init failed");
            ZSTD_DCtx_setParameter(d->zstd, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
        } else {
            ZSTD_DCtx_reset(d->zstd, ZSTD_reset_session_only);
        }
        return 0;
    default:
        *why = "unsupported compression codec";
        return KERR_UNSUPPORTED_COMPRESSION_TYPE;
    }
}

static int read_gzip(struct decomp *d, uint8_t *out, size_t cap, size_t *got, const char **why)
{
    z_stream *z = &d->z;
    z->next_out = out;
    z->avail_out = (uInt)MIN(cap, (size_t)UINT32_MAX);
    z->next_in = d->src + d->src_pos;
    z->avail_in = (uInt)(d->src_len - d->src_pos);
    int rc = 0;
    while (z->avail_out > 0) {
        if (d->frame_done) {
            if (d->src_pos == d->src_len)
                break;                        /* clean end */
            if (inflateReset(z) != Z_OK) {    /* concatenated gzip members */
                rc = corrupt(why, "gzip reset failed");
                break;
            }
            d->frame_done = false;
        }
        uInt in_before = z->avail_in, out_before = z->avail_out;
        int zr = inflate(z, Z_NO_FLUSH);
        d->src_pos = d->src_len - z->avail_in;
        if (zr == Z_STREAM_END) {
            d->frame_done = true;
            continue;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = corrupt(why, "gzip data is corrupt");
            break;
        }
        if (z->avail_in == in_before && z->avail_out == out_before) {
            rc = corrupt(why, "gzip data is truncated");
            break;
        }
    }
    *got = (size_t)(z->next_out - out);
    return rc;
}

static int read_lz4(struct decomp *d, uint8_t *out, size_t cap, size_t *got, const char **why)
{
    size_t done = 0;
    while (done < cap) {
        size_t in = d->src_len - d->src_pos, outsz = cap - done;
        if (in == 0 && d->frame_done)
            break;
        size_t r = LZ4F_decompress(d->lz4, out + done, &outsz, d->src + d->src_pos, &in, NULL);
        if (LZ4F_isError(r)) {
            *got = done;
            return corrupt(why, "lz4 data is corrupt");
        }
        d->src_pos += in;
        done += outsz;
        d->frame_done = r == 0;   /* a new frame may follow */
        if (in == 0 && outsz == 0 && !d->frame_done) {
            *got = done;
            return corrupt(why, "lz4 data is truncated");
        }
    }
    *got = done;
    return 0;
}

static int read_zstd(struct decomp *d, uint8_t *out, size_t cap, size_t *got, const char **why)
{
    ZSTD_outBuffer ob = {out, cap, 0};
    ZSTD_inBuffer ib = {d->src, d->src_len, d->src_pos};
    int rc = 0;
    while (ob.pos < ob.size) {
        if (ib.pos == ib.size && d->frame_done)
            break;
        size_t in_before = ib.pos, out_before = ob.pos;
        size_t r = ZSTD_decompressStream(d->zstd, &ob, &ib);
        if (ZSTD_isError(r)) {
            rc = corrupt(why, "zstd data is corrupt");
            break;
        }
        d->frame_done = r == 0;
        if (ib.pos == in_before && ob.pos == out_before && !(d->frame_done && ib.pos == ib.size)) {
            rc = corrupt(why, "zstd data is truncated");
            break;
        }
    }
    d->src_pos = ib.pos;
    *got = ob.pos;
    return rc;
}

/* Decodes the next snappy block into d->snap. Returns 0, -1 at the end,
 * or an error code. */
static int snappy_next_block(struct decomp *d, const char **why)
{
    const uint8_t *block;
    size_t blen;
    if (!d->snap_xerial) {
        if (d->snap_raw_done)
            return -1;
        d->snap_raw_done = true;
        block = d->src;
        blen = d->src_len;
        d->src_pos = d->src_len;
    } else {
        if (d->src_pos == d->src_len)
            return -1;
        if (d->src_len - d->src_pos < 4)
            return corrupt(why, "snappy chunk header is truncated");
        blen = be32(d->src + d->src_pos);
        d->src_pos += 4;
        if (blen > d->src_len - d->src_pos)
            return corrupt(why, "snappy chunk is truncated");
        block = d->src + d->src_pos;
        d->src_pos += blen;
    }
    size_t ulen;
    if (snappy_uncompressed_length((const char *)block, blen, &ulen) != SNAPPY_OK)
        return corrupt(why, "snappy data is corrupt");
    if (ulen / SNAPPY_MAX_RATIO > blen || ulen > d->max_out)
        return corrupt(why, "snappy block claims an impossible size");
    if (ulen > d->snap_cap) {
        free(d->snap);
        d->snap = xmalloc(ulen);
        d->snap_cap = ulen;
    }
    size_t outlen = ulen;
    if (ulen > 0 && (snappy_uncompress((const char *)block, blen, (char *)d->snap, &outlen) != SNAPPY_OK ||
                     outlen != ulen))
        return corrupt(why, "snappy data is corrupt");
    d->snap_len = ulen;
    d->snap_pos = 0;
    return 0;
}

static int read_snappy(struct decomp *d, uint8_t *out, size_t cap, size_t *got, const char **why)
{
    size_t done = 0;
    while (done < cap) {
        if (d->snap_pos < d->snap_len) {
            size_t n = MIN(cap - done, d->snap_len - d->snap_pos);
            memcpy(out + done, d->snap + d->snap_pos, n);
            d->snap_pos += n;
            done += n;
            continue;
        }
        int rc = snappy_next_block(d, why);
        if (rc < 0)
            break;
        if (rc > 0) {
            *got = done;
            return rc;
        }
    }
    *got = done;
    return 0;
}

int decomp_read(struct decomp *d, uint8_t *out, size_t cap, size_t *got, const char **why)
{
    *got = 0;
    switch (d->codec) {
    case CODEC_GZIP: return read_gzip(d, out, cap, got, why);
    case CODEC_SNAPPY: return read_snappy(d, out, cap, got, why);
    case CODEC_LZ4: return read_lz4(d, out, cap, got, why);
    case CODEC_ZSTD: return read_zstd(d, out, cap, got, why);
    default: return corrupt(why, "no decoder");
    }
}
