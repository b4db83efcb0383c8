#!/usr/bin/env bash
# Who is reading: a reader in its own pid namespace sees the container of
# that namespace's init, even after moving itself to another cgroup, and
# also when it joined the namespace from outside (nsenter); a reader in the
# daemon's pid namespace sees its own cgroup; a host reader sees the host;
# a removed and re-created cgroup is never served from a stale cache entry;
# a reader that moves between cgroups sees each one in turn.
# Ground truth: memory limits written to the kernel's cgroup files.
# PV_IDENTITY=proc (default): readers looked up in /proc (--no-bpf);
# PV_IDENTITY=kernel: the kernel's record of each open (reader_id.h), which
# must then be what served the reads (test_identity_kernel.sh).
set -u
. "$(dirname "$0")/lib.sh"
pv_init
command -v unshare >/dev/null && command -v nsenter >/dev/null || pv_skip "needs unshare and nsenter"
PV_IDENTITY=${PV_IDENTITY:-proc}
case $PV_IDENTITY in
proc) pv_daemon_start --no-bpf ;;
kernel)
	pv_need_kernel_identity
	pv_daemon_start
	pv_kernel_identity_in_use
	;;
*) pv_fail "PV_IDENTITY=$PV_IDENTITY: proc or kernel" ;;
esac

# memory limit file of test cgroup $1 (v1 memory hierarchy or unified).
memfile() {
	local f
	f=$(pv_hierarchies | awk -F'\t' '$2 ~ /(^|,)memory(,|$)/ { print $2; exit }')
	if [ -n "$f" ]; then echo "$(pv_cg_dir "$1" "$f")/memory.limit_in_bytes"
	else echo "$(pv_cg_dir "$1" "")/memory.max"; fi
}
memtotal_kb() { awk '$1 == "MemTotal:" { print $2 }' "$@"; }
setlimit() { echo $(($2 * 1024 * 1024)) > "$(memfile "$1")" || pv_fail "set limit of $1"; }
want_kb() { echo $(( $(cat "$(memfile "$1")") / 1024 )); }

pv_cg_create x
pv_cg_create y
setlimit x 300
setlimit y 400
kx=$(want_kb x); ky=$(want_kb y)
[ "$kx" = 307200 ] && [ "$ky" = 409600 ] || pv_fail "kernel limits $kx/$ky kB"

# Host reader: the test itself (root cgroup of the CPU-accounting hierarchy
# here, or the host's view of whatever cgroup we are in).
cpuacct_field=$(pv_hierarchies | awk -F'\t' '$2 ~ /(^|,)cpuacct(,|$)/ { print $2; exit }')
if [ -n "$cpuacct_field" ] && [ "$(pv_own_cgdir "$cpuacct_field")" = "$(pv_hierarchies | awk -F'\t' -v f="$cpuacct_field" '$2 == f { print $1 }')" ]; then
	h=$(memtotal_kb "$PV_MNT/proc/meminfo")
	[ "$h" = "$(memtotal_kb /proc/meminfo)" ] || pv_fail "host reader MemTotal $h, host $(memtotal_kb /proc/meminfo)"
	# Changing figures: MemFree within 5% of the host's.
	a=$(awk '$1 == "MemFree:" { print $2 }' "$PV_MNT/proc/meminfo")
	b=$(awk '$1 == "MemFree:" { print $2 }' /proc/meminfo)
	pv_near "$a" "$b" 5 || pv_fail "host reader MemFree $a vs host $b"
else
	pv_log "we are not in the root CPU-accounting cgroup: host-reader check skipped"
fi

# Same pid namespace, in y: its own cgroup.
got=$( ( pv_cg_enter y "$BASHPID" && exec awk '$1 == "MemTotal:" { print $2 }' "$PV_MNT/proc/meminfo" ) )
[ "$got" = "$ky" ] || pv_fail "reader in y (daemon's pid ns) sees MemTotal $got, want $ky"

# A pid namespace whose init is in x. The init waits for a file, so the
# test can read from inside while it lives.
ready=$PV_TMP/ready
go=$PV_TMP/go
( pv_cg_enter x "$BASHPID" && exec unshare -p -f --mount-proc sh -c '
	echo $$ > "$1"          # pid 1 here
	while [ ! -e "$2" ]; do sleep 0.05; done' sh "$ready" "$go" ) &
PV_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$ready" ] && break; sleep 0.05; done
[ "$(cat "$ready" 2>/dev/null)" = 1 ] || pv_fail "namespace init did not start as pid 1"
# Host pid of that init: the process in x whose pid namespace differs from ours.
init=""
for p in $(cat "$(pv_cg_dir x "$(pv_hierarchies | awk -F'\t' 'NR == 1 { print $2 }')")/cgroup.procs"); do
	[ "$(readlink /proc/$p/ns/pid)" != "$(readlink /proc/self/ns/pid)" ] || continue
	[ "$(awk '/^NSpid:/ { print $NF }' /proc/$p/status)" = 1 ] && init=$p
done
[ -n "$init" ] || pv_fail "cannot find the namespace init's host pid"

# 1. A reader inside (child of the init), still in x.
got=$(nsenter -t "$init" -p -m sh -c 'awk "\$1 == \"MemTotal:\" { print \$2 }" "$1"' sh "$PV_MNT/proc/meminfo")
[ "$got" = "$kx" ] || pv_fail "reader in the namespace sees $got kB, want x's $kx"

# 1b. A non-leader thread reads (FUSE reports the thread's id).
got=$(nsenter -t "$init" -p -m /usr/bin/python3 -c '
import sys, threading
out = []
def rd():
    with open(sys.argv[1]) as f:
        out.append(f.readline().split()[1])
t = threading.Thread(target=rd); t.start(); t.join()
print(out[0])' "$PV_MNT/proc/meminfo")
[ "$got" = "$kx" ] || pv_fail "thread reading in the namespace sees $got kB, want x's $kx"

# 2. A reader inside that moved itself to y first: still x (the init's).
got=$(nsenter -t "$init" -p -m sh -c '
	for d in "$@"; do echo 0 > "$d/cgroup.procs" || exit 9; done
	awk "\$1 == \"MemTotal:\" { print \$2 }" '"$PV_MNT"'/proc/meminfo' sh \
	$(for d in "${PV_CGROUPS[@]}"; do case $d in *"$PV_TAG-y") echo "$d" ;; esac; done))
[ "$got" = "$kx" ] || pv_fail "reader that moved to y inside the namespace sees $got kB, want x's $kx"

# 3. Joined from outside without the mount namespace: parent (nsenter) is
#    in our namespace, so the daemon must search for the init. The reader's
#    own cgroup is ours; it must still get x.
got=$(nsenter -t "$init" -p awk '$1 == "MemTotal:" { print $2 }' "$PV_MNT/proc/meminfo")
[ "$got" = "$kx" ] || pv_fail "nsenter-ed reader sees $got kB, want x's $kx"

# Let the namespace end.
touch "$go"
for _ in $(seq 1 100); do kill -0 "${PV_PIDS[-1]}" 2>/dev/null || break; sleep 0.05; done

# 4. x removed and re-created with another limit: a new namespace must see
#    the new limit, never the cached old container.
for d in "${PV_CGROUPS[@]}"; do case $d in *"$PV_TAG-x") rmdir "$d" || pv_fail "rmdir $d" ;; esac; done
pv_cg_create x
setlimit x 250
kx2=$(want_kb x)
got=$( ( pv_cg_enter x "$BASHPID" && exec unshare -p -f --mount-proc awk '$1 == "MemTotal:" { print $2 }' "$PV_MNT/proc/meminfo" ) )
[ "$got" = "$kx2" ] || pv_fail "re-created x: reader sees $got kB, want the new $kx2 (old was $kx)"

# 5. One process in the daemon's pid namespace moving x -> y -> x ...: every
#    open sees the cgroup it is in at that moment (twice each, so the second
#    open of a container may come from a cache).
got=$( ( for i in 1 2 3 4; do
		for c in x y; do
			pv_cg_enter "$c" "$BASHPID" || exit 9
			for _ in 1 2; do
				echo "$c $(awk '$1 == "MemTotal:" { print $2 }' "$PV_MNT/proc/meminfo")"
			done
		done
	done ) )
want=$(for i in 1 2 3 4; do for c in x y; do for _ in 1 2; do
	[ $c = x ] && echo "x $kx2" || echo "y $ky"; done; done; done)
[ "$got" = "$want" ] || pv_fail "a reader moving between x and y saw:
$got
want:
$want"

if [ "$PV_IDENTITY" = kernel ]; then
	s=$(pv_stats)
	hits=$(pv_stat_of "$s" reader_id_hits)
	[ "${hits:-0}" -gt 0 ] || pv_fail "no open was served from the kernel's record: $s"
	pv_log "opens identified from the kernel's record: $hits cached, $(pv_stat_of "$s" reader_id_misses) looked up in /proc first"
fi
echo ok
