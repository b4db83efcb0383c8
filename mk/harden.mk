# SPDX-License-Identifier: GPL-2.0-only
# Hardening: libFuzzer targets, sanitizer builds, valgrind, stress.
#
#   make fuzz            every tests/fuzz/fuzz_*.c for FUZZ_SECONDS (60) each
#   make fuzz-smoke      the same for FUZZ_SMOKE_SECONDS (5) each (make test)
#                        (FUZZ_JOBS targets at a time, default 2)
#   make asan            daemon, tools and unit tests with ASan+UBSan in build-asan/
#   make asan-unit       run those unit tests
#   make valgrind-unit   memcheck every unit test (build/, unsanitized)
#   make stress          long churn: 10,000 container cgroups (PV_CHURN_N)
#
# Fuzz targets are clang-only: the daemon sources are compiled again with
# -fsanitize=fuzzer-no-link,address,undefined into $(FUZZ_BUILD) and linked
# from an archive, so each target pulls in only the parsers it calls.

FUZZ_BUILD         ?= build-fuzz
ASAN_BUILD         ?= build-asan
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
	-Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -DPV_VERSION='"$(VERSION)"' \
	-Iinclude -Idaemon -I$(BUILD)/skel $(PKG_CFLAGS)
# A target names the daemon sources it tests on a "// fuzz-needs:" line; it
# is built only once they exist, so a target can land before its parser.
fuzz_needs = $(shell sed -n 's|^// fuzz-needs:||p' $(1))
# Extra link flags of a target, on a "// fuzz-ldflags:" line (fuzz_confine.h).
fuzz_ldflags = $(shell sed -n 's|^// fuzz-ldflags:||p' $(1))
FUZZ_SRCS  := $(foreach f,$(wildcard tests/fuzz/fuzz_*.c),$(if $(strip \
	$(foreach n,$(call fuzz_needs,$(f)),$(if $(wildcard $(n)),,missing))),,$(f)))
FUZZERS    := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(LIB_SRCS))
FUZZ_LIB   := $(FUZZ_BUILD)/libprocview-fuzz.a

ASAN_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ASAN_UNITS := $(patsubst tests/unit/%.c,$(ASAN_BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: fuzz fuzz-smoke fuzz-build asan asan-unit valgrind-unit stress harden-check

$(FUZZ_BUILD)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(call fuzz_ldflags,tests/fuzz/fuzz_$*.c) $(PKG_LIBS) -o $@

fuzz-build: $(FUZZERS)

FUZZ_JOBS ?= 2
fuzz: fuzz-build
	$(Q)FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZERS)

fuzz-smoke: fuzz-build
	$(Q)FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_JOBS) $(FUZZERS)
# Same Makefile, other build dir and sanitizer flags: nothing is shared with
# build/, so the two never mix objects.
asan:
	$(Q)$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SAN="$(ASAN_SAN)" CFLAGS="-O1 -g" \
		$(if $(wildcard daemon/main.c),$(ASAN_BUILD)/procviewd) $(ASAN_UNITS) $(patsubst tools/%.c,$(ASAN_BUILD)/%,$(TOOL_SRCS))

asan-unit: asan
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/run-unit.sh $(ASAN_UNITS)

# Two at a time; definite and indirect leaks count as errors.
VALGRIND_JOBS ?= 2
valgrind-unit: $(UNITS)
	$(Q)printf '%s\n' $(UNITS) | xargs -P$(VALGRIND_JOBS) -I{} sh -c \
		'if valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			{} >{}.vg.log 2>&1; then echo "PASS  valgrind $$(basename {})"; \
		else echo "FAIL  valgrind $$(basename {}) (log {}.vg.log)"; tail -n 30 {}.vg.log | sed "s/^/    | /"; exit 1; fi'

stress: all
	$(Q)PV_CHURN_N=$${PV_CHURN_N:-10000} PV_TEST_TIMEOUT=$${PV_TEST_TIMEOUT:-3600} \
		tests/integration/run.sh tests/integration/test_churn.sh

# The hardening stage of make test (tests/run-all.sh): one line per part and
# a closing "harden: P passed, F failed" line.
harden-check:
	$(Q)tests/run-harden.sh

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
