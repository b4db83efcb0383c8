#!/bin/bash
# A container whose cgroup existed before procview first ran (no mkdir event
# seen): its start is the start of its oldest process — never 0, never the
# host's boot — and it stays the same across a daemon restart.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
pv_cg_create old
pv_bg_in old sleep 1000
oldest=${PV_PIDS[-1]}
sleep 2.5
pv_daemon_start
read -r up idle < <(pv_uptime_in old)
# kernel ground truth: the process's age from its starttime and host uptime
age=$(awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { sub(/^.*\) /, ""); split($0, f, " "); st = f[20] / hz; next }
	{ printf "%.2f", $1 - st }' "/proc/$oldest/stat" /proc/uptime)
pv_log "container uptime $up, oldest process age $age, host uptime $(cut -d' ' -f1 /proc/uptime)"
pv_near "$up" "$age" 0 1 || pv_fail "uptime $up, oldest process is $age s old"
bt=$(pv_stat_field btime <<<"$(pv_stat_in old)")
now=$(date +%s)
[ $((now - bt)) -le 10 ] || pv_fail "btime $bt is $((now - bt)) s ago"
pv_daemon_stop KILL
pv_daemon_start
read -r up2 _ < <(pv_uptime_in old)
pv_near "$up2" "$up" 0 3 || pv_fail "uptime $up -> $up2 across a restart"
awk -v a="$up2" -v b="$up" 'BEGIN { exit !(a >= b) }' || pv_fail "uptime went back: $up -> $up2"
echo "ok"
