#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# loadavg at scale: N = 10, 100, 1000 containers, procviewd beside LXCFS -l.
#
# Each container is a cgroup below our own in the cpu and cpuacct
# hierarchies (cgroup v1), or in the unified hierarchy when there is no v1
# cpu hierarchy (pure cgroup v2), holding a pid namespace whose init sleeps (both daemons find a
# reader's container through the init of its pid namespace); two
# containers run a niced busy loop, and a probe container starts one when
# the measuring window opens, so its 1-minute average must move every 5 s.
# Every container is read once through both daemons first (LXCFS only
# tracks containers it was asked about).
#
# Per N, over a WINDOW-second window in which nobody reads (default 30,
# scaled to a minute), then an update window (default 20 s):
#   cpu ms/min  utime+stime of the daemon (/proc/<pid>/stat)
#   sched ms/m  the same from per-thread schedstat (ns resolution)
#   rss MiB     VmRSS after the window
#   updates     changes of the probe container's 1-min value (busy from the
#               update window's start) read about once a second / the
#               5-s samples the span from first to last read surely holds
#               (floor(span/5)); "3/3" = a new value with every sample
#   lat us      median / p99 of open+read+close by a reader in the probe
#               container (bench/readlat), /proc/loadavg and /proc/stat
# Then one "verdict:" line per target of issue 4, each with its ratio and
# MET or MISSED (or "not measured" and why):
#   cpu      procviewd's CPU time at N=1000 <= 1/10 of LXCFS -l's (sched);
#   updates  procviewd's probe value changes with every 5-s sample at the
#            largest N (all of updates/want);
#   latency  procviewd's median /proc/loadavg and /proc/stat read latency
#            at N=1000 <= 1.5x its latency at N=10.
# Time: about 1.5 min for N=10 and 100 each and 2.5-3 min for N=1000 on
# this 2-core machine (creating 1000 namespaces and reading each through
# both daemons dominates), about 5-6 min in all.
# Knobs: LOADAVG_SCALE_N ("10 100 1000"), LOADAVG_SCALE_WINDOW (30),
# LOADAVG_SCALE_UPDATE_WINDOW (20),
# LOADAVG_SCALE_READS (300), PV_BUILD (build dir). Needs root; LXCFS is
# optional (its columns read "-" without it). Cleans up everything it made
# (processes by pid, mounts, cgroups, pins) on every exit.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PV_BUILD:-$ROOT/build}
NS=${LOADAVG_SCALE_N:-"10 100 1000"}
WINDOW=${LOADAVG_SCALE_WINDOW:-30}
UPDWIN=${LOADAVG_SCALE_UPDATE_WINDOW:-20}
READS=${LOADAVG_SCALE_READS:-300}
HZ=$(getconf CLK_TCK)
TAG="lascale-$$"

die() { echo "loadavg_scale: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "loadavg_scale: skipped (needs root)"; exit 0; }
[ -x "$BUILD/procviewd" ] || die "$BUILD/procviewd not built (make all)"
[ -x "$BUILD/bench/readlat" ] || die "$BUILD/bench/readlat not built (make all)"
command -v unshare >/dev/null && command -v nsenter >/dev/null || die "needs unshare and nsenter (util-linux)"
LXCFS=$(command -v lxcfs || true)

TMP=$(mktemp -d "/tmp/$TAG.XXXXXX")
PIN=/sys/fs/bpf/$TAG
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf 2>/dev/null
PIDS=()          # every process we started
CGS=()           # cgroup dirs we made
PV_PID="" LX_PID=""

own_dir() {  # own cgroup dir in the v1 hierarchy whose controller field is $1
	local mnt path
	mnt=$(awk -v c="$1" '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $5 }' /proc/self/mountinfo | head -n1)
	[ -n "$mnt" ] || return 1
	path=$(awk -F: -v c="$1" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { sub(/^[^:]*:[^:]*:/, ""); print; exit } }' /proc/self/cgroup)
	echo "$mnt${path%/}"
}
# own_dir_v2: own cgroup dir in the unified (cgroup2) hierarchy.
own_dir_v2() {
	local mnt path
	mnt=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	[ -n "$mnt" ] || return 1
	path=$(awk -F: '$1 == "0" && $2 == "" { sub(/^[^:]*:[^:]*:/, ""); print; exit }' /proc/self/cgroup)
	echo "$mnt${path%/}"
}
if CPU_OWN=$(own_dir cpu); then
	ACCT_OWN=$(own_dir cpuacct) || die "no v1 cpuacct hierarchy beside the v1 cpu one"
	HIERS=("$CPU_OWN")
	[ "$ACCT_OWN" = "$CPU_OWN" ] || HIERS+=("$ACCT_OWN")
elif V2_OWN=$(own_dir_v2) && grep -qw cpu "$V2_OWN/cgroup.controllers" 2>/dev/null; then
	# Pure v2: containers are children of our own cgroup; no controller
	# needs enabling, both daemons only read cgroup membership and cpu.stat.
	HIERS=("$V2_OWN")
else
	echo "loadavg_scale: skipped (no v1 cpu hierarchy and no cgroup2 hierarchy with the cpu controller)"
	exit 0
fi

stop_pid() {  # TERM, wait up to 5 s, then KILL
	local p=$1 i
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null
	for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}

teardown() {  # one N: daemons, processes, mounts, cgroups, pins
	local p d i
	stop_pid "$PV_PID"; PV_PID=""
	stop_pid "$LX_PID"; LX_PID=""
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PIDS=()
	for m in "$TMP/pv" "$TMP/lx"; do
		grep -q " $m fuse" /proc/mounts && { fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
	done
	for ((i = ${#CGS[@]} - 1; i >= 0; i--)); do
		d=${CGS[i]}
		[ -d "$d" ] || continue
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
	done
	CGS=()
	rm -rf "$PIN"
}
cleanup() { local rc=$?; teardown; rm -rf "$TMP"; exit $rc; }
trap cleanup EXIT
trap 'exit 130' INT TERM

cg_enter() {  # cg_enter NAME PID: into NAME in the cpu and cpuacct hierarchies
	local h
	for h in "${HIERS[@]}"; do echo "$2" > "$h/$TAG-$1/cgroup.procs" || return 1; done
}

# start_container NAME: cgroup + pid namespace whose init sleeps; sets INIT.
start_container() {
	local h u i
	for h in "${HIERS[@]}"; do mkdir "$h/$TAG-$1" || die "mkdir $h/$TAG-$1"; CGS+=("$h/$TAG-$1"); done
	( cg_enter "$1" "$BASHPID" && exec unshare -p -f --kill-child sleep 1000000 ) &
	u=$!; PIDS+=("$u")
	INIT=""
	for i in $(seq 1 100); do
		INIT=$(cat "/proc/$u/task/$u/children" 2>/dev/null | awk '{print $1}')
		[ -n "$INIT" ] && return 0
		sleep 0.02
	done
	die "container $1: no pid-namespace init"
}
declare -A INITS

# in_container NAME CMD...: run CMD in NAME's cgroups and pid namespace.
in_container() {
	local name=$1; shift
	( cg_enter "$name" "$BASHPID" && exec nsenter -t "${INITS[$name]}" -p -- "$@" )
}
busy_in() {
	( cg_enter "$1" "$BASHPID" && exec nsenter -t "${INITS[$1]}" -p -- nice -n 19 sh -c 'while :; do :; done' ) &
	PIDS+=($!)
}

wait_mount() {  # wait_mount DIR PID NAME
	local i
	for i in $(seq 1 200); do
		grep -q " $1 fuse" /proc/mounts && head -c1 "$1/proc/loadavg" >/dev/null 2>&1 && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# sched_snap PID: "tid run_ns" of every thread now (/proc/PID/task/*/schedstat)
sched_snap() { local t; for t in /proc/"$1"/task/*; do echo "${t##*/} $(awk '{print $1}' "$t/schedstat" 2>/dev/null)"; done; }
# sched_ms_per_min BEFORE AFTER: CPU ns of threads alive at the end (new
# threads count from 0), scaled to ms per minute; exact, no 10-ms ticks.
sched_ms_per_min() {
	awk -v w="$WINDOW" 'NR == FNR { a[$1] = $2; next } { d += $2 - ($1 in a ? a[$1] : 0) }
		END { printf "%.1f", d / 1e6 * 60 / w }' "$1" "$2"
}
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

printf '%-5s  %-8s %10s %10s %8s %8s %17s %17s\n' N daemon "cpu ms/min" "sched ms/m" "rss MiB" updates "loadavg med/p99" "stat med/p99"
for N in $NS; do
	mkdir -p "$TMP/pv" "$TMP/lx"
	# Containers c1..cN; c1, c2 busy; c3 is the probe.
	for i in $(seq 1 "$N"); do start_container "c$i"; INITS[c$i]=$INIT; done
	[ "$N" -ge 3 ] || die "N must be >= 3"
	busy_in c1; busy_in c2

	"$BUILD/procviewd" -f --bpf-pin-dir "$PIN" "$TMP/pv" >>"$TMP/procviewd.log" 2>&1 &
	PV_PID=$!
	wait_mount "$TMP/pv" "$PV_PID" || { tail -n 20 "$TMP/procviewd.log" >&2; die "procviewd did not serve"; }
	if [ -n "$LXCFS" ]; then
		"$LXCFS" -l -f -p "$TMP/lxcfs.pid" "$TMP/lx" >>"$TMP/lxcfs.log" 2>&1 &
		LX_PID=$!
		wait_mount "$TMP/lx" "$LX_PID" || { tail -n 20 "$TMP/lxcfs.log" >&2; LX_PID=""; echo "# lxcfs did not start"; }
	fi
	# Every container reads once through both daemons.
	for i in $(seq 1 "$N"); do
		in_container "c$i" cat "$TMP/pv/proc/loadavg" >/dev/null 2>&1
		[ -n "$LX_PID" ] && in_container "c$i" cat "$TMP/lx/proc/loadavg" >/dev/null 2>&1
	done
	sleep 5  # let both settle after the burst of first reads

	# CPU window: nobody reads; what the daemon costs in the background.
	pv0=$(cpu_ticks "$PV_PID"); lx0=""; [ -n "$LX_PID" ] && lx0=$(cpu_ticks "$LX_PID")
	sched_snap "$PV_PID" > "$TMP/pv.s0"; [ -n "$LX_PID" ] && sched_snap "$LX_PID" > "$TMP/lx.s0"
	sleep "$WINDOW"
	pv1=$(cpu_ticks "$PV_PID"); lx1=""; [ -n "$LX_PID" ] && lx1=$(cpu_ticks "$LX_PID")
	sched_snap "$PV_PID" > "$TMP/pv.s1"; [ -n "$LX_PID" ] && sched_snap "$LX_PID" > "$TMP/lx.s1"

	# Update window: the probe turns busy; read its 1-min value every second.
	busy_in c3
	: > "$TMP/pv.vals"; : > "$TMP/lx.vals"
	t_end=$(( $(date +%s) + UPDWIN ))
	while [ "$(date +%s)" -lt "$t_end" ]; do
		in_container c3 cat "$TMP/pv/proc/loadavg" 2>/dev/null | awk -v t="$EPOCHREALTIME" '{print t, $1}' >> "$TMP/pv.vals"
		[ -n "$LX_PID" ] && in_container c3 cat "$TMP/lx/proc/loadavg" 2>/dev/null | awk -v t="$EPOCHREALTIME" '{print t, $1}' >> "$TMP/lx.vals"
		sleep 1
	done
	# updates VALS: "changes want": value changes between consecutive reads,
	# and the 5-s sample times any span as long as first..last read holds
	# at least (floor(span/5)): a daemon sampling every 5 s changes the
	# value of a container rising from 0 at least that often.
	updates() {
		awk 'NR > 1 && $2 != prev { c++ } { prev = $2; if (NR == 1) t0 = $1; t1 = $1 }
			END { printf "%d %d\n", c, int((t1 - t0) / 5) }' "$1"
	}

	srcs=("pv_loadavg=$TMP/pv/proc/loadavg" "pv_stat=$TMP/pv/proc/stat")
	[ -n "$LX_PID" ] && srcs+=("lx_loadavg=$TMP/lx/proc/loadavg" "lx_stat=$TMP/lx/proc/stat")
	srcs+=("host_loadavg=/proc/loadavg" "host_stat=/proc/stat")
	in_container c3 "$BUILD/bench/readlat" -n "$READS" -m open "${srcs[@]}" > "$TMP/lat" 2>&1
	lat() { awk -v n="$1" '$1 == n && $2 == "open" { if ($3 == "error") print "error"; else printf "%.0f/%.0f", $3, $4 }' "$TMP/lat"; }

	row() {  # row NAME PID T0 T1 VALS PREFIX
		local cpu upd sch want
		cpu=$(awk -v a="$3" -v b="$4" -v hz="$HZ" -v w="$WINDOW" 'BEGIN { printf "%.0f", (b - a) * 1000 / hz * 60 / w }')
		read -r upd want <<<"$(updates "$5")"
		sch=$(sched_ms_per_min "$TMP/$6.s0" "$TMP/$6.s1")
		printf '%-5s  %-8s %10s %10s %8s %8s %17s %17s\n' "$N" "$1" "$cpu" "$sch" "$(rss_mib "$2")" "$upd/$want" \
			"$(lat "$6_loadavg")" "$(lat "$6_stat")"
		# For the verdicts: N prefix sched-ms updates want lat-med lat-med
		echo "$N $6 $sch $upd $want $(lat "$6_loadavg" | cut -d/ -f1) $(lat "$6_stat" | cut -d/ -f1)" >> "$TMP/results"
	}
	row procview "$PV_PID" "$pv0" "$pv1" "$TMP/pv.vals" pv
	[ -n "$LX_PID" ] && row "lxcfs -l" "$LX_PID" "$lx0" "$lx1" "$TMP/lx.vals" lx
	printf '%-5s  %-8s %10s %10s %8s %8s %17s %17s\n' "$N" host - - - - "$(lat host_loadavg)" "$(lat host_stat)"
	teardown
done
# --- verdicts: issue 4's targets --------------------------------------------
# res N PREFIX FIELD: a recorded figure ("" when not measured). Fields:
# 3 sched ms/min, 4 updates, 5 want, 6 loadavg median us, 7 stat median us.
res() { awk -v n="$1" -v p="$2" -v f="$3" '$1 == n && $2 == p { print $f }' "$TMP/results" 2>/dev/null; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "inf" }'; }
judge() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "inf" && r + 0 <= t + 0) ? "MET" : "MISSED" }'; }
NMAX=$(for n in $NS; do echo "$n"; done | sort -n | tail -n1)
pv=$(res 1000 pv 3); lx=$(res 1000 lx 3)
if [ -z "$pv" ]; then
	echo "verdict: cpu at N=1000: not measured (N=1000 not run; LOADAVG_SCALE_N=\"$NS\")"
elif [ -z "$lx" ]; then
	echo "verdict: cpu at N=1000: not measured (no lxcfs to compare with); procview $pv ms/min"
else
	r=$(ratio "$pv" "$lx")
	echo "verdict: cpu at N=1000: procview $pv ms/min / lxcfs -l $lx ms/min = $r (target <= 0.100): $(judge "$r" 0.1)"
fi
for who in pv lx; do
	u=$(res "$NMAX" "$who" 4); w=$(res "$NMAX" "$who" 5)
	[ -n "$u" ] || continue
	name=procview; [ "$who" = lx ] && name="lxcfs -l"
	v=MISSED; [ "$u" -ge "$w" ] && v=MET
	echo "verdict: updates at N=$NMAX: $name $u value changes / $w samples surely in the read span (target: a new value every 5 s)$([ "$who" = lx ] && echo " [reference]"): $v"
done
for f in loadavg:6 stat:7; do
	a=$(res 1000 pv "${f#*:}"); b=$(res 10 pv "${f#*:}")
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" = error ] || [ "$b" = error ]; then
		echo "verdict: /proc/${f%:*} latency N=1000 vs N=10: not measured (needs N=10 and N=1000; LOADAVG_SCALE_N=\"$NS\")"
		continue
	fi
	r=$(ratio "$a" "$b")
	echo "verdict: /proc/${f%:*} latency N=1000 vs N=10: $a us / $b us = $r (target <= 1.5): $(judge "$r" 1.5)"
done
echo "# cpu: daemon utime+stime over ${WINDOW} s without reads, scaled to 1 min (CLK_TCK $HZ: one tick = $((1000 / HZ)) ms);"
echo "# sched: the same from per-thread schedstat run time (ns; threads that exited in the window are missed);"
echo "# updates: changes of the 1-min value of a container that turned busy, read about every 1 s for ${UPDWIN} s / the 5-s samples that span surely holds;"
echo "# lat: open+read+close by a reader inside a container (median/p99 us, $READS reads)"
