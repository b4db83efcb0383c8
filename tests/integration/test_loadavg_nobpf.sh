#!/usr/bin/env bash
# /proc/loadavg with --no-bpf (~25 s): no BPF sampler is loaded (no loadavg
# pins), yet a container's averages are its own: the file sampler follows
# it from its first read, so K=2 busy loops plus one task in D follow
# K=3 * (1-e^(-t/60)) and an idle container stays below 0.1; running/threads
# match the kernel's task lists; a reader in its own pid namespace gets a
# pid of that namespace, not the host's.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/loadavg_lib.sh"
pv_init
la_vfork_helper "$PV_TMP"

pv_daemon_start --no-bpf
sleep 0.5
for p in loadavg_state loadavg_meta; do
	[ -e "$PV_PIN/$p" ] && pv_fail "--no-bpf pinned $p: the BPF sampler was loaded"
done
grep -q 'counting tasks through' "$PV_TMP/daemon.log" && pv_fail "--no-bpf tried the BPF sampler first"

pv_cg_create busy
pv_cg_create idle
busy_dir=$(la_cg_dir busy) || pv_fail "no directory of busy"
la_sleeper idle
la_reader busy   # the first read: the sampler follows busy from here
reader=$LA_READER_PID
la_read idle >/dev/null
sleep 0.6
t0_lo=$(la_now)
la_busy busy
la_busy busy
la_blocked busy
t0_hi=$(la_now)
sleep 1

line=$(la_line busy)
want_threads=$(la_cg_tids "$busy_dir" | wc -l)
want_running=$(( $(la_cg_running "$busy_dir" "$reader") + 1 ))
pv_log "busy: '$line'; kernel: $want_threads tasks, $want_running running counting the reader"
[ "$(la_threads "$line")" = "$want_threads" ] || pv_fail "threads $(la_threads "$line") != $want_threads"
[ "$(la_running "$line")" = "$want_running" ] || pv_fail "running $(la_running "$line") != $want_running"

sleep 18
line=$(la_line busy); t1=$(la_now)
la_check_band "$(la_l1 "$line")" 3 "$(echo "$t1 - $t0_hi - 0.6" | bc)" "$(echo "$t1 - $t0_lo" | bc)" "busy (2 loops + 1 in D, K=3) with --no-bpf"
iline=$(la_read idle)
pv_log "idle: $iline"
# The sleeper and the reader, counted when read (not at the last sample).
[ "$(la_threads "$iline")" = 2 ] || pv_fail "idle threads $(la_threads "$iline"), want the sleeper and the reader"
awk -v v="$(la_l1 "$iline")" 'BEGIN { exit !(v < 0.1) }' || pv_fail "idle container 1-min load $(la_l1 "$iline") >= 0.1"

# A pid-namespace reader: not the host's last pid (which is far larger).
if command -v unshare >/dev/null; then
	out=$( ( pv_cg_enter idle "$BASHPID"
		 exec unshare -p -f --kill-child bash -c 'sleep 1000 & kid=$!; IFS= read -r l < "$1"; kill -KILL $kid; echo "$kid $l"' _ "$PV_MNT/proc/loadavg" ) )
	pv_log "pidns reader: $out"
	kid=${out%% *}
	got=$(la_lastpid "${out#* }")
	# Without BPF the last pid is the highest pid in the namespace: the
	# child here; the sleeper of the host namespace has no number there.
	[ "$got" = "$kid" ] || pv_fail "pidns last pid '$got': want the namespace's child $kid"
	# idle now holds the sleeper, unshare (waiting for its child), the
	# namespace's shell and that shell's child.
	[ "$(la_threads "${out#* }")" = 4 ] || pv_fail "pidns reader: threads $(la_threads "${out#* }"), want 4"
fi
echo PASS
