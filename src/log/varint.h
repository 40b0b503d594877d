/* Zig-zag varints as used inside records (protobuf style). Bounded:
 * they never read at or past end, and reject over-long encodings. */
#ifndef SLUICE_LOG_VARINT_H
#define SLUICE_LOG_VARINT_H
#include <stdbool.h>
#include <stdint.h>

static inline bool rd_varint(const uint8_t **pp, const uint8_t *end, int32_t *out)
{
    const uint8_t *p = *pp;
    uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (p >= end)
            return false;
        uint8_t b = *p++;
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = (int32_t)((v >> 1) ^ (~(v & 1) + 1));
            return true;
        }
    }
    return false;
}

static inline bool rd_varlong(const uint8_t **pp, const uint8_t *end, int64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= end)
            return false;
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = (int64_t)((v >> 1) ^ (~(v & 1) + 1));
            return true;
        }
    }
    return false;
}
#endif
