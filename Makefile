KAFKA_MESSAGES ?= ../shared/kafka-protocol/messages
# Sluice build. `make` builds build/sluice; `make run` starts it with the
# embedded defaults (ARGS='--name=value ...' adds options); `make test`
# installs test dependencies and runs every test.
# Go (the client drivers and helm in the tests) may live in /usr/local/go
# without being on a non-interactive shell's PATH, as on CI.
export PATH := $(if $(wildcard /usr/local/go/bin/go),/usr/local/go/bin:)$(PATH)
CC      ?= gcc
# C++ only for libprotobuf's .proto parser (src/schema/protobuf_*.cc); the
# fuzz build's clang gets clang++.
CXX     := $(if $(findstring clang,$(CC)),clang++,g++)
BUILD   ?= build
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wno-format-truncation -Wvla -Wmissing-prototypes
CPPFLAGS += -Isrc -MMD -MP
CXXWARN := -std=c++17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow=local -Wno-unused-parameter -Wformat=2 \
           -Wno-format-truncation -Wvla -Wmissing-declarations
# clang's UBSan checks vptr and function types of C++ code with a C++
# runtime that the fuzzers' C link (clang, not clang++) leaves out.
CXXNOVPTR := $(if $(and $(findstring clang,$(CC)),$(findstring sanitize,$(CFLAGS))),-fno-sanitize=vptr -fno-sanitize=function)
LIBS    := -lz -lsnappy -llz4 -lzstd -lisal -ljansson -lavro -lprotobuf -lstdc++ -lmicrohttpd -lpthread -lm
CLILIBS := -lrdkafka -lcurl

# CORE: what unit tests and fuzzers link without the event loop.
# The group state machine is here too: it takes its clock and timers as callbacks.
GROUP_SM_SRC := src/group/group.c src/group/member.c src/group/registry.c src/group/offset_table.c
# The schema registry's state, formats and changes too: no loop, no wire.
SCHEMA_SM_SRC := $(wildcard src/schema/avro*.c src/schema/protobuf*.c src/schema/protobuf*.cc src/schema/json_schema*.c) src/schema/change.c src/schema/record.c $(wildcard src/schema/registry*.c)
# The codec's other directions and unserved APIs: tests and fuzzers only.
TEST_CODEC_SRC := src/protocol/gen/messages_test.c
CORE_SRC  := $(filter-out $(TEST_CODEC_SRC),$(wildcard src/core/*.c src/protocol/*.c src/protocol/gen/*.c src/log/*.c src/broker/config*.c)) $(GROUP_SM_SRC) $(SCHEMA_SM_SRC)
BROKER_SRC := $(filter-out src/broker/config%.c $(GROUP_SM_SRC) $(SCHEMA_SM_SRC),$(wildcard src/net/*.c src/broker/*.c src/api/*.c src/group/*.c src/http/*.c src/schema/*.c src/server/*.c))
CLI_SRC   := $(wildcard src/cli/*.c)
MAIN_SRC  := src/main.c

OBJ = $(patsubst %.cc,$(BUILD)/%.o,$(patsubst %.c,$(BUILD)/%.o,$(1)))
CORE_OBJ   := $(call OBJ,$(CORE_SRC))
BROKER_OBJ := $(call OBJ,$(BROKER_SRC)) $(BUILD)/gen/console_assets.o
CONSOLE_FILES := $(sort $(wildcard console/*))
CLI_OBJ    := $(call OBJ,$(CLI_SRC))

.PHONY: all run test check layers deps test-deps unit integration integration-sanitized asan asan-unit asan-all san-flags warn-flags fuzz-src fuzz-broker-src libs fuzz clean gen gen-check format format-check
all: $(BUILD)/sluice shop

$(BUILD)/sluice: $(call OBJ,$(MAIN_SRC)) $(BROKER_OBJ) $(CLI_OBJ) $(CORE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(CLILIBS)

# The web console's files, embedded as C arrays (xxd -i); generated, not in git.
$(BUILD)/gen/console_assets.c: $(CONSOLE_FILES) scripts/embed-assets
	@mkdir -p $(dir $@)
	scripts/embed-assets $@ $(CONSOLE_FILES)

$(BUILD)/gen/console_assets.o: $(BUILD)/gen/console_assets.c
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXWARN) $(CFLAGS) $(CXXNOVPTR) $(CPPFLAGS) -c -o $@ $<

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

include examples/shop/shop.mk

# ---- running ----
deps:
	@scripts/install-deps build

# Options for the broker: make run ARGS='--num.partitions=3 --log.dirs=/tmp/x'
run: deps all
	$(BUILD)/sluice serve $(ARGS)

# ---- tests ----
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ) $(call OBJ,$(TEST_CODEC_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -Itests/unit -o $@ $< $(filter %.o,$^) $(LDFLAGS) $(LIBS) -lcmocka

# Its payloads come from libprotobuf itself (a C++ helper).
$(BUILD)/tests/test_schema_protobuf: $(BUILD)/tests/unit/protobuf_payload.o

unit: $(UNIT_BIN) $(SHOP_UNIT_BIN)
	@scripts/run-unit $(UNIT_BIN) $(SHOP_UNIT_BIN)

integration: all
	@scripts/run-integration $(BUILD)/sluice

# The same suites under AddressSanitizer and UndefinedBehaviorSanitizer:
# these flags are the one place that says how a sanitized build is made.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_MAKE  = $(MAKE) BUILD=build/asan CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined"

asan:
	$(SAN_MAKE) unit integration-sanitized

san-flags:
	@echo $(SAN_FLAGS)

# The warnings every build uses, fuzz targets included.
warn-flags:
	@echo $(WARN)

# What the fuzzers link: the core and the test-only codec.
fuzz-src:
	@echo $(CORE_SRC) $(TEST_CODEC_SRC)

# What the whole-broker fuzzers (fuzz_broker, fuzz_http) link besides:
# the broker without main.c and the CLI.
fuzz-broker-src:
	@echo $(BROKER_SRC)

libs:
	@echo $(LIBS)

asan-unit:
	$(SAN_MAKE) unit

asan-all:
	$(SAN_MAKE) all

integration-sanitized: all
	@TEST_SANITIZED=1 scripts/run-integration $(BUILD)/sluice

# The fast loop: one plain build, unit tests, integration tests spread over
# the cores (pytest-xdist). `make test` stays the full gate: it also runs
# the files left out here, which compare Sluice with the reference Apache
# Kafka (a JVM broker and JVM tools per file: about 40% of the suite's time) or
# drive a browser.
CHECK_SKIP := test_differential test_kafka_reference test_kafka_tools test_modern_clients test_seed test_console
check: test-deps
	@scripts/check-gen
	@$(MAKE) -j2 all unit
	@tools/check_layers.py
	@scripts/run-integration $(BUILD)/sluice -n auto $(foreach t,$(CHECK_SKIP),--ignore=tests/integration/$(t).py)

# clang-format (.clang-format). By default on what this branch changed
# since it left main (committed or not, new files too; generated code
# aside): the changed lines only, so that older code around them keeps
# its spacing and no branch collides with another over whitespace.
# FILES='src/log/plog.c ...' formats (or checks) those files whole.
FORMAT_BASE ?= main
FORMAT_REV = $(shell git merge-base $(FORMAT_BASE) HEAD 2>/dev/null)
FORMAT_DIFF = $(firstword $(shell command -v clang-format-diff-14 clang-format-diff 2>/dev/null))
CHANGED_C = $(shell { git diff --name-only --diff-filter=d $(FORMAT_REV) -- 2>/dev/null; \
                      git ls-files --others --exclude-standard; } | grep -E '\.[ch]$$' | grep -v '^src/protocol/gen/' | sort -u)
# The changed lines as a patch: tracked files against the base, new files whole.
CHANGED_PATCH = { git diff -U0 --no-color $(FORMAT_REV) -- $(CHANGED_C); \
                  for f in $$(git ls-files --others --exclude-standard -- $(CHANGED_C)); do \
                      git diff --no-index -U0 --no-color /dev/null "$$f"; done; }
format:
ifdef FILES
	clang-format -i $(FILES)
else
	@$(CHANGED_PATCH) | $(FORMAT_DIFF) -p1 -i && echo "format: the changed lines of $(words $(CHANGED_C)) files"
endif

format-check:
ifdef FILES
	@clang-format --dry-run --Werror $(FILES) && echo "format-check: $(words $(FILES)) files ok"
else
	@out=$$($(CHANGED_PATCH) | $(FORMAT_DIFF) -p1); \
	if [ -n "$$out" ]; then echo "$$out"; echo "format-check: changed lines above are not formatted (make format)"; exit 1; fi; \
	echo "format-check: the changed lines of $(words $(CHANGED_C)) files ok"
endif

# Forbidden includes and cycles between src/ folders (ARCHITECTURE.md).
layers:
	@tools/check_layers.py

fuzz:
	@scripts/run-fuzz

test-deps:
	@scripts/install-deps test

test: test-deps
	@scripts/test-all

# The codec, from Kafka's message definitions and the served-APIs list.
GEN_OUT ?= src/protocol/gen
gen:
	python3 tools/gen_protocol.py $(KAFKA_MESSAGES) $(GEN_OUT) src/api/served_apis.def

# `make gen` reproduces the committed codec byte for byte.
gen-check:
	@scripts/check-gen

clean:
	rm -rf build

# ---- packaging (see README, Deploy) ----
PREFIX  ?= /usr/local
DESTDIR ?=
IMAGE   ?= sluice:latest
.PHONY: image man install deb test-packaging packaging-deps packaging-tools manifests

image:
	scripts/build-image $(IMAGE)

# Man pages generated from the binary's --help text.
man: $(BUILD)/sluice
	scripts/make-man $(BUILD)/sluice $(BUILD)/man

install: $(BUILD)/sluice man
	install -D -m 0755 $(BUILD)/sluice $(DESTDIR)$(PREFIX)/bin/sluice
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -D -m 0644 deploy/systemd/sluice.service $(DESTDIR)$(PREFIX)/lib/systemd/system/sluice.service
	sed -i 's|/usr/bin/sluice|$(PREFIX)/bin/sluice|' $(DESTDIR)$(PREFIX)/lib/systemd/system/sluice.service
	install -D -m 0644 deploy/server.properties $(DESTDIR)/etc/sluice/server.properties

deb: $(BUILD)/sluice man
	scripts/build-deb $(BUILD)

packaging-deps:
	@scripts/install-deps packaging

# Helm (pinned), the strict Kubernetes decoder and docker compose's own
# loader (compose-go, for the compose file), from the Go module proxy.
HELM_VERSION := v4.3.2
K8SCHECK_SRC := $(wildcard tests/packaging/k8scheck/*.go tests/packaging/k8scheck/go.*)
COMPOSECHECK_SRC := $(wildcard tests/packaging/composecheck/*.go tests/packaging/composecheck/go.*)
packaging-tools: $(BUILD)/tools/helm-$(HELM_VERSION)/helm $(BUILD)/tools/k8scheck $(BUILD)/tools/composecheck
	@ln -sf helm-$(HELM_VERSION)/helm $(BUILD)/tools/helm

$(BUILD)/tools/helm-$(HELM_VERSION)/helm:
	GOBIN=$(abspath $(dir $@)) go install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)

$(BUILD)/tools/k8scheck: $(K8SCHECK_SRC)
	cd tests/packaging/k8scheck && go build -o $(abspath $@) .

$(BUILD)/tools/composecheck: $(COMPOSECHECK_SRC)
	cd tests/packaging/composecheck && go build -o $(abspath $@) .

# deploy/kubernetes/sluice.yaml: the chart rendered with its defaults, so the
# plain manifests and the chart are one source.
manifests: packaging-tools
	{ echo "# Generated by \`make manifests\` from deploy/helm/sluice (default values); do not edit."; \
	  $(BUILD)/tools/helm template sluice deploy/helm/sluice; } > deploy/kubernetes/sluice.yaml

test-packaging: packaging-deps all packaging-tools
	@/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/packaging
