#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# /proc/meminfo and /proc/swaps of containers: MemTotal is the cgroup limit
# (also when a parent's is tighter), used memory follows the kernel's own
# usage counter while a process allocates, `free -m` shows the limit, swap
# follows memsw/swap.max but never exceeds the host's; a host reader sees
# the host's file.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mem_lib.sh"
pv_init
pv_daemon_start

memfield=$(pvm_field memory)
if [ -n "$memfield" ]; then
	LIMIT=memory.limit_in_bytes USAGE=memory.usage_in_bytes MV2=0
else
	LIMIT=memory.max USAGE=memory.current MV2=1
fi
host_mi=$(cat /proc/meminfo)
host_swap=$(pvm_kb "$host_mi" SwapTotal)

# --- 200 MiB limit: MemTotal, free -m -------------------------------------
pv_cg_create c1
c1=$(pvm_dir c1 memory)
[ -f "$c1/$LIMIT" ] || pv_skip "no memory controller in our cgroup ($c1/$LIMIT missing)"
echo $((200 * 1024 * 1024)) > "$c1/$LIMIT" || pv_fail "set $c1/$LIMIT"
want=$(( $(cat "$c1/$LIMIT") / 1024 ))
mi=$(pvm_in c1 cat "$PV_MNT/proc/meminfo") || pv_fail "read meminfo in c1"
got=$(pvm_kb "$mi" MemTotal)
[ "$got" = "$want" ] && [ "$got" = 204800 ] || pv_fail "MemTotal $got kB, limit says $want kB"
[ "$(wc -l <<<"$mi")" = "$(wc -l <<<"$host_mi")" ] || pv_fail "meminfo line count differs from host"
diff <(cut -d: -f1 <<<"$mi") <(cut -d: -f1 <<<"$host_mi") >/dev/null || pv_fail "meminfo keys/order differ from host"
total=$(pvm_in_bound c1 free -m | awk '/^Mem:/ { print $2 }')
[ "$total" = 200 ] || pv_fail "free -m total $total, want 200"
ps_total=$(pvm_in_bound c1 /usr/bin/python3 -c 'import psutil; m = psutil.virtual_memory(); print(m.total, int(m.available <= m.total))')
[ "$ps_total" = "$((want * 1024)) 1" ] || pv_fail "psutil.virtual_memory: '$ps_total', want total $((want * 1024))"
if [ -x "$PV_RUN" ]; then
	total=$("$PV_RUN" --mount "$PV_MNT" --memory 200m -- free -m | awk '/^Mem:/ { print $2 }')
	[ "$total" = 200 ] || pv_fail "procview-run --memory 200m -- free -m: total $total"
else
	pv_log "procview-run not built: free -m checked through a bind mount only"
fi

# --- two containers read at the same time see only their own limit -------
pv_cg_create c3
echo $((300 * 1024 * 1024)) > "$(pvm_dir c3 memory)/$LIMIT" || pv_fail "set c3 limit"
readers=()
for i in 1 2 3 4 5 6 7 8; do
	pvm_in c1 cat "$PV_MNT/proc/meminfo" > "$PV_TMP/c1.$i" & readers+=($!)
	pvm_in c3 cat "$PV_MNT/proc/meminfo" > "$PV_TMP/c3.$i" & readers+=($!)
done
wait "${readers[@]}"  # not a bare wait: the daemon is our child too
for i in 1 2 3 4 5 6 7 8; do
	[ "$(pvm_kb "$(cat "$PV_TMP/c1.$i")" MemTotal)" = 204800 ] || pv_fail "concurrent c1 read $i: wrong MemTotal"
	[ "$(pvm_kb "$(cat "$PV_TMP/c3.$i")" MemTotal)" = 307200 ] || pv_fail "concurrent c3 read $i: wrong MemTotal"
done

# --- allocation: a handle kept open sees fresh figures; used tracks usage --
out=$(PVM_MNT=$PV_MNT PVM_CG=$c1 PVM_USAGE=$USAGE PVM_V2=$MV2 pvm_in c1 /usr/bin/python3 -c '
import os, sys
mnt, cg, usage_f, v2 = os.environ["PVM_MNT"], os.environ["PVM_CG"], os.environ["PVM_USAGE"], os.environ["PVM_V2"] == "1"
f = open(mnt + "/proc/meminfo")
def mi():
    f.seek(0)
    return {l.split(":")[0]: int(l.split()[1]) for l in f.read().splitlines()}
def stat():
    d = {}
    for l in open(cg + "/memory.stat"):
        k, v = l.split()
        d[k] = int(v)
    return d
before = mi()
blob = b"\x01" * (50 << 20)          # written, so every page is charged
after = mi()
usage = int(open(cg + "/" + usage_f).read())
st = stat()
pfx = "" if v2 else "total_"
file_lru = st.get(pfx + "active_file", 0) + st.get(pfx + "inactive_file", 0)
print(before["MemFree"], after["MemFree"], after["MemTotal"], after["MemAvailable"],
      usage // 1024, (usage - file_lru) // 1024, len(blob))
') || pv_fail "allocation probe failed"
read -r free0 free1 tot avail usage_kb anon_kb _ <<<"$out"
pv_log "MemFree $free0 -> $free1 kB, MemTotal $tot, MemAvailable $avail, usage $usage_kb kB"
[ $((free0 - free1)) -ge $((45 * 1024)) ] || pv_fail "re-read at offset 0: MemFree fell by $((free0 - free1)) kB only"
pv_near $((tot - free1)) "$usage_kb" 3 2048 || pv_fail "MemTotal-MemFree $((tot - free1)) kB vs usage $usage_kb kB"
pv_near $((tot - avail)) "$anon_kb" 3 2048 || pv_fail "MemTotal-MemAvailable $((tot - avail)) kB vs usage-file LRU $anon_kb kB"
[ "$free1" -le "$avail" ] && [ "$avail" -le "$tot" ] || pv_fail "invariant MemFree <= MemAvailable <= MemTotal broken"

# --- parent tighter than child ------------------------------------------
pv_cg_create c2
c2=$(pvm_dir c2 memory)
echo $((100 * 1024 * 1024)) > "$c2/$LIMIT" || pv_fail "set $c2/$LIMIT"
mkdir "$c2/sub" || pv_fail "mkdir $c2/sub"
[ "$MV2" = 1 ] && echo "+memory" > "$c2/cgroup.subtree_control" 2>/dev/null
mi=$( ( pv_cg_enter c2 "$BASHPID" && echo "$BASHPID" > "$c2/sub/cgroup.procs" && exec cat "$PV_MNT/proc/meminfo" ) ) ||
	pv_fail "read meminfo in c2/sub"
got=$(pvm_kb "$mi" MemTotal)
[ "$got" = 102400 ] || pv_fail "child of a 100 MiB parent: MemTotal $got kB"
rmdir "$c2/sub" 2>/dev/null

# --- swap: memsw / swap.max, never above the host's swap ------------------
if [ "$MV2" = 0 ] && [ -f "$c1/memory.memsw.limit_in_bytes" ]; then
	echo $((300 * 1024 * 1024)) > "$c1/memory.memsw.limit_in_bytes" || pv_fail "set memsw"
	allowed=$(( ($(cat "$c1/memory.memsw.limit_in_bytes") - $(cat "$c1/$LIMIT")) / 1024 ))
elif [ "$MV2" = 1 ] && [ -f "$c1/memory.swap.max" ]; then
	echo $((100 * 1024 * 1024)) > "$c1/memory.swap.max" || pv_fail "set swap.max"
	allowed=$(( $(cat "$c1/memory.swap.max") / 1024 ))
else
	allowed=$host_swap  # no swap accounting: the host's swap
fi
want=$(( allowed < host_swap ? allowed : host_swap ))
mi=$(pvm_in c1 cat "$PV_MNT/proc/meminfo")
sw=$(pvm_in c1 cat "$PV_MNT/proc/swaps")
[ "$(pvm_kb "$mi" SwapTotal)" = "$want" ] || pv_fail "SwapTotal $(pvm_kb "$mi" SwapTotal), want $want (allowed $allowed, host $host_swap)"
sf=$(pvm_kb "$mi" SwapFree)
[ "$sf" -ge 0 ] && [ "$sf" -le "$want" ] || pv_fail "SwapFree $sf outside 0..$want"
[ "$(head -1 <<<"$sw")" = "$(head -1 /proc/swaps)" ] || pv_fail "swaps header differs"
if [ "$want" = 0 ]; then
	[ "$(wc -l <<<"$sw")" = 1 ] || pv_fail "no swap allowed but swaps lists devices: $sw"
else
	sum=$(awk 'NR > 1 { s += $3 } END { print s + 0 }' <<<"$sw")
	[ "$sum" = "$want" ] || pv_fail "swaps sizes add up to $sum, SwapTotal $want"
fi

# --- a host reader sees the host's file ------------------------------------
if [ "$(awk -F: '$2 ~ /(^|,)cpuacct(,|$)/ || $2 == "" { print $3; exit }' /proc/self/cgroup)" = / ]; then
	[ "$(pvm_kb "$(cat "$PV_MNT/proc/meminfo")" MemTotal)" = "$(pvm_kb "$host_mi" MemTotal)" ] ||
		pv_fail "host reader: MemTotal differs from /proc/meminfo"
else
	pv_log "test runs in a non-root cgroup: host-reader check skipped"
fi
echo "ok: meminfo/swaps (MemTotal=limit, free -m, usage tracking, parent limit, swap $want kB)"
