#include "shop_idem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

struct shop_idem {
    int fd;            /* O_APPEND: instances on one host share the file */
    off_t read_pos;    /* the file is read up to here */
    char **slots;      /* open addressing; NULL is empty */
    size_t capacity;   /* a power of two */
    size_t count;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

static size_t find_slot(char **slots, size_t capacity, const char *id)
{
    size_t i = hash(id) & (capacity - 1);
    while (slots[i] && strcmp(slots[i], id) != 0)
        i = (i + 1) & (capacity - 1);
    return i;
}

static int grow(struct shop_idem *set)
{
    size_t capacity = set->capacity ? set->capacity * 2 : 1024;
    char **slots = calloc(capacity, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < set->capacity; i++)
        if (set->slots[i])
            slots[find_slot(slots, capacity, set->slots[i])] = set->slots[i];
    free(set->slots);
    set->slots = slots;
    set->capacity = capacity;
    return 0;
}

/* Adds to memory only. */
static int insert(struct shop_idem *set, const char *id)
{
    if ((set->count + 1) * 2 > set->capacity && grow(set) != 0)
        return -1;
    size_t i = find_slot(set->slots, set->capacity, id);
    if (set->slots[i])
        return 0;
    if (!(set->slots[i] = strdup(id)))
        return -1;
    set->count++;
    return 0;
}

static int valid_id(const char *id)
{
    size_t n = strlen(id);
    return n > 0 && n <= SHOP_IDEM_ID_MAX && !strchr(id, '\n');
}

int shop_idem_refresh(struct shop_idem *set)
{
    char buf[8192], line[SHOP_IDEM_ID_MAX + 1];
    size_t line_len = 0;
    off_t line_start = set->read_pos, pos = set->read_pos;
    ssize_t n;
    while ((n = pread(set->fd, buf, sizeof buf, pos)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                if (line_len < SHOP_IDEM_ID_MAX)
                    line[line_len] = buf[i];
                line_len++;
                continue;
            }
            if (line_len <= SHOP_IDEM_ID_MAX && line_len > 0) {
                line[line_len] = '\0';
                if (insert(set, line) != 0)
                    return -1;
            }
            line_len = 0;
            line_start = pos + i + 1;
        }
        pos += n;
    }
    set->read_pos = line_start;   /* a line still being written is read next time */
    return n < 0 ? -1 : 0;
}

/* A crash in the middle of a write leaves a line without its newline: end
 * it, so the next id starts a line of its own (the fragment reads as an id
 * no event has). */
static int close_torn_tail(struct shop_idem *set)
{
    off_t end = lseek(set->fd, 0, SEEK_END);
    char last;
    if (end <= 0)
        return end < 0 ? -1 : 0;
    if (pread(set->fd, &last, 1, end - 1) != 1)
        return -1;
    return last == '\n' || write(set->fd, "\n", 1) == 1 ? 0 : -1;
}

struct shop_idem *shop_idem_open(const char *path)
{
    struct shop_idem *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (set->fd < 0 || grow(set) != 0 || close_torn_tail(set) != 0 || shop_idem_refresh(set) != 0) {
        int err = errno;
        shop_idem_close(set);
        errno = err;
        return NULL;
    }
    return set;
}

void shop_idem_close(struct shop_idem *set)
{
    if (!set)
        return;
    if (set->fd >= 0)
        close(set->fd);
    for (size_t i = 0; i < set->capacity; i++)
        free(set->slots[i]);
    free(set->slots);
    free(set);
}

int shop_idem_contains(const struct shop_idem *set, const char *id)
{
    return set->slots[find_slot(set->slots, set->capacity, id)] != NULL;
}

int shop_idem_add(struct shop_idem *set, const char *id)
{
    if (!valid_id(id))
        return -1;
    if (shop_idem_contains(set, id))
        return 0;
    char line[SHOP_IDEM_ID_MAX + 2];
    int n = snprintf(line, sizeof line, "%s\n", id);
    /* One write of a short line with O_APPEND: lines of instances sharing
     * the file do not interleave. */
    if (write(set->fd, line, (size_t)n) != n || fdatasync(set->fd) != 0)
        return -1;
    return insert(set, id);
}

size_t shop_idem_count(const struct shop_idem *set) { return set->count; }
