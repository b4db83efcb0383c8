#!/bin/bash
# State outlives the daemon: kill -9 and start again, no counter goes back,
# the accounting is not attached twice (CPU deltas still match cpuacct), and
# a new build of the programs replaces the links but keeps the counters, and
# a pinned set of another layout (or a pinned map of another size) is
# replaced with a log line, never misread.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
command -v bpftool >/dev/null || pv_skip "no bpftool"
pv_daemon_start
grep -qi "degraded" "$PV_TMP/daemon.log" && pv_skip "daemon runs without BPF"
pv_cg_create c
pv_bg_in c sh -c 'while :; do :; done'
pv_bg_in c /usr/bin/python3 -c 'import time
while True: time.sleep(0.002)'
sleep 1
before=$(pv_stat_in c); ub=$(pv_uptime_in c)
for round in 1 2; do
	pv_daemon_stop KILL
	sleep 0.5
	pv_daemon_start
	after=$(pv_stat_in c) || pv_fail "read after restart $round"
	msg=$(pv_stat_check_mono "$before" "$after") || pv_fail "restart $round: $msg"
	msg=$(pv_stat_check_sum "$after") || pv_fail "restart $round: $msg"
	ua=$(pv_uptime_in c)
	awk -v a="${ua%% *}" -v b="${ub%% *}" 'BEGIN { exit !(a >= b) }' || pv_fail "uptime $ub -> $ua"
	before=$after; ub=$ua
done
pv_log "two kill -9 restarts: every counter monotonic"

x0=$(pv_usage_sample c); sleep 3; x1=$(pv_usage_sample c)
msg=$(pv_usage_check "$x0" "$x1") || pv_fail "double (or no) accounting after restart: $msg"
pv_log "after restarts: $msg"

# pv_meta_patch OFFSET BYTES...: overwrite bytes of the pinned pv_meta value.
pv_meta_patch() {
	local v
	v=$(bpftool -j map lookup pinned "$PV_PIN/pv_meta" key 0 0 0 0 | /usr/bin/python3 -c '
import json, sys
v = json.load(sys.stdin)["value"]
off = int(sys.argv[1])
for i, b in enumerate(sys.argv[2:]):
    v[off + i] = b
print(" ".join(v))' "$@") || return 1
	bpftool map update pinned "$PV_PIN/pv_meta" key 0 0 0 0 value $v
}

# Another build of the programs (same layout): links replaced, counters kept.
before=$(pv_stat_in c)
pv_daemon_stop TERM
pv_meta_patch 16 0x11 0x22 0x33 0x44 0x55 0x66 0x77 0x08 || pv_fail "patch pv_meta prog_hash"
pv_daemon_start
grep -q "another build" "$PV_TMP/daemon.log" || pv_fail "no log line about replaced programs"
after=$(pv_stat_in c)
msg=$(pv_stat_check_mono "$before" "$after") || pv_fail "after relink: $msg"
x0=$(pv_usage_sample c); sleep 3; x1=$(pv_usage_sample c)
msg=$(pv_usage_check "$x0" "$x1") || pv_fail "after relink: $msg (old links still attached?)"
pv_log "after relink: $msg"

# Another layout version in pv_meta: replaced, logged, values restart sane.
pv_daemon_stop TERM
pv_meta_patch 24 0xe7 0x03 0 0 || pv_fail "patch pv_meta layout"
pv_daemon_start
grep -q "layout 999" "$PV_TMP/daemon.log" || pv_fail "no log line about the foreign layout"
bpftool map dump pinned "$PV_PIN/pv_meta" | grep -q '"layout": 999' && pv_fail "foreign layout kept"
st=$(pv_stat_in c) || pv_fail "read after layout change"
msg=$(pv_stat_check_sum "$st") || pv_fail "$msg"

# Same layout, but a pinned map of another size (pv_hwm is sized from the
# CPU count): replaced with a log line, not a failed load (degraded).
pv_daemon_stop TERM
cap=$(bpftool -j map show pinned "$PV_PIN/pv_hwm" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["max_entries"])')
rm "$PV_PIN/pv_hwm" || pv_fail "unpin pv_hwm"
bpftool map create "$PV_PIN/pv_hwm" type hash key 16 value 88 entries 64 flags 1 name pv_hwm ||
	pv_fail "pin a small pv_hwm"
pv_daemon_start
grep -q "pv_hwm does not match" "$PV_TMP/daemon.log" || pv_fail "no log line about the resized pv_hwm"
grep -qi "degraded" "$PV_TMP/daemon.log" && pv_fail "a resized pinned map made the daemon run degraded"
now=$(bpftool -j map show pinned "$PV_PIN/pv_hwm" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["max_entries"])')
[ "$now" = "$cap" ] || pv_fail "pv_hwm has $now entries after the replacement, $cap before"
st=$(pv_stat_in c) || pv_fail "read after pv_hwm replacement"
msg=$(pv_stat_check_sum "$st") || pv_fail "$msg"
pv_log "a pinned pv_hwm of 64 entries was replaced by one of $now"
echo "ok"
