#!/usr/bin/env bash
# Load of nested cgroups and of uninterruptible tasks (~25 s):
#  - container "nest" runs one busy loop itself and two in nest/sub: its
#    1-min average follows K=3 (the child's tasks count, as the kernel
#    counts every task of the machine), and running/threads include the
#    child's tasks;
#  - container "blk" runs no busy loop, only a parent waiting in vfork()
#    ('D', uninterruptible): its average follows K=1, because load is
#    runnable + uninterruptible, not runnable alone.
# Ground truth: cgroup task lists, /proc/<tid>/stat states, wall-clock
# start of the workload; band as in test_loadavg.sh (K*(1-e^(-t/60))).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/loadavg_lib.sh"
pv_init
la_vfork_helper "$PV_TMP"

pv_daemon_start
sleep 0.5
[ -e "$PV_PIN/loadavg_state" ] || { cat "$PV_TMP/daemon.log"; pv_skip "loadavg sampler not running (no BPF?)"; }

pv_cg_create nest
pv_cg_create blk
# nest/sub in every hierarchy nest exists in.
for d in "${PV_CGROUPS[@]}"; do
	[ "$(basename "$d")" = "$PV_TAG-nest" ] || continue
	mkdir "$d/sub" || pv_fail "mkdir $d/sub"
	[ -e "$d/cpuset.cpus" ] && { cat "$d/cpuset.cpus" > "$d/sub/cpuset.cpus"; cat "$d/cpuset.mems" > "$d/sub/cpuset.mems"; }
done
enter_sub() {
	local d
	for d in "${PV_CGROUPS[@]}"; do
		[ "$(basename "$d")" = "$PV_TAG-nest" ] || continue
		echo "$1" > "$d/sub/cgroup.procs" || pv_fail "enter $d/sub"
	done
}
busy_sub() {
	( enter_sub "$BASHPID"; exec sh -c 'while :; do :; done' ) &
	PV_PIDS+=($!)
}
nest_dir=$(la_cg_dir nest) || pv_fail "no directory of nest"
blk_dir=$(la_cg_dir blk) || pv_fail "no directory of blk"
[ -d "$nest_dir/sub" ] || pv_fail "$nest_dir/sub missing"

la_reader nest
nest_reader=$LA_READER_PID
la_reader blk
blk_reader=$LA_READER_PID
t0_lo=$(la_now)
la_busy nest
busy_sub
busy_sub
la_blocked blk
t0_hi=$(la_now)

sleep 1
sub_tids=$(la_cg_tids "$nest_dir/sub" | wc -l)
[ "$sub_tids" = 2 ] || pv_fail "nest/sub holds $sub_tids tasks, want the 2 busy loops"

# --- counts now: the child's tasks are the container's ---------------------
line=$(la_line nest)
tids=$(la_cg_tids "$nest_dir")
want_threads=$(echo "$tids" | grep -c .)
# shellcheck disable=SC2086 # one tid a word
want_running=$(( $(la_state_of R $(echo "$tids" | grep -vx "$nest_reader")) + 1 ))
pv_log "nest: '$line'; kernel: $want_threads tasks (2 in sub), $want_running running counting the reader"
[ "$(la_threads "$line")" = "$want_threads" ] ||
	pv_fail "nest threads $(la_threads "$line") != $want_threads (tasks of $nest_dir and below)"
[ "$(la_running "$line")" = "$want_running" ] ||
	pv_fail "nest running $(la_running "$line") != $want_running (R in /proc/<tid>/stat + the reader)"
line=$(la_line blk)
tids=$(la_cg_tids "$blk_dir")
# shellcheck disable=SC2086
want_d=$(la_state_of D $tids)
pv_log "blk: '$line'; kernel: $(echo "$tids" | grep -c .) tasks, $want_d in D"
[ "$(la_threads "$line")" = "$(echo "$tids" | grep -c .)" ] || pv_fail "blk threads $(la_threads "$line")"
# shellcheck disable=SC2086
[ "$(la_running "$line")" = "$(( $(la_state_of R $(echo "$tids" | grep -vx "$blk_reader")) + 1 ))" ] ||
	pv_fail "blk running $(la_running "$line"): a task in D is not running"

# --- ~20 s of load: the averages follow K = all active tasks ---------------
sleep 19
nline=$(la_line nest); bline=$(la_line blk); t1=$(la_now)
la_check_band "$(la_l1 "$nline")" 3 "$(echo "$t1 - $t0_hi - 0.6" | bc)" "$(echo "$t1 - $t0_lo" | bc)" "nest (1 busy + 2 in nest/sub, K=3)"
la_check_band "$(la_l1 "$bline")" "$want_d" "$(echo "$t1 - $t0_hi - 0.6" | bc)" "$(echo "$t1 - $t0_lo" | bc)" "blk ($want_d task(s) in D, K=$want_d)"
echo PASS
