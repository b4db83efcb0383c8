#!/usr/bin/env bash
# loadavg across daemon deaths (~25 s):
#  - last pid: a shell in its own pid namespace (made before the daemon
#    dies) forks a known child while no daemon runs (kill -9); after the
#    restart it reads, with builtins only, exactly that child's pid, which
#    is also what the kernel's /proc/loadavg shows in that namespace;
#  - no sample applied twice: the daemon is stopped right after a pass and
#    the pinned meta is set back one sample, as if the daemon had died
#    between applying the sample to the cgroups and recording it in meta.
#    After the restart the busy container's averages must equal the
#    kernel's calc_load_n over the samples it has not received (computed
#    here independently, in python), not one more.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/loadavg_lib.sh"
pv_init
command -v bpftool >/dev/null || pv_skip "bpftool missing"
command -v unshare >/dev/null || pv_skip "unshare missing"

pv_daemon_start
sleep 0.5
[ -e "$PV_PIN/loadavg_state" ] || { cat "$PV_TMP/daemon.log"; pv_skip "loadavg sampler not running (no BPF?)"; }

pv_cg_create busy
pv_cg_create ns
la_busy busy
la_busy busy
busy_id=$(stat -c %i "$(la_cg_dir busy)") || pv_fail "no directory of busy"

# --- a shell in its own pid namespace, driven through fifos ----------------
# Commands: "fork" (start a sleeping child, reply its pid), "read" (reply
# our view's line and the kernel's, both read with builtins: no fork).
mkfifo "$PV_TMP/cmd" "$PV_TMP/reply"
( pv_cg_enter ns "$BASHPID"
  exec unshare -p -f --kill-child bash -c '
	exec 3<>"$1"
	while read -r cmd <&3; do
		case $cmd in
		fork) sleep 100000 & echo "kid $!" > "$2" ;;
		read) IFS= read -r ours < "$3"; IFS= read -r kern < /proc/loadavg
		      echo "ours $ours|kern $kern" > "$2" ;;
		esac
	done' _ "$PV_TMP/cmd" "$PV_TMP/reply" "$PV_MNT/proc/loadavg" 2>/dev/null ) &
PV_PIDS+=($!)
ask() { echo "$1" > "$PV_TMP/cmd"; timeout 10 head -n1 "$PV_TMP/reply" || pv_fail "no reply to '$1'"; }
check_lastpid() {  # check_lastpid KID WHAT
	local r ours kern
	r=$(ask read)
	ours=$(la_lastpid "$(echo "$r" | sed 's/^ours //; s/|.*//')")
	kern=$(la_lastpid "$(echo "$r" | sed 's/.*|kern //')")
	pv_log "$2: child $1, view '$ours', kernel '$kern'"
	[ "$kern" = "$1" ] || pv_fail "$2: the kernel shows $kern, not the child $1 (test broken?)"
	[ "$ours" = "$1" ] || pv_fail "$2: last pid $ours, want the child's $1"
}
for _ in 1 2 3; do ask fork >/dev/null; done
kid=$(ask fork | awk '{print $2}')
check_lastpid "$kid" "daemon up"

pv_daemon_stop KILL
kid=$(ask fork | awk '{print $2}')   # no daemon sees this fork
pv_daemon_start
check_lastpid "$kid" "fork while no daemon ran, after kill -9 + start"

# --- no sample twice ----------------------------------------------------------
# Wait for >= 2 samples of load, then for a moment just after a pass.
sleep 8
for _ in $(seq 1 100); do
	read -r layout last samples <<<"$(la_meta "$PV_PIN")"
	age=$(( $(la_monotonic_ns) - last ))
	[ "$age" -gt 200000000 ] && [ "$age" -lt 1500000000 ] && break
	sleep 0.1
done
[ "$age" -lt 1500000000 ] || pv_fail "no pass seen on the 5-s grid (age $age ns)"
pv_daemon_stop TERM
read -r layout last samples <<<"$(la_meta "$PV_PIN")"
read -r a1 a5 a15 applied _ <<<"$(la_state "$PV_PIN" "$busy_id")"
[ -n "$applied" ] || pv_fail "no pinned state for cgroup $busy_id"
[ "$applied" = "$samples" ] || pv_fail "entry applied through sample $applied, meta says $samples"
pv_log "stopped: meta samples $samples, busy avenrun $a1 $a5 $a15"
# As if killed after the cgroup pass, before meta recorded the sample.
la_meta_set "$PV_PIN" "$layout" $((last - 5000000000)) $((samples - 1)) || pv_fail "rewrite meta"

pv_daemon_start
read -r _ _ samples2 <<<"$(la_meta "$PV_PIN")"
read -r b1 b5 b15 applied2 active <<<"$(la_state "$PV_PIN" "$busy_id")"
read -r _ _ samples3 <<<"$(la_meta "$PV_PIN")"
[ "$samples2" = "$samples3" ] || pv_fail "a pass ran while reading the state: retry"
n=$((samples2 - applied))
pv_log "restarted: meta samples $samples2 (entry had $applied, $n new), active $active, avenrun $b1 $b5 $b15"
[ "$applied2" = "$samples2" ] || pv_fail "entry applied through $applied2 after the restart, meta $samples2"
[ "$active" -ge 2 ] || pv_fail "busy container counted $active active tasks, want >= 2"
w1=$(la_calc_load_n "$a1" 1884 $((active * 2048)) "$n")
w5=$(la_calc_load_n "$a5" 2014 $((active * 2048)) "$n")
w15=$(la_calc_load_n "$a15" 2037 $((active * 2048)) "$n")
dup=$(la_calc_load_n "$a1" 1884 $((active * 2048)) $((n + 1)))
pv_log "want $w1 $w5 $w15 (one sample twice would give 1-min $dup)"
[ "$b1 $b5 $b15" = "$w1 $w5 $w15" ] || pv_fail "averages $b1 $b5 $b15 after the restart, want $w1 $w5 $w15"
echo PASS
