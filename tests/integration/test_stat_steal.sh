#!/bin/bash
# Steal that could not be shown while the container was busy is dropped, not
# shown later in place of idle: 3 busy loops share one CPU (cpuset) for 5 s,
# so their run-queue wait grows twice as fast as the wall clock; once they
# stop, the container's one vCPU must read as idle (>= 90% of the /proc/stat
# delta over the next 2 s, and again across a daemon restart) and
# /proc/uptime's idle must advance with time.
# Ground truth: the burners are gone (cgroup.procs is empty) and the wall
# clock; the columns still add up to the time since the cgroup's mkdir.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
pv_daemon_start
grep -qi "degraded" "$PV_TMP/daemon.log" && pv_skip "daemon runs without BPF (no steal accounting)"
t0=$(pv_now); pv_cg_create c; t1=$(pv_now)
cs=$(pv_cg_dir c cpuset)
[ -f "$cs/cpuset.cpus" ] || pv_skip "no cpuset hierarchy"
cpu=$(( $(nproc) - 1 ))
echo "$cpu" > "$cs/cpuset.cpus" || pv_fail "set $cs/cpuset.cpus to $cpu"

burners=()
for i in 1 2 3; do
	pv_bg_in c sh -c 'while :; do :; done'
	burners+=("${PV_PIDS[-1]}")
done
# A reader like top keeps sampling while the container is saturated.
for i in 1 2 3 4 5; do
	sleep 1
	st=$(pv_stat_in c) || pv_fail "read while busy"
	msg=$(pv_stat_check_sum "$st") || pv_fail "busy read $i: $msg"
done
pv_log "busy (3 loops on CPU $cpu): $(grep '^cpu0 ' <<<"$st")"
kill -KILL "${burners[@]}"
for p in "${burners[@]}"; do wait "$p" 2>/dev/null; done
d=$(pv_cpuacct_dir c)
[ -z "$(cat "$d/cgroup.procs")" ] || pv_fail "burners still in $d: $(cat "$d/cgroup.procs")"

# check_idle WHAT S0 S1 U0 U1 R0 R1: between the two /proc/stat texts (and
# the two /proc/uptime lines) the idle vCPU's time went to idle; S1 was
# read between R0 and R1.
check_idle() {
	local what=$1 s0=$2 s1=$3 u0=$4 u1=$5 r0=$6 r1=$7 tot idle steal msg
	pv_log "$what: $(grep '^cpu0 ' <<<"$s0") -> $(grep '^cpu0 ' <<<"$s1"); uptime $u0 -> $u1"
	[ "$(grep -c '^cpu[0-9]' <<<"$s1")" = 1 ] || pv_fail "a 1-CPU cpuset shows $(grep -c '^cpu[0-9]' <<<"$s1") vCPUs"
	msg=$(pv_stat_check_mono "$s0" "$s1") || pv_fail "$what: went backwards: $msg"
	msg=$(pv_stat_check_elapsed "$s1" "$t0" "$t1" "$r0" "$r1") || pv_fail "$what: $msg"
	read -r tot idle steal < <(paste <(grep '^cpu0 ' <<<"$s0") <(grep '^cpu0 ' <<<"$s1") | awk '{
		n = NF / 2; t = 0; for (i = 2; i <= n; i++) t += $(n + i) - $i
		print t, $(n + 5) - $5, $(n + 9) - $9 }')
	[ "$tot" -ge 150 ] || pv_fail "$what: only $tot ticks passed in 2 s"
	[ $((idle * 100)) -ge $((tot * 90)) ] || pv_fail "$what: idle $idle of $tot ticks (steal $steal)"
	awk -v a="$u0" -v b="$u1" 'BEGIN { split(a, x, " "); split(b, y, " ")
		exit !(y[2] - x[2] >= 0.9 * (y[1] - x[1]) && y[1] - x[1] >= 1.5) }' ||
		pv_fail "$what: uptime idle did not advance with time: $u0 -> $u1"
}

s0=$(pv_stat_in c); u0=$(pv_uptime_in c)
sleep 2
r0=$(pv_now); s1=$(pv_stat_in c); r1=$(pv_now); u1=$(pv_uptime_in c)
check_idle "2 s after the load stopped" "$s0" "$s1" "$u0" "$u1" "$r0" "$r1"

# The wait already accounted for is part of the pinned state: a restarted
# daemon does not show it as steal either.
pv_daemon_stop KILL
pv_daemon_start
sleep 1.5
r0=$(pv_now); s2=$(pv_stat_in c); r1=$(pv_now); u2=$(pv_uptime_in c)
check_idle "across a kill -9 restart" "$s1" "$s2" "$u1" "$u2" "$r0" "$r1"
echo "ok"
