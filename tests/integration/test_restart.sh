#!/usr/bin/env bash
# Restart survival: two containers read their views in a loop while the
# daemon is killed (SIGKILL, then SIGTERM) and started again.
#  - READY=1 (sd_notify) comes only once both containers' dead binds are
#    repaired: at that instant every bound file of theirs is live again;
#  - within 1 s of the new daemon serving both read valid files again, and
#    what they read is the kernel's truth for their cgroup: MemTotal = the
#    memory limit, /sys/devices/system/cpu/online = 0..vCPUs-1 from the
#    cpuset and the CFS quota;
#  - no counter went backwards across the restarts.
# Prints per restart the reads attempted and failed, and the outage.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
command -v unshare >/dev/null || pv_skip "unshare (util-linux) missing"
export PV_STATE_DIR=$PV_TMP/state   # remount history, private to this test

pv_daemon_start

# The "container": own mount namespace and cgroup, our views bound over
# /proc/{stat,uptime,meminfo} and cpu/online, a reader that logs each read
# with a time: "TIME ok USER_TICKS UPTIME MEMTOTAL_KB ONLINE" or "TIME err".
cat > "$PV_TMP/reader.sh" <<'READER'
mnt=$1
if [ "${2:-}" != bound ]; then
	for f in proc/stat proc/uptime proc/meminfo sys/devices/system/cpu/online; do
		mount --bind "$mnt/$f" "/$f" || exit 1
	done
fi
fifo=$(mktemp -u "$mnt.fifo.XXXXXX")
mkfifo "$fifo" && exec 3<>"$fifo" && rm -f "$fifo"
while :; do
	if { read -r cpu user rest < /proc/stat && read -r up idle < /proc/uptime &&
	     read -r mt mtv rest < /proc/meminfo &&
	     read -r online < /sys/devices/system/cpu/online; } 2>/dev/null &&
	   [ "$cpu" = cpu ] && [ "$mt" = MemTotal: ] && [ -n "$up" ] && [ -n "$online" ]; then
		echo "$EPOCHREALTIME ok $user $up $mtv $online"
	else
		echo "$EPOCHREALTIME err"
	fi
	read -t 0.01 -u 3    # sleep 10 ms without a fork
done
READER

# Kernel truth for container NAME: "MEMTOTAL_KB ONLINE".
truth() {
	local name=$1 mem v2 limit quota=-1 period=100000 set n
	v2=$(pv_cg_dir "$name" '')
	mem=$(pv_cg_dir "$name" memory)
	if [ -f "$mem/memory.limit_in_bytes" ]; then limit=$(cat "$mem/memory.limit_in_bytes")
	else limit=$(cat "$v2/memory.max"); fi
	if [ -f "$(pv_cg_dir "$name" cpu)/cpu.cfs_quota_us" ]; then
		quota=$(cat "$(pv_cg_dir "$name" cpu)/cpu.cfs_quota_us")
		period=$(cat "$(pv_cg_dir "$name" cpu)/cpu.cfs_period_us")
	elif [ -f "$v2/cpu.max" ]; then
		read -r quota period < "$v2/cpu.max"; [ "$quota" = max ] && quota=-1
	fi
	set=$(cat "$(pv_cg_dir "$name" cpuset)/cpuset.effective_cpus" 2>/dev/null ||
	      cat "$v2/cpuset.cpus.effective" 2>/dev/null || cat /sys/devices/system/cpu/online)
	n=$(awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { split($i, r, "-");
		n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }' <<<"$set")
	[ "$quota" -gt 0 ] && [ $(( (quota + period - 1) / period )) -lt "$n" ] &&
		n=$(( (quota + period - 1) / period ))
	echo "$((limit / 1024)) $([ "$n" = 1 ] && echo 0 || echo "0-$((n - 1))")"
}

start_container() {
	local name=$1 mem v2
	pv_cg_create "$name"
	mem=$(pv_cg_dir "$name" memory); v2=$(pv_cg_dir "$name" '')
	if [ -f "$mem/memory.limit_in_bytes" ]; then echo 200M > "$mem/memory.limit_in_bytes"
	elif [ -f "$v2/memory.max" ]; then echo 200M > "$v2/memory.max"
	else pv_skip "no memory controller for the test cgroup"; fi
	if [ -f "$(pv_cg_dir "$name" cpu)/cpu.cfs_quota_us" ]; then
		echo 50000 > "$(pv_cg_dir "$name" cpu)/cpu.cfs_quota_us"
	elif [ -f "$v2/cpu.max" ]; then echo "50000 100000" > "$v2/cpu.max"; fi
	( pv_cg_enter "$name" "$BASHPID"
	  exec unshare -m --propagation private bash "$PV_TMP/reader.sh" "$PV_MNT" ) \
		> "$PV_TMP/$name.log" 2>/dev/null &
	PV_PIDS+=($!)
	eval "PID_$name=$!"
}
# c2 through procview-run: its own pid namespace too (the daemon resolves
# readers through the namespace's init) and procview-run's own binds.
start_run_container() {
	local name=$1 mnt field own
	"$PV_RUN" --mount "$PV_MNT" --memory 256m --cpus 0.5 --cgroup-name "$PV_TAG-$name" -- \
		bash "$PV_TMP/reader.sh" "$PV_MNT" bound > "$PV_TMP/$name.log" 2>/dev/null &
	PV_PIDS+=($!)
	eval "PID_$name=$!"
	# Its cgroups, so the EXIT trap removes them if it is killed.
	while IFS=$'\t' read -r mnt field; do
		own=$(pv_own_cgdir "$field") && PV_CGROUPS+=("$own/$PV_TAG-$name")
	done < <(pv_hierarchies)
}
start_container c1
if [ -x "$PV_RUN" ]; then start_run_container c2; else start_container c2; fi

oks() { grep -c ' ok ' "$PV_TMP/$1.log"; }
for i in $(seq 1 100); do
	[ "$(oks c1)" -ge 5 ] && [ "$(oks c2)" -ge 5 ] && break
	sleep 0.1
done
[ "$(oks c1)" -ge 5 ] && [ "$(oks c2)" -ge 5 ] || pv_fail "readers do not read: $(tail -n 2 "$PV_TMP"/c1.log)"
declare -A TRUTH
for c in c1 c2; do TRUTH[$c]=$(truth "$c"); done
# Before any restart the readers already see their own container.
for c in c1 c2; do
	got=$(awk '$2 == "ok" { v = $5 " " $6 } END { print v }' "$PV_TMP/$c.log")
	[ "$got" = "${TRUTH[$c]}" ] || pv_fail "$c reads '$got' (MemTotal kB, online), kernel: '${TRUTH[$c]}'"
done

# Every procview bind in the mount namespace of each container's reader.
mnt_pids() {
	local c p
	for c in c1 c2; do
		eval "p=\$PID_$c"
		# procview-run's pid is its init's parent: take the reader (any
		# process of the namespace whose /proc/meminfo is a FUSE bind).
		for q in $p $(pgrep -P "$p") $(pgrep -P "$(pgrep -P "$p" | head -n 1)" 2>/dev/null); do
			grep -q ' /proc/meminfo .* - fuse' "/proc/$q/mountinfo" 2>/dev/null && { echo "$q"; break; }
		done
	done
}

# READY=1 listener: at that instant every bound view of both containers
# must be live (stat succeeds; a dead FUSE bind fails with ENOTCONN).
ready_listener() {
	local sock=$1 out=$2; shift 2
	/usr/bin/python3 - "$sock" "$out" "$@" <<'PY' &
import os, socket, sys
addr, out, pids = sys.argv[1], sys.argv[2], sys.argv[3:]
files = ["/proc/stat", "/proc/uptime", "/proc/meminfo", "/sys/devices/system/cpu/online"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:])
open(out + ".bound", "w").close()
s.settimeout(30)
res = "timeout"
try:
    while True:
        msg = s.recv(4096).decode()
        if "READY=1" in msg.split("\n"):
            dead = []
            for p in pids:
                for f in files:
                    try:
                        os.stat("/proc/%s/root%s" % (p, f))
                    except OSError as e:
                        dead.append("%s:%s:%s" % (p, f, e.strerror))
            res = "READY dead=" + (",".join(dead) if dead else "none")
            break
except socket.timeout:
    pass
open(out, "w").write(res + "\n")
PY
	LISTENER=$!
	PV_PIDS+=($!)
	for _ in $(seq 1 100); do [ -e "$out.bound" ] && break; sleep 0.05; done
}

restart() {
	local sig=$1 c down ready lines first errs tries outage sock
	local tot_tries=0 tot_errs=0 report=""
	declare -A mark
	for c in c1 c2; do mark[$c]=$(wc -l < "$PV_TMP/$c.log"); done
	sock="@$PV_TAG-notify-$sig"
	ready_listener "$sock" "$PV_TMP/ready-$sig" $(mnt_pids)
	down=$EPOCHREALTIME
	if [ "$sig" = KILL ]; then
		# A crash: the dead mount stays; the new daemon must cope.
		kill -KILL "$PV_DAEMON_PID"; wait "$PV_DAEMON_PID" 2>/dev/null; PV_DAEMON_PID=""
	else
		pv_daemon_stop "$sig"
	fi
	NOTIFY_SOCKET=$sock pv_daemon_start
	ready=$EPOCHREALTIME
	wait "$LISTENER"
	grep -qx 'READY dead=none' "$PV_TMP/ready-$sig" ||
		pv_fail "SIG$sig: at READY=1 views were still dead: $(cat "$PV_TMP/ready-$sig")"
	sleep 1.2
	for c in c1 c2; do
		lines=$(tail -n +"$((mark[$c] + 1))" "$PV_TMP/$c.log")
		# First good read after the new daemon serves.
		first=$(awk -v r="$ready" '$1 >= r && $2 == "ok" { print $1; exit }' <<<"$lines")
		[ -n "$first" ] || pv_fail "$c: no good read after restart ($sig); last: $(tail -n 1 <<<"$lines")"
		awk -v r="$ready" -v f="$first" 'BEGIN { exit !(f - r <= 1.0) }' ||
			pv_fail "$c: first good read $(awk -v r="$ready" -v f="$first" 'BEGIN{print f-r}') s after ready ($sig)"
		# Nothing fails after the first good read, and every good read
		# after the restart shows the container's own limits.
		awk -v f="$first" '$1 > f && $2 == "err" { bad = 1 } END { exit bad }' <<<"$lines" ||
			pv_fail "$c: reads fail again after recovering ($sig)"
		awk -v t="${TRUTH[$c]}" '$2 == "ok" && $5 " " $6 != t { print "read " $5 " " $6 ", kernel " t; bad = 1; exit }
			END { exit bad }' <<<"$lines" >&2 || pv_fail "$c: repaired files are not the container's ($sig)"
		errs=$(grep -c ' err' <<<"$lines")
		# Reads from the kill up to the first good one after it.
		tries=$(awk -v d="$down" -v f="$first" '$1 >= d && $1 <= f' <<<"$lines" | wc -l)
		# The container's outage: last good read before the kill to the
		# first good read after it.
		outage=$(awk -v d="$down" -v f="$first" '$1 < d && $2 == "ok" { last = $1 }
			END { printf "%.0f", (f - last) * 1000 }' "$PV_TMP/$c.log")
		tot_tries=$((tot_tries + tries)); tot_errs=$((tot_errs + errs))
		report+=", $c: $errs of $tries failed, outage $outage ms"
	done
	echo "# restart SIG$sig+start: reads attempted $tot_tries, failed $tot_errs; daemon down to serving $(awk -v a="$down" -v b="$ready" 'BEGIN{printf "%.0f", (b-a)*1000}') ms$report"
}
restart KILL
restart TERM

# Counters never went backwards across both restarts.
for c in c1 c2; do
	awk '$2 == "ok" {
		if (n && ($3 < u || $4 < up)) { print "backwards at " $1 ": user " u " -> " $3 ", uptime " up " -> " $4; bad = 1 }
		u = $3; up = $4; n++ }
	     END { exit bad }' "$PV_TMP/$c.log" || pv_fail "$c: counter went backwards"
	pv_log "$c: $(oks "$c") good reads, counters monotonic, MemTotal/online '${TRUTH[$c]}' as the kernel's"
done
echo "ok: both containers survived SIGKILL and SIGTERM restarts"
