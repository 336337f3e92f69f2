# opendts build. `make` builds build/dtsd and build/dts; see `make help`.
#
# Sources are found by wildcard, so a new module file needs no edit here.
# BUILD selects the output folder; SAN=1 adds AddressSanitizer + UBSan.

BUILD   ?= build
SAN     ?= 0
CC      ?= cc
PKGS    := libmicrohttpd libcjson libxml-2.0 sqlite3 libmariadb libpq openssl libcurl

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
             src/steps/*.c src/engines/*.c src/engines/mysql/*.c src/engines/pg/*.c src/client/*.c)
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
