/* The payments service's side of the gateway: one charge call, bounded by
 * the handler's deadline. */
#ifndef SHOP_GATEWAY_CLIENT_H
#define SHOP_GATEWAY_CLIENT_H
#include <stddef.h>

enum charge_result { CHARGE_PAID, CHARGE_DECLINED, CHARGE_UNAVAILABLE };

/* key: the idempotency key (the order id). timeout_ms: what is left of the
 * handler's time; a call that takes longer is UNAVAILABLE, with why. */
enum charge_result gateway_charge(const char *url, const char *key, long amount_cents, const char *card,
                                  long timeout_ms, char *why, size_t why_len);

#endif
