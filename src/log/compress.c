/* Compression of a records block for batch_build (the reverse of
 * decompress.c), in the framing Kafka clients produce. */
#include <lz4frame.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include "log/batch_build.h"

static int gzip(const uint8_t *p, size_t n, struct bytebuf *out)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t bound = deflateBound(&z, (uLong)n) + 32;   /* + the gzip header and trailer */
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = bytebuf_reserve(out, bound);
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    size_t got = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END)
        return -1;
    out->len += got;
    return 0;
}

static int snappy(const uint8_t *p, size_t n, struct bytebuf *out)
{
    size_t len = snappy_max_compressed_length(n);
    if (snappy_compress((const char *)p, n, (char *)bytebuf_reserve(out, len), &len) != SNAPPY_OK)
        return -1;
    out->len += len;
    return 0;
}

static int lz4(const uint8_t *p, size_t n, struct bytebuf *out)
{
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    size_t bound = LZ4F_compressFrameBound(n, &prefs);
    size_t len = LZ4F_compressFrame(bytebuf_reserve(out, bound), bound, p, n, &prefs);
    if (LZ4F_isError(len))
        return -1;
    out->len += len;
    return 0;
}

static int zstd(const uint8_t *p, size_t n, struct bytebuf *out)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    if (!c)
        return -1;
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    size_t bound = ZSTD_compressBound(n);
    size_t len = ZSTD_compress2(c, bytebuf_reserve(out, bound), bound, p, n);
    ZSTD_freeCCtx(c);
    if (ZSTD_isError(len))
        return -1;
    out->len += len;
    return 0;
}

int batch_compress(enum compression_codec codec, const uint8_t *p, size_t n, struct bytebuf *out)
{
    switch (codec) {
    case CODEC_NONE:
        bytebuf_put(out, p, n);
        return 0;
    case CODEC_GZIP:
        return gzip(p, n, out);
    case CODEC_SNAPPY:
        return snappy(p, n, out);
    case CODEC_LZ4:
        return lz4(p, n, out);
    case CODEC_ZSTD:
        return zstd(p, n, out);
    }
    return -1;
}
