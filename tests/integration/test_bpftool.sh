#!/usr/bin/env bash
# Operators inspect procview with bpftool: every map pinned in the daemon's
# pin directory dumps with named fields (BTF), the names being the members
# of the shared structs in include/ (the types BPF and daemon agree on),
# and every pinned link is attached to a program. The figures are the
# kernel's: the test cgroup's id (the inode of its cpuacct directory) is a
# key of pv_cpu, and its runtime there (plus its removed child's, folded
# into pv_cpu_dead) matches cpuacct.usage.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
BPFTOOL=$(command -v bpftool || true)
[ -n "$BPFTOOL" ] || pv_skip "bpftool not installed"
[ -r /sys/kernel/btf/vmlinux ] || pv_skip "no kernel BTF"

pv_daemon_start
[ -d "$PV_PIN" ] && [ -n "$(ls -A "$PV_PIN" 2>/dev/null)" ] ||
	pv_skip "daemon pinned nothing in $PV_PIN (BPF unavailable: $(grep -m1 -i 'degraded\|bpf' "$PV_TMP/daemon.log"))"

# Give every map something to show: a container that runs, reads its
# /proc/stat (high-water marks), has a child cgroup that ran and is removed
# (folded counters), and lives through a load-average sample (5 s).
pv_cg_create c1
( pv_cg_enter c1 "$BASHPID"; exec sh -c 'while :; do cat "$0/proc/stat" >/dev/null; sleep 0.2; done' "$PV_MNT" ) &
PV_PIDS+=($!)
cpuacct=$(pv_cg_dir c1 cpuacct)
if [ -d "$cpuacct" ]; then
	mkdir "$cpuacct/child"
	sh -c 'echo $$ > "$1/cgroup.procs"; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' _ "$cpuacct/child"
	rmdir "$cpuacct/child" 2>/dev/null
fi
# About a second of CPU of its own, so its runtime is well above noise.
( pv_cg_enter c1 "$BASHPID"; exec timeout 1 sh -c 'while :; do :; done' )
sleep 6

# Members of struct NAME in the shared headers (ground truth for the names).
members() {
	awk -v s="struct $1 {" '
		index($0, s) == 1 { on = 1; next }
		on && /^};/ { exit }
		on { line = $0; sub(/\/\*.*/, "", line); sub(/;.*/, "", line);
		     n = split(line, w, /[ \t]+/); if (n < 2) next
		     name = w[n]; sub(/\[.*/, "", name); if (name != "") print name }
	' "$PV_ROOT"/include/*.h
}
# Which struct each map's key/value is (names from include/procview_maps.h
# and include/procview_loadavg.h comments).
declare -A VALUE=( [pv_cpu]=pv_cpu_stat [pv_cpu_dead]=pv_cpu_stat [pv_start]=pv_cg_start
	[pv_meta]=pv_meta [pv_hwm]=pv_hwm [loadavg_state]=pv_load_state [loadavg_meta]=pv_load_meta )
declare -A KEY=( [pv_hwm]=pv_hwm_key )

checked=0 empty=()
for pin in "$PV_PIN"/*; do
	name=$(basename "$pin")
	if "$BPFTOOL" -j link show pinned "$pin" > "$PV_TMP/link.json" 2>/dev/null; then
		/usr/bin/python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); assert l.get("prog_id"), l' \
			"$PV_TMP/link.json" || pv_fail "link $name is not attached to a program"
		continue
	fi
	"$BPFTOOL" -j map show pinned "$pin" > "$PV_TMP/show.json" 2>&1 || pv_fail "$name: not a map or link: $(cat "$PV_TMP/show.json")"
	type=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["type"])' "$PV_TMP/show.json")
	if [ "$type" = task_storage ]; then
		# Per-task local storage has no keys to walk: bpftool cannot dump
		# it; check it carries BTF at least.
		grep -q '"btf_id"' "$PV_TMP/show.json" || pv_fail "$name has no BTF"
		continue
	fi
	"$BPFTOOL" -j map dump pinned "$pin" > "$PV_TMP/dump.json" 2>"$PV_TMP/dump.err" ||
		pv_fail "bpftool map dump pinned $pin: $(cat "$PV_TMP/dump.err")"
	n=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$PV_TMP/dump.json")
	if [ "$n" = 0 ]; then empty+=("$name"); continue; fi
	# Without BTF bpftool prints raw hex bytes only.
	grep -q '"formatted"\|"value": {' "$PV_TMP/dump.json" || grep -q '"values": \[' "$PV_TMP/dump.json" ||
		pv_fail "$name dumps without BTF field names"
	for st in ${VALUE[$name]:-} ${KEY[$name]:-}; do
		fields=$(members "$st")
		[ -n "$fields" ] || pv_fail "no struct $st in include/"
		for f in $fields; do
			[ "$f" = pad ] && continue
			grep -q "\"$f\"" "$PV_TMP/dump.json" || pv_fail "$name: field $f of struct $st not in the dump"
		done
	done
	[ -n "${VALUE[$name]:-}" ] || pv_log "$name: not in this test's table; dumped with BTF"
	checked=$((checked + 1))
	pv_log "$name ($type): $n entries, fields of ${VALUE[$name]:-?} present"
done
[ "$checked" -gt 0 ] || pv_fail "no map could be checked (empty: ${empty[*]})"
for m in pv_cpu pv_start pv_meta; do
	[ -e "$PV_PIN/$m" ] || pv_fail "expected pinned map $m missing (layout changed? update this test and README)"
done
[ ${#empty[@]} -eq 0 ] || pv_log "empty maps (nothing to name-check): ${empty[*]}"

# The test cgroup in pv_cpu: keyed by its directory's inode in the CPU
# accounting hierarchy (v1 cpuacct, else cgroup2), its user+nice+system
# over all CPUs (and its removed child's in pv_cpu_dead) against the
# kernel's usage counter, read just before and after the dump.
v2=$(pv_cg_dir c1 '')
if [ -f "$cpuacct/cpuacct.usage" ]; then
	acct=$cpuacct; usage() { cat "$cpuacct/cpuacct.usage"; }
elif [ -f "$v2/cpu.stat" ]; then
	acct=$v2; usage() { awk '$1 == "usage_usec" { print $2 * 1000 }' "$v2/cpu.stat"; }
else
	acct=""
fi
if [ -n "$acct" ]; then
	cgid=$(stat -c %i "$acct")
	u0=$(usage)
	"$BPFTOOL" -j map dump pinned "$PV_PIN/pv_cpu" > "$PV_TMP/cpu.json" || pv_fail "dump pv_cpu"
	"$BPFTOOL" -j map dump pinned "$PV_PIN/pv_cpu_dead" > "$PV_TMP/dead.json" || pv_fail "dump pv_cpu_dead"
	u1=$(usage)
	read -r own dead < <(/usr/bin/python3 - "$cgid" "$PV_TMP/cpu.json" "$PV_TMP/dead.json" <<'PY'
import json, sys
cgid = int(sys.argv[1])
def runtime(path):
    for e in json.load(open(path)):
        key = e["formatted"]["key"] if "formatted" in e else e["key"]
        vals = e["formatted"]["values"] if "formatted" in e else e["values"]
        if int(key) == cgid:
            return sum(v["value"]["user_ns"] + v["value"]["nice_ns"] + v["value"]["system_ns"] for v in vals)
    return -1
print(runtime(sys.argv[2]), max(runtime(sys.argv[3]), 0))
PY
)
	[ "${own:--1}" -ge 0 ] || pv_fail "cgroup id $cgid ($acct) is not a key of pv_cpu"
	bpf=$((own + dead))
	awk -v b="$bpf" -v lo="$u0" -v hi="$u1" 'BEGIN { exit !(b >= lo * 0.97 - 2e7 && b <= hi * 1.03 + 2e7) }' ||
		pv_fail "pv_cpu runtime of $cgid: $bpf ns (own $own, removed child $dead), kernel usage $u0..$u1 ns"
	[ "$bpf" -ge 100000000 ] || pv_fail "pv_cpu runtime $bpf ns after a 1 s busy loop"
	pv_log "pv_cpu[$cgid] runtime $bpf ns (own $own + removed child $dead), kernel usage $u0..$u1 ns"
else
	pv_fail "the test cgroup has no CPU usage counter (cpuacct.usage or cpu.stat)"
fi
echo "ok: $checked pinned maps dump with their field names"
