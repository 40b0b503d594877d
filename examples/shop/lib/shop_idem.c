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
    int fd;
    off_t size;        /* bytes of complete lines in the file */
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

/* Reads every complete line; cuts the file after the last one. */
static int load(struct shop_idem *set)
{
    FILE *f = fdopen(dup(set->fd), "r");
    if (!f)
        return -1;
    char line[SHOP_IDEM_ID_MAX + 2];
    long good_end = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        if (n == 0 || line[n - 1] != '\n')
            break;   /* torn or overlong: the tail is dropped */
        line[n - 1] = '\0';
        if (valid_id(line) && insert(set, line) != 0) {
            rc = -1;
            break;
        }
        good_end = ftell(f);
    }
    fclose(f);
    if (rc == 0 && ftruncate(set->fd, good_end) != 0)
        rc = -1;
    if (rc == 0 && lseek(set->fd, good_end, SEEK_SET) < 0)
        rc = -1;
    set->size = good_end;
    return rc;
}

struct shop_idem *shop_idem_open(const char *path)
{
    struct shop_idem *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (set->fd < 0 || grow(set) != 0 || load(set) != 0) {
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
    if (write(set->fd, line, (size_t)n) != n || fdatasync(set->fd) != 0) {
        /* Cut a partial line off so the next add starts on a line of its own. */
        if (ftruncate(set->fd, set->size) == 0)
            lseek(set->fd, set->size, SEEK_SET);
        return -1;
    }
    set->size += n;
    return insert(set, id);
}

size_t shop_idem_count(const struct shop_idem *set) { return set->count; }
