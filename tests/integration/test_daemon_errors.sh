#!/usr/bin/env bash
# A handle whose container's cgroup was removed: the re-render at offset 0
# fails with EIO (never an empty read, never another container's or the
# host's figures), the daemon logs the file, the cgroup and the cause once,
# and keeps serving everyone else. Without /dev/fuse the daemon says so.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
pv_daemon_start --no-bpf
pv_cg_create z
memf=$(pv_hierarchies | awk -F'\t' '$2 ~ /(^|,)memory(,|$)/ { print $2; exit }')
zdir=$(pv_cg_dir z "$memf")
echo $((123 * 1024 * 1024)) > "$zdir/memory.limit_in_bytes" 2>/dev/null ||
	echo $((123 * 1024 * 1024)) > "$zdir/memory.max" || pv_fail "set z limit"

# The reader joins z, opens meminfo, goes back to our cgroup; we remove z;
# it re-reads at offset 0 a few times.
cmd=$PV_TMP/cmd
mkfifo "$cmd"
procs=$(for d in "${PV_CGROUPS[@]}"; do echo "$d/cgroup.procs"; done)
own=$(for d in "${PV_CGROUPS[@]}"; do echo "$(dirname "$d")/cgroup.procs"; done)
/usr/bin/python3 - "$PV_MNT/proc/meminfo" "$cmd" "$procs" "$own" > "$PV_TMP/out" 2>&1 <<'PY' &
import errno, os, sys
f, cmd, procs, own = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
for p in procs:
    open(p, "w").write(str(os.getpid()))
fd = os.open(f, os.O_RDONLY)
first = os.pread(fd, 65536, 0).decode()
print("first", [l for l in first.splitlines() if l.startswith("MemTotal:")][0].split()[1])
for p in own:
    open(p, "w").write(str(os.getpid()))
sys.stdout.flush()
open(cmd).read()          # wait until z is gone
for i in range(3):
    try:
        data = os.pread(fd, 65536, 0)
        print("read", len(data), data[:40])
    except OSError as e:
        print("error", errno.errorcode.get(e.errno))
PY
py=$!
PV_PIDS+=("$py")
for _ in $(seq 1 100); do grep -q '^first' "$PV_TMP/out" && break; sleep 0.05; done
[ "$(awk '/^first/ { print $2 }' "$PV_TMP/out")" = $((123 * 1024)) ] || pv_fail "reader in z: $(cat "$PV_TMP/out")"
sleep 0.2
for ((i = ${#PV_CGROUPS[@]} - 1; i >= 0; i--)); do rmdir "${PV_CGROUPS[i]}" || pv_fail "rmdir ${PV_CGROUPS[i]}"; done
echo go > "$cmd"
wait "$py"
[ "$(grep -c '^error EIO' "$PV_TMP/out")" = 3 ] || pv_fail "re-reads after z vanished: $(cat "$PV_TMP/out")"
n=$(grep -c "/proc/meminfo: cannot render for cgroup .*$PV_TAG-z" "$PV_TMP/daemon.log")
[ "$n" = 1 ] || pv_fail "want one log line naming the file and cgroup, got $n: $(cat "$PV_TMP/daemon.log")"
grep "cannot render" "$PV_TMP/daemon.log" | grep -q "No such file\|$PV_TAG-z.*: " || pv_fail "log line lacks the cause"
# Everyone else is still served.
grep -q '^MemTotal:' "$PV_MNT/proc/meminfo" || pv_fail "daemon stopped serving"

# No /dev/fuse (hidden in a private mount namespace): a clear error.
out=$(unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" -f --no-bpf "$1"' \
	"$PV_DAEMON" "$PV_TMP/nofuse" 2>&1); rc=$?
[ "$rc" != 0 ] || pv_fail "daemon without /dev/fuse exited 0"
grep -q "/dev/fuse" <<<"$out" || pv_fail "no /dev/fuse message: $out"
echo ok
