# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the /proc/stat, /proc/uptime and BPF tests (source after lib.sh).

pv_now() { date +%s.%N; }

# Move the current shell process into test cgroup NAME in every hierarchy
# with builtins only: a fork after the first move would count as the
# container's (pv_cg_enter forks for basename).
pv_enter_nofork() {
	local d
	for d in "${PV_CGROUPS[@]}"; do
		[ "${d##*/}" = "$PV_TAG-$1" ] || continue
		echo "$BASHPID" > "$d/cgroup.procs" || return 1
	done
}

# pv_in NAME CMD...: run CMD inside test cgroup NAME (every hierarchy); the
# process is forked here and moved in before exec, so it adds no fork there.
pv_in() { local n=$1; shift; ( pv_enter_nofork "$n" || exit 125; exec "$@" ); }

# pv_bg_in NAME CMD...: same, in the background, killed at exit.
pv_bg_in() { local n=$1; shift; ( pv_enter_nofork "$n" || exit 125; exec "$@" ) & PV_PIDS+=($!); }

# The container's /proc/stat and /proc/uptime as its own task reads them.
pv_stat_in() { pv_in "$1" cat "$PV_MNT/proc/stat"; }
pv_uptime_in() { pv_in "$1" cat "$PV_MNT/proc/uptime"; }

# Absolute directory of test cgroup NAME in the hierarchy holding cpuacct.
pv_cpuacct_dir() {
	local f
	for f in cpuacct cpu,cpuacct cpuacct,cpu; do
		pv_own_cgdir "$f" >/dev/null 2>&1 && { pv_cg_dir "$1" "$f"; return 0; }
	done
	pv_cg_dir "$1" ""
}

# Container CPU usage in ns from the kernel's own counter.
pv_cg_usage_ns() {
	local d; d=$(pv_cpuacct_dir "$1")
	if [ -f "$d/cpuacct.usage" ]; then cat "$d/cpuacct.usage"
	else awk '$1 == "usage_usec" { print $2 * 1000 }' "$d/cpu.stat"; fi
}

# Every tid of test cgroup NAME (nested cgroups included).
pv_cg_tids() {
	local d; d=$(pv_cpuacct_dir "$1")
	find "$d" -name tasks -o -name cgroup.threads | xargs cat 2>/dev/null | sort -u
}

# Sum of voluntary + nonvoluntary switches of the cgroup's tasks now.
pv_cg_switches() {
	local t s=0 v
	for t in $(pv_cg_tids "$1"); do
		v=$(awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }' \
			"/proc/$t/status" 2>/dev/null) || continue
		s=$((s + v))
	done
	echo "$s"
}

# Field extractors over /proc/stat text on stdin.
pv_stat_field() { awk -v k="$1" '$1 == k { print $2 }'; }
# user+nice+system of the "cpu" line.
pv_stat_used() { awk '$1 == "cpu" { print $2 + $3 + $4 }'; }

# pv_stat_check_sum TEXT: the cpu line is the exact column sum of cpuN lines.
pv_stat_check_sum() {
	echo "$1" | awk '
		$1 == "cpu" { for (i = 2; i <= NF; i++) tot[i] = $i; nc = NF }
		$1 ~ /^cpu[0-9]+$/ { n++; for (i = 2; i <= NF; i++) s[i] += $i
			if (NF != nc) { print "column count " NF " != " nc; bad = 1 } }
		END { if (!n) { print "no cpuN lines"; exit 1 }
			for (i = 2; i <= nc; i++) if (s[i] != tot[i]) { print "col " i ": " s[i] " != " tot[i]; bad = 1 }
			exit bad }'
}

# pv_stat_check_mono OLD NEW: no counter of OLD is above NEW (btime may
# move by 1 s of rounding).
pv_stat_check_mono() {
	awk 'NR == FNR { for (i = 2; i <= NF; i++) old[$1, i] = $i; next }
		$1 ~ /^(cpu[0-9]*|ctxt|processes)$/ {
			for (i = 2; i <= NF; i++) if ((($1, i) in old) && $i + 0 < old[$1, i] + 0) {
				print $1 " col " i ": " old[$1, i] " -> " $i; bad = 1 } }
		$1 == "btime" && ((($1, 2) in old)) {
			d = $2 - old[$1, 2]; if (d > 1 || d < -1) { print "btime " old[$1, 2] " -> " $2; bad = 1 } }
		END { exit bad }' <(echo "$1") <(echo "$2")
}

# pv_stat_check_elapsed TEXT MK0 MK1 R0 R1: each vCPU's columns add up to
# its time since start within 1% (+2 ticks of rounding). Ground truth is the
# wall clock: the container's cgroup was made between MK0 and MK1 and TEXT
# was read between R0 and R1 (pv_now), so its age lies in R0-MK1 .. R1-MK0.
pv_stat_check_elapsed() {
	echo "$1" | awk -v m0="$2" -v m1="$3" -v r0="$4" -v r1="$5" '
		BEGIN { a = (r0 - m1) * 100; b = (r1 - m0) * 100; tol = b / 100 + 2 }
		$1 ~ /^cpu[0-9]+$/ { n++; s = 0; for (i = 2; i <= NF; i++) s += $i
			if (s < a - tol || s > b + tol) {
				printf "%s sums to %d ticks, the cgroup is %.0f..%.0f ticks old\n", $1, s, a, b; bad = 1 } }
		END { if (!n) { print "no cpuN lines"; bad = 1 } exit bad }'
}

# pv_usage_sample NAME: "USED_TICKS KERNEL_NS_BEFORE KERNEL_NS_AFTER": the
# container's user+nice+system from its /proc/stat, bracketed by two reads
# of its cgroup usage (a reader process can take a while on a loaded host).
pv_usage_sample() {
	local a b s
	a=$(pv_cg_usage_ns "$1"); s=$(pv_stat_in "$1" | pv_stat_used); b=$(pv_cg_usage_ns "$1")
	echo "$s $a $b"
}

# pv_usage_check S0 S1 (samples above): the stat delta lies within the
# kernel's delta over the bracketing window, give or take max(3%, 2 ticks).
# Prints "stat D kernel LO..HI"; fails (status 1) outside.
pv_usage_check() {
	local s0 a0 b0 s1 a1 b1
	read -r s0 a0 b0 <<<"$1"; read -r s1 a1 b1 <<<"$2"
	awk -v s0="$s0" -v a0="$a0" -v b0="$b0" -v s1="$s1" -v a1="$a1" -v b1="$b1" 'BEGIN {
		d = s1 - s0; lo = (a1 - b0) / 1e7; hi = (b1 - a0) / 1e7
		tol = (lo + hi) / 2 * 0.03; if (tol < 2) tol = 2
		printf "stat %d ticks, kernel %.1f..%.1f ticks\n", d, lo, hi
		exit !(d >= lo - tol && d <= hi + tol) }'
}
