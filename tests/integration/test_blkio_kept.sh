#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A container's v1 blkio statistics are not read from both files on every
# open (daemon/blkio_kept.h): while the I/O counts, read first, are what
# they were, the kept parse stands for the bytes file too. Quiet opens in a
# container must mostly use it, and every reading must still equal the
# kernel's recursive throttle files read right after it: after the
# container's own I/O, after a child cgroup's I/O, after the child went
# and the container's own I/O brought the counts back to what they were
# with the child (the bytes differ: a parse made while the child lived
# must not be taken), and after blkio.reset_stats.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mem_lib.sh"
pv_init
pv_need_kernel_identity
[ -n "$(pvm_field blkio)" ] || pv_skip "blkio is not on a v1 hierarchy here (v2 io.stat is one file)"
pvm_tmp_disk
majmin=$PVM_MAJMIN
pv_daemon_start
pv_kernel_identity_in_use

pv_cg_create c
d=$(pvm_dir c blkio)
# v1 counts only on devices with a throttle rule; nobody reaches 100 GB/s.
echo "$majmin 100000000000" > "$d/blkio.throttle.read_bps_device" || pv_fail "blkio rule"
data=$PV_TMP/blkio.dat
dd if=/dev/urandom of="$data" bs=64k count=1 oflag=direct status=none || pv_fail "write $data"
sync
# Load the programs the reader runs now, not while it reads.
dd if="$data" of=/dev/null bs=4k count=1 iflag=direct status=none
sh -c true

# checker N WHAT CMD...: run checker CMD in the container and judge its
# N checks (WHAT: what differed); S0, S1: the daemon's stats around it.
checker() {
	local n=$1 what=$2 out rc
	shift 2
	S0=$(pv_stats)
	out=$(pvm_in c "$@" 2>&1)
	rc=$?
	S1=$(pv_stats)
	pv_log "$(grep -v '^ok quiet' <<<"$out" | tr '\n' ' ')"
	pv_checks_ok "$out" "$n" "$what"
	[ "$rc" = 0 ] || pv_fail "the checker failed: $out"
}

checker 45 "procview's diskstats differs from the kernel's blkio files" \
	bash "$(dirname "$0")/blkio_check.sh" "$PV_MNT" "$d" "$majmin" "$data"
hits=$(pv_stat_delta "$S0" "$S1" blkio_kept_hits)
misses=$(pv_stat_delta "$S0" "$S1" blkio_kept_misses)
pv_log "kept blkio parses used: $hits, both files read: $misses"
# 30 quiet opens before the child, 10 after it: only I/O in the container
# sends one back to the files, and a removed child, until the kernel has
# released it (it stays on the list of children while it dies). Here the
# first 30 all use the kept parse; two thirds is asked.
[ "$hits" -ge 20 ] || pv_fail "want at least 20 of the 40 quiet reads from the kept parse, got $hits"

# Re-reads at offset 0 of a kept-open file (top, agents) carry their own
# probe, taken as each READ is queued.
checker 32 "procview's diskstats, re-read, differs from the kernel's blkio files" \
	python3 "$(dirname "$0")/blkio_reread.py" "$PV_MNT" "$d" "$majmin" "$data"
hits=$(pv_stat_delta "$S0" "$S1" blkio_kept_hits)
pv_log "kept blkio parses used by re-reads: $hits"
# 30 quiet re-reads; here 26 to 30 use the kept parse.
[ "$hits" -ge 20 ] || pv_fail "want at least 20 of the 30 quiet re-reads from the kept parse, got $hits"
echo ok
