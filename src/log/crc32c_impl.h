/* CRC-32C implementations, exposed so tests can compare them directly.
 * crc32c() in batch.h picks the fastest one at run time. */
#ifndef SLUICE_CRC32C_IMPL_H
#define SLUICE_CRC32C_IMPL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint32_t crc32c_portable(uint32_t crc, const void *p, size_t n);   /* slicing-by-8 */
bool crc32c_hw_available(void);
uint32_t crc32c_hw(uint32_t crc, const void *p, size_t n);         /* SSE4.2; only if available */
#endif
