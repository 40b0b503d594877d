/* CRC-32C (Castagnoli), as record batches carry it: ISA-L's crc32_iscsi,
 * which picks the fastest code for the CPU at run time (PCLMUL folding on
 * x86, tens of GB/s). ISA-L works on the uncomplemented register, so the
 * usual pre- and post-inversion happen here. */
#include "log/batch.h"
#include <isa-l/crc.h>
#include <limits.h>

uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint32_t c = ~crc;
    while (n > 0) {
        int chunk = n > (size_t)INT_MAX ? INT_MAX : (int)n;
        c = crc32_iscsi((unsigned char *)b, chunk, c);
        b += chunk;
        n -= (size_t)chunk;
    }
    return ~c;
}
