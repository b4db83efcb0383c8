#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# /proc/cpuinfo and /sys/devices/system/cpu/online of containers: the vCPU
# count N is the effective cpuset (ground truth: the cgroup's own cpuset
# file), reduced to ceil(quota/period) under a CFS quota; cpuinfo has N
# blocks numbered 0..N-1, online says 0-{N-1}, and unmodified tools
# (python os.cpu_count, getconf) agree.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mem_lib.sh"
pv_init
pv_daemon_start

cpusetf=$(pvm_field cpuset)
cpuf=$(pvm_field cpu)

# Count of CPUs in a cpulist like "0-3,8".
ncpus() { awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { split($i, r, "-"); n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }' <<<"$1"; }

effective() { # effective cpuset of test cgroup $1 (no cpuset controller: all online CPUs)
	local d f
	d=$(pvm_dir "$1" cpuset)
	f=$d/cpuset.cpus.effective
	[ -n "$cpusetf" ] && f=$d/cpuset.effective_cpus
	if [ -f "$f" ]; then cat "$f"; else cat /sys/devices/system/cpu/online; fi
}

has_quota() { # the cpu controller is available to test cgroup $1
	local d
	d=$(pvm_dir "$1" cpu)
	[ -f "$d/cpu.cfs_quota_us" ] || [ -f "$d/cpu.max" ]
}

set_quota() { # test cgroup $1, quota us $2, period us $3
	local d
	d=$(pvm_dir "$1" cpu)
	if [ -n "$cpuf" ]; then
		echo "$3" > "$d/cpu.cfs_period_us" && echo "$2" > "$d/cpu.cfs_quota_us"
	else
		echo "$2 $3" > "$d/cpu.max"
	fi || pv_fail "set quota on $d"
}

check() { # test cgroup $1, expected N $2, what $3
	local n=$2 procs online want_online pycount ids
	procs=$(pvm_in "$1" grep -c '^processor' "$PV_MNT/proc/cpuinfo")
	ids=$(pvm_in "$1" awk -F': ' '/^processor/ { printf "%s ", $2 }' "$PV_MNT/proc/cpuinfo")
	online=$(pvm_in "$1" cat "$PV_MNT/sys/devices/system/cpu/online")
	want_online=$([ "$n" = 1 ] && echo 0 || echo "0-$((n - 1))")
	[ "$procs" = "$n" ] || pv_fail "$3: cpuinfo has $procs processors, want $n"
	[ "$ids" = "$(seq -s ' ' 0 $((n - 1))) " ] || pv_fail "$3: processor ids '$ids'"
	[ "$online" = "$want_online" ] || pv_fail "$3: online '$online', want '$want_online'"
	pycount=$(pvm_in_bound "$1" /usr/bin/python3 -c 'import os; print(os.cpu_count())')
	[ "$pycount" = "$n" ] || pv_fail "$3: os.cpu_count() $pycount, want $n"
	[ "$(pvm_in_bound "$1" getconf _NPROCESSORS_ONLN)" = "$n" ] || pv_fail "$3: getconf _NPROCESSORS_ONLN"
	pv_log "$3: N=$n ok"
}

# No limits: the effective cpuset.
pv_cg_create free
check free "$(ncpus "$(effective free)")" "no limit"

# cpuset 0.
pv_cg_create pinned
if [ -f "$(pvm_dir pinned cpuset)/cpuset.cpus" ]; then
	echo 0 > "$(pvm_dir pinned cpuset)/cpuset.cpus" || pv_fail "set cpuset.cpus"
	[ "$(effective pinned)" = 0 ] || pv_fail "kernel did not apply cpuset 0"
	check pinned 1 "cpuset 0"
else
	pv_log "no cpuset controller in our cgroup: cpuset case skipped"
fi

# --cpus 0.5: quota 50000/100000 -> ceil(0.5) = 1.
pv_cg_create half
if has_quota half; then
	set_quota half 50000 100000
	check half 1 "quota 0.5"

	# quota 1.5 CPUs over the whole cpuset: min(ceil(1.5), cpuset size).
	pv_cg_create oneandhalf
	set_quota oneandhalf 150000 100000
	n=$(ncpus "$(effective oneandhalf)")
	check oneandhalf $(( n < 2 ? n : 2 )) "quota 1.5"
else
	pv_log "no cpu controller in our cgroup: quota cases skipped"
fi

# The same through procview-run (the README demo): its own cgroup, new
# mount and pid namespaces, files bound over /proc and /sys.
if [ -x "$PV_RUN" ]; then
	for args in "--cpuset 0" "--cpus 0.5"; do
		# shellcheck disable=SC2086
		out=$("$PV_RUN" --mount "$PV_MNT" --print-cgroup $args -- sh -c '
			grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online
			/usr/bin/python3 -c "import os; print(os.cpu_count())"' 2>"$PV_TMP/run.err") ||
			{ cat "$PV_TMP/run.err" >&2; pv_fail "procview-run $args failed"; }
		[ "$(tr '\n' ' ' <<<"$out")" = "1 0 1 " ] || pv_fail "procview-run $args: '$out', want 1 / 0 / 1"
		grep -q "^cgroup" "$PV_TMP/run.err" || pv_fail "procview-run $args printed no cgroup"
		pv_log "procview-run $args: N=1 ok"
	done
else
	pv_log "procview-run not built: checked through test cgroups only"
fi
echo "ok: cpuinfo/online follow cpuset and CFS quota"
