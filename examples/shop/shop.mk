# The reference shop (examples/shop): its library, services and unit tests.
# Included by the top Makefile; `make shop` builds it all under $(BUILD)/shop.
SHOP_LIB_SRC  := $(wildcard examples/shop/lib/*.c)
SHOP_LIB      := $(BUILD)/shop/libshop.a
SHOP_LIBS     := -lrdkafka -lavro -lcurl -ljansson -lmicrohttpd -lpthread -lm
SHOP_UNIT_SRC := $(wildcard examples/shop/tests/test_*.c)
SHOP_UNIT_BIN := $(patsubst examples/shop/tests/%.c,$(BUILD)/tests/shop/%,$(SHOP_UNIT_SRC))

.PHONY: shop demo
shop: $(SHOP_LIB)

$(SHOP_LIB): $(call OBJ,$(SHOP_LIB_SRC))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/tests/shop/%: examples/shop/tests/%.c $(SHOP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -MMD -MP -Iexamples/shop/lib -Itests/unit -o $@ $< $(SHOP_LIB) $(LDFLAGS) $(SHOP_LIBS) -lcmocka

# One binary per service; what they share is in services/ beside them.
SHOP_SERVICES := orders payments inventory shipping notifications
SHOP_COMMON   := $(call OBJ,$(filter-out $(addprefix examples/shop/services/,$(addsuffix .c,$(SHOP_SERVICES) gateway traffic replay)),$(wildcard examples/shop/services/*.c)))
SHOP_BINS     := $(addprefix $(BUILD)/shop/shop-,$(SHOP_SERVICES) gateway traffic replay)
shop: $(SHOP_BINS)

$(BUILD)/examples/shop/services/%.o: CPPFLAGS += -Iexamples/shop/lib

$(BUILD)/shop/shop-%: $(BUILD)/examples/shop/services/%.o $(SHOP_COMMON) $(SHOP_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(SHOP_COMMON) $(SHOP_LIB) $(SHOP_LIBS)

# The broker, the services and traffic in the foreground (examples/shop/demo).
demo: deps all
	BUILD=$(BUILD) examples/shop/demo

# Service objects reached only through the pattern rule above stay after a build.
.SECONDARY: $(call OBJ,$(wildcard examples/shop/services/*.c))
