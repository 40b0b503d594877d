/* Replaying a log from its start: how the internal logs (committed
 * offsets, schemas) rebuild their state at start-up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/fileref.h"
#include "core/util.h"
#include "log/batch.h"
#include "log/plog.h"

int plog_replay(struct plog *l, struct batch_validator *v, record_cb cb, void *arg, size_t *records, char *err,
                size_t errlen)
{
    int64_t off = plog_log_start(l), end = plog_high_watermark(l);
    size_t n = 0;
    while (off < end) {
        struct log_read rd;
        if (plog_read(l, off, 1 << 20, &rd) != 0 || rd.len <= 0)
            break;
        uint8_t *buf = xmalloc((size_t)rd.len);
        ssize_t got = pread(rd.file->fd, buf, (size_t)rd.len, rd.pos);
        if (got != rd.len) {
            snprintf(err, errlen, "%s", got < 0 ? strerror(errno) : "short read");
            free(buf);
            return -1;
        }
        size_t pos = 0;
        int64_t next = off;
        struct batch_info bi;
        while (pos < (size_t)rd.len && batch_parse_header(buf + pos, (size_t)rd.len - pos, &bi) == 0 &&
               batch_total_size(&bi) <= (size_t)rd.len - pos) {
            if (bi.base_offset + bi.last_offset_delta >= off) {
                batch_for_each_record(v, buf + pos, batch_total_size(&bi), cb, arg);
                n += (size_t)bi.records_count;
            }
            next = bi.base_offset + bi.last_offset_delta + 1;
            pos += batch_total_size(&bi);
        }
        free(buf);
        if (next <= off)
            break;
        off = next;
    }
    if (records)
        *records = n;
    return 0;
}
