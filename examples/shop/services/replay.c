/* shop-replay TOPIC PARTITION OFFSET: sends the dead letter at that place
 * back to its original topic (examples/shop/lib/shop_replay.h), once the
 * cause of its failure is fixed. SHOP_BOOTSTRAP names the broker. */
#include <stdio.h>
#include <stdlib.h>

#include "service.h"
#include "shop_replay.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: shop-replay TOPIC PARTITION OFFSET\n");
        return 2;
    }
    const char *bootstrap = env_or("SHOP_BOOTSTRAP", "127.0.0.1:9092");
    char err[512], to[256];
    struct shop_producer *p = shop_producer_new(bootstrap, "shop-replay", NULL, err, sizeof err);
    int rc = p ? shop_replay_at(p, bootstrap, argv[1], atoi(argv[2]), atoll(argv[3]), to, sizeof to, err, sizeof err)
               : -1;
    if (rc == 0)
        printf("replayed %s-%s@%s to %s\n", argv[1], argv[2], argv[3], to);
    else
        fprintf(stderr, "shop-replay: %s\n", err);
    shop_producer_free(p);
    return rc == 0 ? 0 : 1;
}
