#!/bin/bash
# /proc/stat and /proc/uptime invariants (issue 3 item 5) with BPF accounting:
# 100 reads monotonic, cpu = sum of cpuN, each vCPU's columns = its time since
# start (1%, against the wall clock read around the cgroup's mkdir), btime +
# uptime = now (1 s), uptime = age of the cgroup (1 s), uptime idle = sum of
# the vCPUs' idle in /proc/stat.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
pv_daemon_start
t0=$(pv_now); pv_cg_create c; t1=$(pv_now)
pv_bg_in c sh -c 'while :; do :; done'
pv_bg_in c /usr/bin/python3 -c 'import time
while True: time.sleep(0.002)'
sleep 1

prev=$(pv_stat_in c) || pv_fail "read stat"
pv_log "first read: $(echo "$prev" | head -3 | tr '\n' '|')"
grep -q '^btime ' <<<"$prev" || pv_fail "no btime line"
for i in $(seq 1 100); do
	cur=$(pv_stat_in c) || pv_fail "read $i"
	msg=$(pv_stat_check_sum "$cur") || pv_fail "read $i: cpu line is not the sum: $msg"
	msg=$(pv_stat_check_mono "$prev" "$cur") || pv_fail "read $i: went backwards: $msg"
	prev=$cur
done
pv_log "100 reads: monotonic, cpu = sum of cpuN"

# Same host columns count as the host's own file.
hc=$(awk '$1 == "cpu" { print NF }' /proc/stat)
cc=$(awk '$1 == "cpu" { print NF }' <<<"$prev")
[ "$hc" = "$cc" ] || pv_fail "cpu line has $cc fields, host $hc"

# Columns vs time since start; uptime idle vs stat idle; btime + uptime = now.
for i in 1 2 3; do
	up0=$(pv_uptime_in c); r0=$(pv_now); st=$(pv_stat_in c); r1=$(pv_now); up=$(pv_uptime_in c); now=$(pv_now)
	set -- $up
	upt=$1 idle=$2
	msg=$(pv_stat_check_elapsed "$st" "$t0" "$t1" "$r0" "$r1") || pv_fail "$msg"
	sidle=$(awk '$1 ~ /^cpu[0-9]+$/ { s += $5 } END { print s / 100 }' <<<"$st")
	# idle is monotonic: the stat read lies between the two uptime reads
	idle0=${up0#* }
	awk -v s="$sidle" -v a="$idle0" -v b="$idle" 'BEGIN { exit !(s >= a - 0.03 && s <= b + 0.03) }' ||
		pv_fail "sum of stat idle $sidle not within uptime idle $idle0..$idle"
	bt=$(pv_stat_field btime <<<"$st")
	pv_near "$(awk -v b="$bt" -v u="$upt" 'BEGIN { printf "%.3f", b + u }')" "$now" 0 1.05 ||
		pv_fail "btime $bt + uptime $upt != now $now"
	# created between t0 and t1: age within [now - t1 - 1, now - t0 + 1]
	awk -v u="$upt" -v a="$t0" -v b="$t1" -v n="$now" 'BEGIN {
		exit !(u >= n - b - 1 && u <= n - a + 1) }' ||
		pv_fail "uptime $upt but the cgroup was made $(awk -v a="$t0" -v n="$now" 'BEGIN { print n - a }') s ago"
	sleep 0.5
done
pv_log "columns = time since start, btime + uptime = now, uptime = cgroup age, idle consistent"
echo "ok"
