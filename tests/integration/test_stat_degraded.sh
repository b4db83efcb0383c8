#!/bin/bash
# Without BPF (--no-bpf) /proc/stat and /proc/uptime come from cgroup files:
# the daemon says it runs degraded, and the invariants the fallback can keep
# hold: monotonic, cpu = sum of cpuN, columns = time since start, user+system
# vs the cgroup's own usage, procs_running from the tasks' states, btime +
# uptime = now, and no pins are made.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
pv_cg_create c
pv_daemon_start --no-bpf
grep -qi degraded "$PV_TMP/daemon.log" || pv_fail "no 'degraded' log line with --no-bpf"
[ -e "$PV_PIN/pv_cpu" ] && pv_fail "--no-bpf made pins"
# Degraded, a container's start is its earliest task's start (no mkdir
# event): the wall clock around the first task's fork is the ground truth.
t0=$(pv_now); pv_bg_in c sh -c 'while :; do :; done'; t1=$(pv_now)
pv_bg_in c sh -c 'while :; do :; done'
sleep 1
prev=$(pv_stat_in c) || pv_fail "read"
for i in $(seq 1 30); do
	cur=$(pv_stat_in c)
	msg=$(pv_stat_check_sum "$cur") || pv_fail "read $i: $msg"
	msg=$(pv_stat_check_mono "$prev" "$cur") || pv_fail "read $i: $msg"
	prev=$cur
done
r0=$(pv_now); st=$(pv_stat_in c); r1=$(pv_now); up=$(pv_uptime_in c); now=$(pv_now)
msg=$(pv_stat_check_elapsed "$st" "$t0" "$t1" "$r0" "$r1") || pv_fail "$msg"
bt=$(pv_stat_field btime <<<"$st")
pv_near "$(awk -v b="$bt" -v u="${up%% *}" 'BEGIN { printf "%.3f", b + u }')" "$now" 0 1.05 || pv_fail "btime $bt + uptime $up != now $now"
r=$(pv_stat_field procs_running <<<"$st")
[ "$r" -ge 2 ] && [ "$r" -le 3 ] || pv_fail "procs_running $r with 2 busy loops"
# cpuacct.stat / cpu.stat user+system move with usage (their own tick rounding).
s0=$(pv_stat_in c); u0=$(pv_cg_usage_ns c)
sleep 3
s1=$(pv_stat_in c); u1=$(pv_cg_usage_ns c)
d_stat=$(( $(pv_stat_used <<<"$s1") - $(pv_stat_used <<<"$s0") )); d_kern=$(( (u1 - u0) / 10000000 ))
pv_log "degraded: user+system delta $d_stat ticks, usage $d_kern ticks"
# cpuacct.stat is tick-sampled: looser than the BPF figures
pv_near "$d_stat" "$d_kern" 10 5 || pv_fail "degraded CPU delta $d_stat vs $d_kern"
echo "ok"
