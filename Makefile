# SPDX-License-Identifier: GPL-2.0-only
# procview build: bpf/*.bpf.c -> build/bpf/*.bpf.o -> build/skel/*.skel.h,
# daemon/*.c -> build/libprocview.a (+ main.c -> procviewd), tools/*.c -> one
# binary each, tests/unit/test_*.c -> one cmocka binary each.
# Every source directory is globbed, so adding a file needs no Makefile edit.

.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

V ?= 0
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BUILD     ?= build
PREFIX    ?= /usr/local
MOUNT     ?= /var/lib/procview
CC        ?= cc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VERSION   := 0.1.0

# Debian packages the build, the tests and the benchmarks need.
DEB_PKGS := clang llvm libbpf-dev bpftool libfuse3-dev fuse3 libelf-dev \
	zlib1g-dev libcmocka-dev pkg-config procps sysstat python3-psutil \
	lxcfs runc crun busybox-static stress-ng hyperfine systemd \
	libclang-rt-14-dev valgrind linux-perf util-linux python3 gcc binutils \
	bc man-db

PKG_CFLAGS := $(shell pkg-config --cflags fuse3 libbpf 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs fuse3 libbpf 2>/dev/null) -lelf -lz -lpthread

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS   ?= -O2 -g
SAN      ?=
ALL_CFLAGS := -std=gnu11 $(CFLAGS) $(SAN) $(WARN) -MMD -MP \
	-D_GNU_SOURCE -DPV_VERSION='"$(VERSION)"' \
	-Iinclude -Idaemon -I$(BUILD)/skel $(PKG_CFLAGS)
LDFLAGS  ?=
ALL_LDFLAGS := $(LDFLAGS) $(SAN)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Wno-unused-function -I. -Iinclude -Ibpf -MMD -MP

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/skel/%.skel.h,$(BPF_SRCS))

LIB_SRCS   := $(filter-out daemon/main.c,$(wildcard daemon/*.c))
LIB_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
LIB        := $(BUILD)/libprocview.a
DAEMON     := $(BUILD)/procviewd

TOOL_SRCS  := $(wildcard tools/*.c)
TOOLS      := $(patsubst tools/%.c,$(BUILD)/%,$(TOOL_SRCS))

BENCH_SRCS := $(wildcard bench/*.c)
BENCHES    := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_SUPPORT := $(filter-out tests/unit/test_%,$(wildcard tests/unit/*.c))
UNIT_SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(UNIT_SUPPORT))
UNITS      := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps run test unit integration bench install clean vmlinux stress fuzz \
	check-root format help

all: $(DAEMON) $(TOOLS) $(BENCHES)

help:
	@echo "make run      install deps, build, serve on $(MOUNT) (foreground)"
	@echo "make test     install deps, build, run unit + integration tests"
	@echo "make bench    latency/overhead benchmarks vs host /proc and LXCFS"
	@echo "make deps | all | install | clean | vmlinux | unit | integration"

# --- dependencies -----------------------------------------------------------
# Installs only what is missing; silent when everything is present.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "deps: need root to apt-get install$$missing" >&2; exit 1; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null && apt-get install -y -qq -o DPkg::Lock::Timeout=300 $$missing >/dev/null || \
			{ echo "deps: apt-get install$$missing failed" >&2; exit 1; }; \
	fi

# --- BPF --------------------------------------------------------------------
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c vmlinux.h | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(@:.o=.d) -c $< -o $@

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o | $(BUILD)/skel
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# --- C ----------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(DAEMON): $(BUILD)/obj/daemon/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(PKG_LIBS) -o $@

$(BUILD)/%: $(BUILD)/obj/tools/%.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(PKG_LIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(PKG_LIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(UNIT_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(PKG_LIBS) -lcmocka -o $@

$(BUILD)/bpf $(BUILD)/skel:
	$(Q)mkdir -p $@

# --- running and testing ----------------------------------------------------
run: deps all
	$(Q)mkdir -p $(MOUNT)
	$(DAEMON) -f $(MOUNT)

unit: $(UNITS)
	$(Q)tests/run-unit.sh $(UNITS)

integration: all
	$(Q)tests/integration/run.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all $(UNITS)
	$(Q)tests/run-all.sh

bench: deps all
	$(Q)bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(DAEMON) $(DESTDIR)$(PREFIX)/sbin/procviewd
	for t in $(TOOLS); do install -m 0755 $$t $(DESTDIR)$(PREFIX)/bin/; done
	if [ -f tools/procview.service ]; then \
		install -d $(DESTDIR)/etc/systemd/system && \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g; s|@MOUNT@|$(MOUNT)|g' tools/procview.service \
			> $(DESTDIR)/etc/systemd/system/procview.service; fi
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 tools/procviewd.8 $(DESTDIR)$(PREFIX)/share/man/man8/procviewd.8

vmlinux:
	{ echo "/* vmlinux.h: BTF dump of Linux $$(uname -r) ($$(uname -m)), generated by 'make vmlinux' (bpftool btf dump file /sys/kernel/btf/vmlinux format c) */"; \
	  $(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c; } > vmlinux.h.tmp && mv vmlinux.h.tmp vmlinux.h

format:
	clang-format -i $(wildcard daemon/*.[ch] include/*.h tools/*.c bench/*.c tests/unit/*.[ch])

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Feature fragments (fuzzing, sanitizers, benchmarks, stress) live in mk/*.mk
# so each can grow without touching this file.
-include $(wildcard mk/*.mk)
