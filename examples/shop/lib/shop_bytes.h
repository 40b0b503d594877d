/* Big-endian integers in header values: Java's ByteBuffer order, which is
 * how Spring Kafka writes and reads its numeric headers. */
#ifndef SHOP_BYTES_H
#define SHOP_BYTES_H
#include <stdint.h>

static inline void shop_put_be32(uint8_t out[4], int32_t v)
{
    uint32_t u = (uint32_t)v;
    for (int i = 3; i >= 0; i--, u >>= 8)
        out[i] = (uint8_t)u;
}

static inline void shop_put_be64(uint8_t out[8], int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        out[i] = (uint8_t)u;
}

static inline int32_t shop_get_be32(const uint8_t in[4])
{
    uint32_t u = 0;
    for (int i = 0; i < 4; i++)
        u = u << 8 | in[i];
    return (int32_t)u;
}

static inline int64_t shop_get_be64(const uint8_t in[8])
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | in[i];
    return (int64_t)u;
}

#endif
