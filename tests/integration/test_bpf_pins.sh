#!/bin/bash
# Pinned BPF state: maps and links under --bpf-pin-dir (dir 0700, pins not
# accessible by others), bpftool shows the maps' field names (BTF), a removed
# cgroup leaves no entry in any map, and --cleanup removes procview's pins
# (and the directory once empty) but no other program's.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
command -v bpftool >/dev/null || pv_skip "no bpftool"
pv_daemon_start
grep -qi "degraded" "$PV_TMP/daemon.log" && pv_skip "daemon runs without BPF: $(grep -i degraded "$PV_TMP/daemon.log" | head -1)"

[ "$(stat -c %a "$PV_PIN")" = 700 ] || pv_fail "pin dir mode $(stat -c %a "$PV_PIN")"
for p in pv_cpu pv_cpu_dead pv_start pv_task pv_meta link_runtime link_fork link_mkdir link_rmdir; do
	[ -e "$PV_PIN/$p" ] || pv_fail "missing pin $PV_PIN/$p"
	m=$(stat -c %a "$PV_PIN/$p")
	[ $((0$m & 077)) = 0 ] || pv_fail "$PV_PIN/$p mode $m is open to others"
done

pv_cg_create c
pv_in c bash -c 'for ((i = 0; i < 5; i++)); do /bin/true; done'
pv_in c sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
dump=$(bpftool map dump pinned "$PV_PIN/pv_cpu") || pv_fail "bpftool dump pv_cpu"
for f in user_ns nice_ns system_ns steal_ns ctxt forks; do
	grep -q "\"$f\"" <<<"$dump" || pv_fail "pv_cpu dump lacks field $f"
done
bpftool map dump pinned "$PV_PIN/pv_start" | grep -q '"boot_ns"' || pv_fail "pv_start dump lacks boot_ns"
meta=$(bpftool map dump pinned "$PV_PIN/pv_meta")
grep -q '"layout"' <<<"$meta" && grep -q '"dropped": 0' <<<"$meta" || pv_fail "pv_meta: $meta"

# The test cgroup's id (its inode in the cpuacct hierarchy) is a key while
# it lives and in no map after rmdir.
d=$(pv_cpuacct_dir c); id=$(stat -c %i "$d")
keyed() { bpftool map dump pinned "$PV_PIN/$1" | grep -Eq "\"key\": $id\b"; }
keyed pv_cpu || pv_fail "cgroup $d (id $id) has no pv_cpu entry"
keyed pv_start || pv_fail "cgroup $d (id $id) has no pv_start entry"

# A read stores the container's marks in pv_hwm: one entry per vCPU and
# one for the totals. The map must hold that for as many containers as
# the other maps hold cgroups, with as many vCPUs as the machine has CPUs.
hwm_entries() {
	bpftool -j map dump pinned "$PV_PIN/pv_hwm" | /usr/bin/python3 -c '
import json, sys
# with BTF, -j puts the named fields under "formatted"
print(sum(1 for e in json.load(sys.stdin) if e.get("formatted", e)["key"]["cgid"] == int(sys.argv[1])))' "$id"
}
nv=$(pv_stat_in c | grep -c '^cpu[0-9]')
[ "$(hwm_entries)" = $((nv + 1)) ] || pv_fail "pv_hwm holds $(hwm_entries) entries for a container of $nv vCPUs"
possible=$(awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-"); c += (n == 2 ? r[2] - r[1] + 1 : 1) } } END { print c }' \
	/sys/devices/system/cpu/possible)
maxcg=$(awk '$1 == "#define" && $2 == "PV_MAX_CGROUPS" { print $3 }' "$PV_ROOT/include/procview_maps.h")
cap=$(bpftool -j map show pinned "$PV_PIN/pv_hwm" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["max_entries"])')
[ "$cap" -ge $((maxcg * (possible + 1))) ] ||
	pv_fail "pv_hwm holds $cap entries: not $maxcg containers of $possible vCPUs (+1 each)"
pv_log "pv_hwm: $((nv + 1)) entries for $nv vCPUs; capacity $cap for $possible possible CPUs"

for dd in "${PV_CGROUPS[@]}"; do [[ $dd == *"$PV_TAG-c" ]] && rmdir "$dd"; done
[ -d "$d" ] && pv_fail "could not remove $d"
for m in pv_cpu pv_cpu_dead pv_start; do
	keyed "$m" && pv_fail "removed cgroup id $id still in $m"
done
[ "$(hwm_entries)" = 0 ] || pv_fail "removed cgroup id $id still has $(hwm_entries) pv_hwm entries"
pv_log "pins, modes, BTF field names, no residue after rmdir: ok"

pv_daemon_stop TERM
# Pins outlive the daemon (accounting goes on) until --cleanup.
[ -e "$PV_PIN/link_runtime" ] || pv_fail "links not kept after the daemon stopped"

# --cleanup removes procview's pins only: another program's pin in the same
# directory (or a directory below it) survives, and so does the directory.
bpftool map create "$PV_PIN/foreign" type array key 4 value 4 entries 1 name pvt_foreign ||
	pv_fail "bpftool map create $PV_PIN/foreign"
mkdir "$PV_PIN/sub" || pv_fail "mkdir $PV_PIN/sub"
bpftool map create "$PV_PIN/sub/foreign" type array key 4 value 4 entries 1 name pvt_foreign2 ||
	pv_fail "bpftool map create $PV_PIN/sub/foreign"
"$PV_DAEMON" --cleanup --bpf-pin-dir "$PV_PIN" >>"$PV_TMP/daemon.log" 2>&1 || pv_fail "--cleanup failed"
left=$(ls "$PV_PIN" 2>/dev/null | tr '\n' ' ')
[ "$left" = "foreign sub " ] || pv_fail "after --cleanup $PV_PIN holds '$left', want only 'foreign sub'"
[ -e "$PV_PIN/sub/foreign" ] || pv_fail "--cleanup removed $PV_PIN/sub/foreign"
bpftool map show pinned "$PV_PIN/foreign" >/dev/null || pv_fail "foreign pin no longer a map"

# A directory without procview's meta pins is refused, untouched.
out=$("$PV_DAEMON" --cleanup --bpf-pin-dir "$PV_PIN/sub" 2>&1) && pv_fail "--cleanup of a foreign directory succeeded: $out"
grep -q "does not look like a procview pin directory" <<<"$out" || pv_fail "--cleanup refused without saying why: $out"
[ -e "$PV_PIN/sub/foreign" ] || pv_fail "refused --cleanup still removed $PV_PIN/sub/foreign"
pv_log "--cleanup kept foreign pins and refused a foreign directory: $(head -n 1 <<<"$out")"
rm "$PV_PIN/sub/foreign" "$PV_PIN/foreign" && rmdir "$PV_PIN/sub" || pv_fail "remove the foreign pins"

# With only procview's pins in it, the directory goes too.
pv_daemon_start
pv_daemon_stop TERM
for p in loadavg_state loadavg_meta; do [ -e "$PV_PIN/$p" ] || pv_fail "no $PV_PIN/$p pin to clean up"; done
"$PV_DAEMON" --cleanup --bpf-pin-dir "$PV_PIN" >>"$PV_TMP/daemon.log" 2>&1 || pv_fail "--cleanup failed"
[ -e "$PV_PIN" ] && pv_fail "--cleanup left $PV_PIN: $(ls "$PV_PIN")"
echo "ok"
