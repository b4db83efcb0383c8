# SPDX-License-Identifier: GPL-2.0-only
# Helpers shared by the loadavg integration tests (sourced after lib.sh).
# Ground truth is the kernel: cgroup task lists, /proc/<tid>/stat, the
# host's /proc/loadavg, wall-clock time of the workload's start.

# la_busy NAME: start one busy loop (no forks, always runnable) in NAME.
la_busy() {
	( pv_cg_enter "$1" "$BASHPID"; exec sh -c 'while :; do :; done' ) &
	PV_PIDS+=($!)
}

# la_sleeper NAME: one sleeping process in NAME.
la_sleeper() {
	( pv_cg_enter "$1" "$BASHPID"; exec sleep 100000 ) &
	PV_PIDS+=($!)
}

# la_read NAME: the /proc/loadavg line a short-lived reader in NAME sees.
la_read() {
	( pv_cg_enter "$1" "$BASHPID"; exec cat "$PV_MNT/proc/loadavg" )
}

# la_reader NAME: a bash in NAME that re-reads /proc/loadavg every 0.5 s
# into $PV_TMP/NAME.line with builtins only (no forks, so the container's
# thread count stays fixed). Prints its pid in LA_READER_PID.
la_reader() {
	local out=$PV_TMP/$1.line
	mkfifo "$PV_TMP/$1.fifo"
	( pv_cg_enter "$1" "$BASHPID"
	  exec bash -c 'exec 3<>"$1"
		while :; do
			IFS= read -r l < "$2" && printf "%s\n" "$l" > "$3"
			read -r -t 0.5 -u 3 _
		done' _ "$PV_TMP/$1.fifo" "$PV_MNT/proc/loadavg" "$out" 2>/dev/null ) &
	LA_READER_PID=$!
	PV_PIDS+=($!)
}

# la_line NAME: latest complete line of NAME's reader (waits up to 3 s).
la_line() {
	local l i
	for i in $(seq 1 30); do
		l=$(cat "$PV_TMP/$1.line" 2>/dev/null)
		if [ "$(echo "$l" | awk '{print NF}')" = 5 ]; then echo "$l"; return 0; fi
		sleep 0.1
	done
	pv_fail "no loadavg line from the reader in $1"
}

# Field helpers on a loadavg line.
la_l1() { echo "$1" | awk '{print $1}'; }
la_running() { echo "$1" | awk '{split($4, a, "/"); print a[1]}'; }
la_threads() { echo "$1" | awk '{split($4, a, "/"); print a[2]}'; }
la_lastpid() { echo "$1" | awk '{print $5}'; }

la_now() { date +%s.%N; }

# la_check_band VALUE K T_MIN T_MAX WHAT: VALUE (1-min average of a
# container that ran K busy loops since a start between T_MIN and T_MAX
# seconds ago) matches K*(1-e^(-t/60)) with t on the 5-s sample grid of
# unknown phase: an interval of length L holds floor(L/5) or floor(L/5)+1
# samples, so n lies in [floor((T_MIN-0.5)/5), floor((T_MAX+0.5)/5)+1]
# (0.5 s for the pass running a little after its grid time). The band is
# [K(1-e^(-5*nmin/60))*0.9 - 0.01, K(1-e^(-5*nmax/60))*1.1 + 0.01].
la_check_band() {
	local v=$1 k=$2 tmin=$3 tmax=$4 what=$5
	awk -v v="$v" -v k="$k" -v a="$tmin" -v b="$tmax" -v w="$what" 'BEGIN {
		nmin = int((a - 0.5) / 5); if (nmin < 0) nmin = 0; nmax = int((b + 0.5) / 5) + 1;
		lo = k * (1 - exp(-5 * nmin / 60)) * 0.9 - 0.01;
		hi = k * (1 - exp(-5 * nmax / 60)) * 1.1 + 0.01;
		printf "# %s: 1-min %s, expected %.3f..%.3f (K=%d, t=%.1f..%.1f s, %d..%d samples)\n",
			w, v, lo, hi, k, a, b, nmin, nmax;
		exit !(v >= lo && v <= hi) }' || pv_fail "$what: 1-min load $v outside the expected band"
}

# Tasks of cgroup dir $1 (recursive), one tid a line: v1 "tasks", v2
# "cgroup.threads" (a v2 dir has no "tasks" file).
la_cg_tids() {
	if [ -e "$1/cgroup.threads" ]; then
		find "$1" -name cgroup.threads -exec cat {} + 2>/dev/null
	else
		find "$1" -name tasks -exec cat {} + 2>/dev/null
	fi
}

# la_cg_dir NAME: NAME's directory in the hierarchy procviewd counts in
# (cpuacct, else cpu, else the unified one).
la_cg_dir() {
	local d
	for f in cpuacct cpu,cpuacct cpu ""; do
		d=$(pv_cg_dir "$1" "$f") || continue
		[ -d "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

# la_state_of STATE TID...: how many of the tids are in STATE (one letter,
# from /proc/<tid>/stat).
la_state_of() {
	local want=$1 t n=0 st; shift
	for t in "$@"; do
		st=$(sed 's/.*) //' "/proc/$t/stat" 2>/dev/null | cut -c1)
		[ "$st" = "$want" ] && n=$((n + 1))
	done
	echo $n
}

# Tids of $1 in state R (from /proc/<tid>/stat), excluding tid $2.
la_cg_running() {
	local t n=0 st
	for t in $(la_cg_tids "$1"); do
		[ "$t" = "$2" ] && continue
		st=$(sed 's/.*) //' "/proc/$t/stat" 2>/dev/null | cut -c1)
		[ "$st" = R ] && n=$((n + 1))
	done
	echo $n
}

# la_state_keys PIN: the cgroup ids (keys) of the pinned state map.
la_state_keys() {
	bpftool -j map dump pinned "$1/loadavg_state" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys
for e in json.load(sys.stdin): print(e["formatted"]["key"])'
}

# la_vfork_helper DIR: build DIR/vfork, whose parent waits in vfork() for a
# child that sleeps: the kernel's vfork wait is TASK_KILLABLE (state 'D',
# counted as load). The child dies with its parent (PR_SET_PDEATHSIG), so
# killing the parent by pid leaves nothing behind.
la_vfork_helper() {
	command -v cc >/dev/null || pv_skip "no C compiler for the vfork helper"
	cat > "$1/vfork.c" <<'C'
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(void)
{
	if (vfork() == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sleep(100000);
		_exit(0);
	}
	return 0;
}
C
	cc -O0 -o "$1/vfork" "$1/vfork.c" || pv_fail "build vfork helper"
}

# la_blocked NAME: start DIR/vfork (la_vfork_helper $PV_TMP) in NAME and
# wait up to 2 s for its parent to sleep uninterruptibly ('D'); skips when
# the kernel does not show it so. Prints its pid in LA_BLOCKED_PID.
la_blocked() {
	local st="" _
	( pv_cg_enter "$1" "$BASHPID"; exec "$PV_TMP/vfork" ) &
	PV_PIDS+=($!)
	LA_BLOCKED_PID=$!
	for _ in $(seq 1 20); do
		st=$(sed 's/.*) //' "/proc/$LA_BLOCKED_PID/stat" 2>/dev/null | cut -c1)
		[ "$st" = D ] && return 0
		sleep 0.1
	done
	pv_skip "vfork parent $LA_BLOCKED_PID is in state '$st', not D"
}

# la_calc_load_n LOAD EXP ACTIVE N: the kernel's catch-up, calc_load(LOAD,
# fixed_power_int(EXP, 11, N), ACTIVE), written out independently (square
# and multiply, each product rounded to nearest; round up while rising).
la_calc_load_n() {
	/usr/bin/python3 - "$@" <<'PY'
import sys
load, e, active, n = map(int, sys.argv[1:])
def mul(a, b): return (a * b + 1024) >> 11
r, x = 2048, e
while n:
    if n & 1: r = mul(r, x)
    n >>= 1
    if n: x = mul(x, x)
num = load * r + active * (2048 - r)
print(-(-num // 2048) if active >= load else num // 2048)
PY
}

# la_monotonic_ns: CLOCK_MONOTONIC now (the clock of the sample grid).
la_monotonic_ns() { /usr/bin/python3 -c 'import time; print(time.monotonic_ns())'; }

# la_meta PIN: "layout last_sample_ns samples" of the pinned meta map.
la_meta() {
	bpftool -j map lookup pinned "$1/loadavg_meta" key hex 00 00 00 00 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys
v = json.load(sys.stdin)["formatted"]["value"]
print(v["layout"], v["last_sample_ns"], v["samples"])'
}

# la_meta_set PIN LAYOUT LAST_SAMPLE_NS SAMPLES: overwrite the pinned meta.
la_meta_set() {
	local hex
	hex=$(/usr/bin/python3 -c 'import struct,sys
print(" ".join("%02x" % b for b in struct.pack("<4Q", int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), 0)))' "$2" "$3" "$4")
	# shellcheck disable=SC2086 # one word per byte
	bpftool map update pinned "$1/loadavg_meta" key hex 00 00 00 00 value hex $hex
}

# la_state PIN CGID: "l1 l5 l15 applied nr_active" of the cgroup's entry.
la_state() {
	bpftool -j map dump pinned "$1/loadavg_state" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys
for e in json.load(sys.stdin):
    f = e["formatted"]
    if str(f["key"]) == sys.argv[1]:
        v = f["value"]; a = v["avenrun"]
        print(a[0], a[1], a[2], v["applied"], v["nr_active"])' "$2"
}
