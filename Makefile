# opendts build. `make` builds build/dtsd and build/dts; see `make help`.
#
# Sources are found by wildcard, so a new module file needs no edit here.
# BUILD selects the output folder; SAN=1 adds AddressSanitizer + UBSan.

BUILD   ?= build
SAN     ?= 0
CC      ?= cc
PKGS    := libmicrohttpd libcjson libxml-2.0 sqlite3 libmariadb libpq openssl libcurl libxxhash

WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
           -Wvla -Wimplicit-fallthrough -Werror
CFLAGS  ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
             -Isrc $(PKG_CFLAGS) -MMD -MP
LIBS       = $(PKG_LIBS) -lpthread -lm

CORE_SRC := $(wildcard src/util/*.c src/sign/*.c src/api/*.c src/meta/*.c src/job/*.c \
             src/steps/*.c src/schema/*.c src/engines/*.c src/engines/mysql/*.c src/engines/pg/*.c src/client/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
ITEST_SRC:= $(wildcard tests/integration/test_*.c)
ITEST_LIB:= $(wildcard tests/integration/lib/*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
ITLIB_OBJ:= $(ITEST_LIB:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
ITEST_BIN:= $(ITEST_SRC:tests/integration/%.c=$(BUILD)/tests/integration/%)

.PHONY: all deps test demo bench asan unit itest clean help
all: $(BUILD)/dtsd $(BUILD)/dts

help:
	@echo "make            build build/dtsd and build/dts"
	@echo "make test       install what is missing, build, run every test (also under ASan+UBSan)"
	@echo "make demo       start private MariaDB + PostgreSQL and run a real migration"
	@echo "make bench      benchmarks against reference tools (never part of make test)"
	@echo "make asan       build into build-asan/ with AddressSanitizer + UBSan"

deps:
	@bash scripts/deps.sh

$(BUILD)/libopendts.a: $(CORE_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/dtsd: $(BUILD)/obj/src/main.o $(BUILD)/libopendts.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/dts: $(CLI_OBJ) $(BUILD)/libopendts.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libopendts.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

$(BUILD)/tests/integration/%: $(BUILD)/obj/tests/integration/%.o $(ITLIB_OBJ) $(BUILD)/libopendts.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(if $(filter tests/%,$<),-Wno-unused-parameter -Itests/integration) -c -o $@ $<

unit: $(UNIT_BIN)
itest: $(ITEST_BIN) $(BUILD)/dtsd $(BUILD)/dts

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 all unit itest

test: deps
	@bash scripts/run-tests.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/demo.sh

bench: deps
	@bash bench/run.sh

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- fuzz: libFuzzer targets fuzz/fuzz_<x>.c (fuzz/README.md) -------------
# `make fuzz` builds build-fuzz/fuzz_<x> with clang (libFuzzer + ASan + UBSan)
# from the parser sources compiled with clang, then runs each target for
# FUZZ_SECONDS (default 30; 0 = build only) over a scratch copy of its seeds.
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_LIBSRC  := $(wildcard src/util/*.c) src/sign/sign.c src/job/dblist.c \
                $(addprefix src/api/,params.c call.c auth.c creds.c nonce.c render.c)
FUZZ_LIBOBJ  := $(FUZZ_LIBSRC:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_OBJ     := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/obj/fuzz/fuzz_%.o)
FUZZ_LIBS     = $(shell pkg-config --libs libcjson libxml-2.0 openssl 2>/dev/null) -lpthread -lm
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
# clang, unlike gcc, flags vsnprintf(fmt) inside non-attributed helpers.
FUZZ_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
                -Wno-format-nonliteral -O1 -g $(FUZZ_SAN) -Isrc -MMD -MP

.PHONY: fuzz fuzz-build fuzz-bins
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_LIBOBJ)
fuzz: fuzz-build
	@failed=; for t in $(FUZZ_TARGETS); do \
	  [ "$(FUZZ_SECONDS)" -gt 0 ] || break; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts/$$t; \
	  cp -n fuzz/corpus/$$t/* $(FUZZ_BUILD)/corpus/$$t/ 2>/dev/null || true; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s (log $(FUZZ_BUILD)/fuzz_$$t.log)"; \
	  $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ $(FUZZ_FLAGS) \
	    $(FUZZ_BUILD)/corpus/$$t > $(FUZZ_BUILD)/fuzz_$$t.log 2>&1 \
	    || { tail -n 60 $(FUZZ_BUILD)/fuzz_$$t.log; failed="$$failed $$t"; continue; }; \
	  grep -E '^#[0-9]+[[:space:]]+DONE|stat::average_exec_per_sec' $(FUZZ_BUILD)/fuzz_$$t.log; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "fuzz: findings in:$$failed (inputs in $(FUZZ_BUILD)/artifacts/)"; exit 1; fi

fuzz-build:
	@bash scripts/deps.sh --fuzz
	@$(MAKE) --no-print-directory fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/fuzz/fuzz_%.o $(FUZZ_LIBOBJ)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

$(FUZZ_BUILD)/obj/fuzz/%.o: fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c -o $@ $<

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
