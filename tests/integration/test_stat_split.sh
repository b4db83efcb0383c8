#!/bin/bash
# How /proc/stat splits the container's CPU time, against the kernel's own
# split over the same 3 s: nice = the niced task's utime+stime (its
# /proc/<pid>/stat), user and system = the cgroup's cpuacct.stat (both are
# sampled at ticks: within 10% or 5 ticks of each other).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
pv_daemon_start
grep -qi "degraded" "$PV_TMP/daemon.log" && pv_skip "daemon runs without BPF (no nice split)"
pv_cg_create c
d=$(pv_cpuacct_dir c)
[ -f "$d/cpuacct.stat" ] || pv_skip "no cpuacct.stat (cgroup v2 only)"
# A niced busy loop (nice 1: nice time all the same, but not starved on a
# busy host) and a loop that lives mostly in the kernel (some in user
# space): two tasks, so on a shared 2-CPU host each gets time.
pv_bg_in c nice -n 1 sh -c 'while :; do :; done'; niced=${PV_PIDS[-1]}
pv_bg_in c dd if=/dev/zero of=/dev/null bs=1
sleep 1

# ticks PID: utime + stime of one task (fields 14, 15 after the comm).
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
acct() { awk -v k="$1" '$1 == k { print $2 }' "$d/cpuacct.stat"; }
cols() { awk '$1 == "cpu" { print $2, $3, $4 }'; }

n0=$(ticks "$niced"); a0u=$(acct user); a0s=$(acct system)
read -r u0 ni0 s0 < <(pv_stat_in c | cols)
sleep 3
read -r u1 ni1 s1 < <(pv_stat_in c | cols)
n1=$(ticks "$niced"); a1u=$(acct user); a1s=$(acct system)

pv_log "nice: stat $((ni1 - ni0)) ticks, niced task $((n1 - n0)) ticks"
pv_log "user: stat $((u1 - u0)) ticks, cpuacct.stat $((a1u - a0u)); system: stat $((s1 - s0)), cpuacct.stat $((a1s - a0s))"
[ $((n1 - n0)) -ge 20 ] || pv_fail "the niced loop ran only $((n1 - n0)) ticks in 3 s"
[ $((a1s - a0s)) -ge 30 ] || pv_fail "the dd loop made only $((a1s - a0s)) system ticks in 3 s"
pv_near "$((ni1 - ni0))" "$((n1 - n0))" 10 5 || pv_fail "nice delta $((ni1 - ni0)), niced task $((n1 - n0))"
# cpuacct.stat user counts the niced task's time too; /proc/stat splits it out.
pv_near "$((u1 - u0 + ni1 - ni0))" "$((a1u - a0u))" 10 5 || pv_fail "user+nice delta $((u1 - u0 + ni1 - ni0)), cpuacct.stat user $((a1u - a0u))"
pv_near "$((s1 - s0))" "$((a1s - a0s))" 10 5 || pv_fail "system delta $((s1 - s0)), cpuacct.stat system $((a1s - a0s))"
echo "ok"
