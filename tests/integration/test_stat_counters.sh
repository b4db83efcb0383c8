#!/bin/bash
# The container's own activity, against the kernel's counters over the same
# window: user+nice+system vs cpuacct.usage (3% or 2 ticks), ctxt vs the
# tasks' /proc/<pid>/status switches (5%), processes grows by exactly M forks.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
pv_daemon_start
pv_cg_create c
pv_bg_in c sh -c 'while :; do :; done'
pv_bg_in c /usr/bin/python3 -c 'import time
while True: time.sleep(0.002)'
sleep 1

# CPU time: the kernel's counter read just before and after each /proc/stat.
x0=$(pv_usage_sample c)
sleep 3
x1=$(pv_usage_sample c)
msg=$(pv_usage_check "$x0" "$x1") || pv_fail "CPU delta: $msg"
pv_log "user+nice+system over 3 s: $msg"

# Context switches of long-lived tasks (the readers add a few of their own).
c0=$(pv_cg_switches c); x0=$(pv_stat_field ctxt <<<"$(pv_stat_in c)")
sleep 3
c1=$(pv_cg_switches c); x1=$(pv_stat_field ctxt <<<"$(pv_stat_in c)")
pv_log "ctxt delta $((x1 - x0)), tasks' switches delta $((c1 - c0))"
[ $((c1 - c0)) -gt 100 ] || pv_fail "workload made only $((c1 - c0)) switches"
pv_near "$((x1 - x0))" "$((c1 - c0))" 5 || pv_fail "ctxt delta $((x1 - x0)) vs $((c1 - c0))"

# Forks: a bash moved in before it forks M children, nothing else forks.
M=37
p0=$(pv_stat_field processes <<<"$(pv_stat_in c)")
pv_in c bash -c "for ((i = 0; i < $M; i++)); do /bin/true; done" || pv_fail "fork loop"
p1=$(pv_stat_field processes <<<"$(pv_stat_in c)")
pv_log "processes $p0 -> $p1 after $M forks"
[ $((p1 - p0)) -eq $M ] || pv_fail "processes grew by $((p1 - p0)), want $M"
echo "ok"
