#!/usr/bin/env bash
# Per-container /proc/loadavg (quick, ~50 s): K=2 busy loops follow
# K*(1-e^(-t/60)) on the 5-s grid; an idle container stays < 0.1; a second
# loaded container does not move the others; running/threads match the
# kernel's task lists; a daemon restart keeps the averages; last pid inside
# a pid namespace; removed cgroups leave no pinned state.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/loadavg_lib.sh"
pv_init
command -v bpftool >/dev/null || pv_skip "bpftool missing"

pv_daemon_start
sleep 0.5
[ -e "$PV_PIN/loadavg_state" ] || { cat "$PV_TMP/daemon.log"; pv_skip "loadavg sampler not running (no BPF?)"; }

pv_cg_create busy
pv_cg_create idle
pv_cg_create other
busy_dir=$(pv_cg_dir busy cpuacct)
[ -d "$busy_dir" ] || busy_dir=$(pv_cg_dir busy cpu)

la_sleeper idle
la_reader busy
reader=$LA_READER_PID
t0_lo=$(la_now)
la_busy busy
la_busy busy
la_busy other
t0_hi=$(la_now)

# --- before any load sample: idle is 0, counts are the kernel's ----------
sleep 6
line=$(la_line busy)
pv_log "busy after ~6 s: $line"
want_threads=$(la_cg_tids "$busy_dir" | wc -l)
# The kernel counts the reader of /proc/loadavg as running (it is on a CPU
# while the file is printed); ours sleeps in the FUSE request meanwhile.
want_running=$(( $(la_cg_running "$busy_dir" "$reader") + 1 ))
[ "$(la_threads "$line")" = "$want_threads" ] ||
	pv_fail "threads $(la_threads "$line") != $want_threads (tasks of $busy_dir)"
[ "$(la_running "$line")" = "$want_running" ] ||
	pv_fail "running $(la_running "$line") != $want_running (R in /proc/<tid>/stat + the reader)"

# --- ~18 s of load ------------------------------------------------------------
sleep 12
line=$(la_line busy); t1=$(la_now)
la_check_band "$(la_l1 "$line")" 2 "$(echo "$t1 - $t0_hi - 0.6" | bc)" "$(echo "$t1 - $t0_lo" | bc)" "busy (K=2) at ~18 s"
oline=$(la_read other); t1b=$(la_now)
la_check_band "$(la_l1 "$oline")" 1 "$(echo "$t1 - $t0_hi" | bc)" "$(echo "$t1b - $t0_lo" | bc)" "other (K=1) at ~18 s"
iline=$(la_read idle)
pv_log "idle: $iline"
awk -v v="$(la_l1 "$iline")" 'BEGIN { exit !(v < 0.1) }' || pv_fail "idle container 1-min load $(la_l1 "$iline") >= 0.1"
for f in 2 3; do
	v=$(echo "$iline" | awk -v f=$f '{print $f}')
	awk -v v="$v" 'BEGIN { exit !(v < 0.1) }' || pv_fail "idle container load field $f = $v"
done

# --- daemon restart in the middle keeps the averages -----------------------
before=$(la_read busy)
pv_daemon_stop TERM
sleep 2
pv_daemon_start
after=$(la_read busy)
pv_log "restart: before '$before' after '$after'"
awk -v a="$(la_l1 "$before")" -v b="$(la_l1 "$after")" 'BEGIN { exit !(b > 0 && b >= a - 0.01) }' ||
	pv_fail "1-min load dropped across the restart: $(la_l1 "$before") -> $(la_l1 "$after")"
for f in 2 3; do
	a=$(echo "$before" | awk -v f=$f '{print $f}'); b=$(echo "$after" | awk -v f=$f '{print $f}')
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(b > 0 && b >= a - 0.01) }' ||
		pv_fail "load field $f dropped across the restart: $a -> $b"
done
# Samples missed while stopped are applied once, with the current counts:
# the curve continues as if nothing happened.
sleep 5
line=$(la_read busy); t2=$(la_now)
la_check_band "$(la_l1 "$line")" 2 "$(echo "$t2 - $t0_hi - 0.6" | bc)" "$(echo "$t2 - $t0_lo" | bc)" "busy (K=2) after restart"

# --- last pid -------------------------------------------------------------------
# Host reader: the host's own value (other processes fork concurrently).
h1=$(awk '{print $5}' /proc/loadavg)
hv=$(la_lastpid "$(cat "$PV_MNT/proc/loadavg")")
h2=$(awk '{print $5}' /proc/loadavg)
[ "$hv" -ge "$h1" ] && [ "$hv" -le "$h2" ] || pv_fail "host last pid $hv not in [$h1, $h2]"
# Reader in its own pid namespace: a few forks, then a known child; with
# builtins only (no fork in between) the view must show exactly that
# child's pid, and so must the kernel's own /proc/loadavg read there (it
# prints the cursor of the reader's pid namespace, whatever procfs).
if command -v unshare >/dev/null; then
	out=$( ( pv_cg_enter idle "$BASHPID"
		 exec unshare -p -f --kill-child bash -c '
			for i in 1 2 3 4 5 6; do /bin/true; done
			sleep 1000 & kid=$!
			IFS= read -r ours < "$1"; IFS= read -r kern < /proc/loadavg
			kill -KILL $kid
			echo "kid=$kid"; echo "ours=$ours"; echo "kern=$kern"' _ "$PV_MNT/proc/loadavg" ) )
	pv_log "pidns: $(echo "$out" | tr '\n' ' ')"
	want=$(echo "$out" | sed -n 's/^kid=//p')
	got=$(la_lastpid "$(echo "$out" | sed -n 's/^ours=//p')")
	kern=$(la_lastpid "$(echo "$out" | sed -n 's/^kern=//p')")
	[ -n "$want" ] && [ "$want" -gt 7 ] || pv_fail "pidns: no child pid after 6 forks ('$want')"
	[ "$got" = "$want" ] || pv_fail "last pid in a pid namespace: got '$got', want the child's '$want'"
	[ "$kern" = "$want" ] || pv_fail "kernel's last pid in the namespace '$kern' != child '$want' (test broken?)"
fi

# --- churn: removed cgroups leave no state ----------------------------------
pv_cg_create churn
churn_dir=$(dirname "$busy_dir")/$PV_TAG-churn
ids=()
for i in $(seq 1 100); do
	mkdir "$churn_dir/c$i" || pv_fail "mkdir $churn_dir/c$i"
	ids+=("$(stat -c %i "$churn_dir/c$i")")
done
sleep 5.5
keys=$(la_state_keys "$PV_PIN")
seen=0
for id in "${ids[@]}"; do grep -qx "$id" <<<"$keys" && seen=$((seen + 1)); done
[ "$seen" = 100 ] || pv_fail "only $seen of 100 new cgroups got loadavg state"
for i in $(seq 1 100); do rmdir "$churn_dir/c$i"; done
sleep 10.5
keys=$(la_state_keys "$PV_PIN")
left=0
for id in "${ids[@]}"; do grep -qx "$id" <<<"$keys" && left=$((left + 1)); done
[ "$left" = 0 ] || pv_fail "$left of 100 removed cgroups still have loadavg state"
pv_log "churn: 100 cgroups created (state for all), removed (state gone)"
echo "PASS"
