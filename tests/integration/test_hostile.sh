#!/usr/bin/env bash
# Hostile and unlucky readers, while a parallel host reader checks that the
# daemon keeps serving everyone else (it must never see one failed read):
#  - readers that exit or are killed mid-read;
#  - 2,000 open handles held at once, each re-read;
#  - a handle kept open after its container's cgroup is removed, and after
#    it is made again under the same name with another limit (the old
#    handle must never show the newcomer's figures, and /proc/stat must
#    leave no BPF state under the removed cgroup's id);
#  - pid reuse: a pid that read as container A is handed (ns_last_pid) to a
#    new reader in container B, which must see B;
#  - readers in cgroups created after the daemon started;
#  - every (offset, size) pread on small files against the same rendering;
#  - pread at non-zero offsets on fresh handles (no read at 0 before) of
#    every file.
# A concurrent pid-reuse race within one request is impossible by
# construction (reader.h: the reader cannot exit while its request is
# being served); the forced sequential reuse below is what can happen.
# Ground truth is the kernel: memory.limit_in_bytes / memory.max of each
# cgroup, /proc/<pid>/cgroup; nothing is taken from procview's code.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/harden_lib.sh"
# The Python parts import hz_helpers.py from this directory.
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
pv_init
pv_daemon_start
# PV_HOSTILE_QUICK=1 (the ASan pass of make test): a third of the rounds.
Q=${PV_HOSTILE_QUICK:-0}
R_MID=$([ "$Q" = 1 ] && echo 15 || echo 40)
R_REUSE=$([ "$Q" = 1 ] && echo 100 || echo 300)
R_SHORT=$([ "$Q" = 1 ] && echo 200 || echo 600)

MB=1048576
host_total=$(hz_meminfo MemTotal /proc/meminfo)
# A memory limit in every memory hierarchy of cgroup NAME (v1 or v2).
set_limit() {
	local d
	d=$(pv_cg_dir "$1" memory)
	if [ -f "$d/memory.limit_in_bytes" ]; then
		echo "$2" > "$d/memory.limit_in_bytes" || pv_fail "limit $d"
	else
		echo "$2" > "$(pv_cg_dir "$1" "")/memory.max" || pv_fail "memory.max $1"
	fi
}

# Parallel reader: the host's view must keep coming, every time.
ok_file=$PV_TMP/bg.ok bad_file=$PV_TMP/bg.bad
: >"$ok_file"; : >"$bad_file"
( while :; do
	if out=$(cat "$PV_MNT/proc/meminfo" "$PV_MNT/proc/stat" 2>&1) &&
	   grep -q '^MemTotal:' <<<"$out"; then echo >>"$ok_file"; else echo "$out" | head -2 >>"$bad_file"; fi
	sleep 0.02
  done ) &
PV_PIDS+=($!)

# --- readers that exit mid-read --------------------------------------------
for i in $(seq "$R_MID"); do
	# Exits after 10 bytes with the handle open and the rest unread.
	/usr/bin/python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.read(fd, 10); os._exit(0)' \
		"$PV_MNT/proc/cpuinfo" || pv_fail "partial reader $i"
	dd if="$PV_MNT/proc/stat" bs=1 status=none of=/dev/null & k=$!
	sleep 0.0$((RANDOM % 3)); kill -KILL "$k" 2>/dev/null; wait "$k" 2>/dev/null
done
pv_log "$((2 * R_MID)) readers exited or were killed mid-read"

# --- new cgroups (never seen by the daemon), with distinct limits ----------
pv_cg_create a; set_limit a $((300 * MB))
pv_cg_create b; set_limit b $((400 * MB))
want_a=$((300 * 1024)) want_b=$((400 * 1024))
[ "$want_a" -lt "$host_total" ] || pv_skip "host has less than 400 MiB"
got=$(hz_cg_run a cat "$PV_MNT/proc/meminfo" | awk '$1=="MemTotal:"{print $2}')
[ "$got" = "$want_a" ] || pv_fail "fresh cgroup a: MemTotal $got, kernel limit says $want_a"
got=$(hz_cg_run b cat "$PV_MNT/proc/meminfo" | awk '$1=="MemTotal:"{print $2}')
[ "$got" = "$want_b" ] || pv_fail "fresh cgroup b: MemTotal $got, kernel limit says $want_b"
pv_log "first reads from never-seen cgroups a/b: MemTotal $want_a / $want_b kB"

# --- 2,000 handles at once -------------------------------------------------
/usr/bin/python3 - "$PV_MNT" <<'PY' || pv_fail "2000 open handles"
import os, resource, sys
mnt = sys.argv[1]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
files = ["proc/meminfo", "proc/stat", "proc/uptime", "proc/loadavg", "proc/cpuinfo",
         "sys/devices/system/cpu/online", "proc/swaps", "proc/diskstats"]
fds = []
for i in range(2000):
    fds.append(os.open(os.path.join(mnt, files[i % len(files)]), os.O_RDONLY))
bad = 0
for i, fd in enumerate(fds):
    d = os.pread(fd, 1 << 16, 0)
    if files[i % len(files)] not in ("proc/swaps", "proc/diskstats") and not d:
        bad += 1
for fd in fds:
    os.close(fd)
if bad:
    sys.exit("%d of 2000 handles read empty" % bad)
print("# 2000 handles open at once, all read")
PY

# --- handle kept open after its cgroup is removed --------------------------
# A child in cgroup c opens meminfo and passes the fd to us (outside c), then
# exits; c is removed; reading the fd must fail cleanly or show c's last
# rendering or our own view -- never a (still existing) container's figures.
pv_cg_create c; set_limit c $((200 * MB))
own_total=$(hz_meminfo MemTotal "$PV_MNT/proc/meminfo")
c_dirs=$(hz_cg_dirs c | tr '\n' ' ')
/usr/bin/python3 - "$PV_MNT/proc/meminfo" "$c_dirs" "$((200 * 1024))" "$own_total" "$want_a" "$want_b" <<'PY' || pv_fail "read after cgroup removal"
import os, socket, sys, time
path, dirs, want_c, own, a, b = sys.argv[1], sys.argv[2].split(), *map(int, sys.argv[3:])
from hz_helpers import memtotal, rmdir_all
s1, s2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
pid = os.fork()
if pid == 0:
    for d in dirs:
        with open(d + "/cgroup.procs", "w") as f:
            f.write(str(os.getpid()))
    fd = os.open(path, os.O_RDONLY)
    first = os.pread(fd, 1 << 16, 0)
    socket.send_fds(s2, [first], [fd])
    os._exit(0)
msg, fds, _, _ = socket.recv_fds(s1, 1 << 16, 1)
os.waitpid(pid, 0)
fd = fds[0]
if memtotal(msg) != want_c:
    sys.exit("child in c saw MemTotal %s, limit says %d" % (memtotal(msg), want_c))
stuck = rmdir_all(dirs)
if stuck:
    sys.exit("cannot remove " + stuck)
results = []
# A read past offset 0 slices the rendering the handle already has: c's own.
try:
    t = os.pread(fd, 20, 5)
    if t != msg[5:25]:
        sys.exit("after rmdir, pread(20, 5) = %r, c's rendering had %r" % (t, msg[5:25]))
    results.append("slice ok")
except OSError as e:
    results.append("slice errno %d" % e.errno)
for i in range(5):
    try:
        t = os.pread(fd, 1 << 16, 0)   # offset 0: re-render for a gone cgroup
        os.pread(fd, 10, 5)
        results.append(memtotal(t))
    except OSError as e:
        results.append("errno %d" % e.errno)
os.close(fd)
for r in results[1:]:
    if r in (a, b):
        sys.exit("handle of removed cgroup c showed another container's MemTotal %s" % r)
    if isinstance(r, int) and r not in (want_c, own):
        sys.exit("handle of removed cgroup c showed MemTotal %s (c %d, ours %d)" % (r, want_c, own))
    if r is None:
        sys.exit("handle of removed cgroup c returned a file without MemTotal")
print("# held handle after rmdir of its cgroup: %s" % results)
PY

# --- handle held while its cgroup is removed and made again ----------------
# A child in cgroup r opens meminfo and stat, hands both fds to us and
# exits; r is removed and made again under the same name with another
# limit (kernel ground truth: the new memory limit, read back through a
# fresh reader in the new r). Re-reading the old handles must give an
# error or r's old rendering, never the newcomer's MemTotal.
pv_cg_create r; set_limit r $((220 * MB))
r_old_id=$(hz_cg_cpuid r)
r_dirs=$(hz_cg_dirs r | tr '\n' ' ')
/usr/bin/python3 - "$PV_MNT" "$r_dirs" "$((220 * 1024))" "$((260 * MB))" <<'PY' || pv_fail "handles held across re-creation of their cgroup"
import errno, os, socket, sys, time
mnt, dirs, old_kb, new_bytes = sys.argv[1], sys.argv[2].split(), int(sys.argv[3]), int(sys.argv[4])
new_kb = new_bytes // 1024
from hz_helpers import memtotal, rmdir_all
def join(ds):
    for d in ds:
        with open(d + "/cgroup.procs", "w") as f:
            f.write(str(os.getpid()))
s1, s2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
pid = os.fork()
if pid == 0:
    join(dirs)
    fm = os.open(os.path.join(mnt, "proc/meminfo"), os.O_RDONLY)
    fs = os.open(os.path.join(mnt, "proc/stat"), os.O_RDONLY)
    first = os.pread(fm, 1 << 16, 0)
    os.pread(fs, 1 << 16, 0)
    socket.send_fds(s2, [first], [fm, fs])
    os._exit(0)
msg, fds, _, _ = socket.recv_fds(s1, 1 << 16, 2)
os.waitpid(pid, 0)
fm, fs = fds
if memtotal(msg) != old_kb:
    sys.exit("child in r saw MemTotal %s, limit says %d" % (memtotal(msg), old_kb))
stuck = rmdir_all(dirs)
if stuck:
    sys.exit("cannot remove " + stuck)
for d in dirs:
    os.mkdir(d)
    p = os.path.dirname(d)
    if os.path.exists(d + "/cpuset.cpus"):
        for k in ("cpuset.cpus", "cpuset.mems"):
            with open(d + "/" + k, "w") as f:
                f.write(open(p + "/" + k).read())
    for k in ("memory.limit_in_bytes", "memory.max"):
        if os.path.exists(d + "/" + k):
            with open(d + "/" + k, "w") as f:
                f.write(str(new_bytes))
            break
# The newcomer is real: a fresh reader in the new r sees its limit.
rp, wp = os.pipe()
pid = os.fork()
if pid == 0:
    join(dirs)
    with open(os.path.join(mnt, "proc/meminfo"), "rb") as f:
        os.write(wp, str(memtotal(f.read())).encode())
    os._exit(0)
os.close(wp)
fresh = os.read(rp, 64).decode()
os.waitpid(pid, 0)
if fresh != str(new_kb):
    sys.exit("fresh reader in the re-created r saw MemTotal %s, its limit says %d" % (fresh, new_kb))
seen = []
for _ in range(5):
    for name, fd in (("meminfo", fm), ("stat", fs)):
        try:
            t = os.pread(fd, 1 << 16, 0)
        except OSError as e:
            seen.append("%s errno %s" % (name, errno.errorcode.get(e.errno)))
            continue
        if name == "meminfo":
            if memtotal(t) == new_kb:
                sys.exit("old meminfo handle shows the re-created cgroup's MemTotal %d" % new_kb)
            if memtotal(t) != old_kb:
                sys.exit("old meminfo handle shows MemTotal %s (neither r's %d nor an error)"
                         % (memtotal(t), old_kb))
        seen.append("%s %d bytes" % (name, len(t)))
os.close(fm); os.close(fs)
print("# handles held across removal and re-creation of their cgroup (old limit %d kB, new %d kB): %s"
      % (old_kb, new_kb, sorted(set(seen))))
PY
if hz_degraded; then
	pv_log "daemon runs degraded: no BPF state to check for r's removed id"
else
	left=$(hz_map_dump -k | awk -v id="$r_old_id" '$2 == id { print $1 }' | sort -u | tr '\n' ' ')
	[ -z "$left" ] || pv_fail "after re-reading r's old /proc/stat handle, maps $left hold entries for r's removed id $r_old_id"
	pv_log "no map holds r's removed id $r_old_id after the old handles were re-read"
fi

# --- pread at non-zero offsets on fresh handles -----------------------------
# A fresh handle (no read at offset 0 before) already has a rendering; a
# pread past 0 slices it. Compared with a full read through another handle
# just before: the same slice for files that do not change from one read
# to the next, else the same tail of lines (numbers may change width).
/usr/bin/python3 - "$PV_MNT" "${HZ_FILES[*]}" <<'PY' || pv_fail "pread on fresh handles"
import os, sys
mnt, files = sys.argv[1], sys.argv[2].split()
stable = {"sys/devices/system/cpu/online", "proc/swaps"}
def keys(t):
    # first word of every line that starts after a newline in t
    return [l.split()[0] if l.split() else "" for l in t.split(b"\n")[1:] if l]
checks = 0
for name in files:
    path = os.path.join(mnt, name)
    with open(path, "rb") as f:
        full = f.read()
    for off in (1, 7, 100, len(full) // 2, len(full) - 1, len(full), len(full) + 200):
        if off <= 0:
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            got = os.pread(fd, 1 << 16, off)
            again = os.pread(fd, 1 << 16, off)
        finally:
            os.close(fd)
        want = full[off:]
        if got != again:
            sys.exit("%s: two preads at %d of one fresh handle differ" % (name, off))
        if name in stable and got != want:
            sys.exit("%s: fresh pread at %d = %r, full read has %r" % (name, off, got[:60], want[:60]))
        if off < len(full) - 3 and (not got or not got.endswith(b"\n")):
            sys.exit("%s: fresh pread at %d of a %d-byte file returned %r"
                     % (name, off, len(full), got[:60]))
        if off < len(full) - 40:
            if abs(len(got) - len(want)) > 64:
                sys.exit("%s: fresh pread at %d returned %d bytes, full read leaves %d"
                         % (name, off, len(got), len(want)))
            # whole lines after the cut: the last lines of the file, as
            # many as the full read has after the same offset (+-3)
            k, kall, kw = keys(got), keys(b"\n" + full), keys(want)
            if kall[len(kall) - len(k):] != k or abs(len(k) - len(kw)) > 3:
                sys.exit("%s: fresh pread at %d: lines %s, full read ends %s"
                         % (name, off, k[:4], kall[-len(k):][:4]))
        if off >= len(full) + 200 and got:
            sys.exit("%s: pread at %d past the end returned %r" % (name, off, got[:60]))
        checks += 1
print("# %d preads at non-zero offsets on fresh handles of %d files matched" % (checks, len(files)))
PY

# --- pid reuse (forced through ns_last_pid) and many short-lived readers ---
a_dirs=$(hz_cg_dirs a | tr '\n' ' ') b_dirs=$(hz_cg_dirs b | tr '\n' ' ')
/usr/bin/python3 - "$PV_MNT/proc/meminfo" "$a_dirs" "$b_dirs" "$want_a" "$want_b" "$R_REUSE" "$R_SHORT" <<'PY' || pv_fail "pid reuse / short-lived readers"
import os, sys
path, adirs, bdirs, wa, wb = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4]), int(sys.argv[5])
n_reuse, n_short = int(sys.argv[6]), int(sys.argv[7])
def reader(dirs, want, status):
    # child: join the cgroup, read, report through the exit status
    for d in dirs:
        with open(d + "/cgroup.procs", "w") as f:
            f.write(str(os.getpid()))
    with open(path, "rb") as f:
        t = f.read()
    for l in t.decode().splitlines():
        if l.startswith("MemTotal:"):
            os._exit(0 if int(l.split()[1]) == want else 3)
    os._exit(4)
def run(dirs, want, pid_wanted=None):
    if pid_wanted is not None:
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(pid_wanted - 1))
    p = os.fork()
    if p == 0:
        if pid_wanted is not None and os.getpid() != pid_wanted:
            os._exit(9)          # someone else forked first: not a reuse
        reader(dirs, want, 0)
    _, st = os.waitpid(p, 0)
    return p, os.waitstatus_to_exitcode(st)
reused = short = 0
for i in range(n_reuse):
    p, rc = run(adirs, wa)
    if rc != 0:
        sys.exit("reader %d in a: rc %d" % (p, rc))
    q, rc = run(bdirs, wb, p)
    if rc == 9:
        continue
    if rc != 0:
        sys.exit("pid %d reused from a into b saw the wrong MemTotal (rc %d)" % (p, rc))
    reused += 1
for i in range(n_short):
    dirs, want = (adirs, wa) if i % 2 else (bdirs, wb)
    p, rc = run(dirs, want)
    if rc != 0:
        sys.exit("short-lived reader %d: rc %d" % (i, rc))
    short += 1
if reused < n_reuse // 6:
    sys.exit("only %d of %d pid reuses happened" % (reused, n_reuse))
print("# %d forced pid reuses a->b and %d short-lived readers, all saw their own MemTotal" % (reused, short))
PY

# --- every offset and size on small files ---------------------------------
/usr/bin/python3 - "$PV_MNT" <<'PY' || pv_fail "offset/size combinations"
import os, re, sys
mnt = sys.argv[1]
shape = {"sys/devices/system/cpu/online": re.compile(rb"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*\n$"),
         "proc/uptime": re.compile(rb"^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}\n$"),
         "proc/loadavg": re.compile(rb"^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+/[0-9]+ [0-9]+\n$")}
checks = 0
for name, rx in shape.items():
    fd = os.open(os.path.join(mnt, name), os.O_RDONLY)
    full = os.pread(fd, 1 << 16, 0)
    if not rx.match(full):
        sys.exit("%s: bad shape %r" % (name, full))
    n = len(full)
    for off in range(0, n + 3):
        for size in range(1, n + 3):
            got = os.pread(fd, size, off)
            if off == 0:
                # offset 0 renders afresh: the rest of this rendering follows
                rest = os.pread(fd, 1 << 16, len(got)) if len(got) == size else b""
                full = got + rest
                if not rx.match(full):
                    sys.exit("%s: re-rendered bad shape %r" % (name, full))
            elif got != full[off:off + size]:
                sys.exit("%s: pread(size=%d, off=%d) = %r, rendering slice %r"
                         % (name, size, off, got, full[off:off + size]))
            checks += 1
    os.close(fd)
print("# %d (offset, size) preads matched their rendering" % checks)
PY

kill -0 "$PV_DAEMON_PID" || pv_fail "daemon died"
ok=$(wc -l <"$ok_file")
[ -s "$bad_file" ] && { head -5 "$bad_file" >&2; pv_fail "parallel host reader failed $(wc -l <"$bad_file") times"; }
[ "$ok" -gt 10 ] || pv_fail "parallel host reader made only $ok reads"
pv_log "parallel host reader: $ok reads, 0 failures"
