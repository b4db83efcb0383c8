#!/usr/bin/env bash
# Every modifying operation on the served tree fails with EROFS or EACCES,
# and the files keep their content.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
pv_daemon_start --no-bpf
/usr/bin/python3 - "$PV_MNT" <<'PY' || pv_fail "a write was not refused"
import errno, os, sys
m = sys.argv[1]
f = m + "/proc/meminfo"
ok = (errno.EROFS, errno.EACCES)
ops = {
    "open O_WRONLY": lambda: os.open(f, os.O_WRONLY),
    "open O_RDWR": lambda: os.open(f, os.O_RDWR),
    "open O_TRUNC": lambda: os.open(f, os.O_RDONLY | os.O_TRUNC),
    "create": lambda: os.open(m + "/proc/new", os.O_WRONLY | os.O_CREAT, 0o644),
    "mknod": lambda: os.mknod(m + "/proc/fifo", 0o600 | 0o010000),
    "mkdir": lambda: os.mkdir(m + "/proc/d"),
    "rmdir": lambda: os.rmdir(m + "/sys/devices/system/cpu"),
    "unlink": lambda: os.unlink(f),
    "rename": lambda: os.rename(f, m + "/proc/x"),
    "link": lambda: os.link(f, m + "/proc/x"),
    "symlink": lambda: os.symlink("meminfo", m + "/proc/x"),
    "chmod": lambda: os.chmod(f, 0o666),
    "chown": lambda: os.chown(f, 1, 1),
    "truncate": lambda: os.truncate(f, 0),
    "utime": lambda: os.utime(f, (0, 0)),
    "setxattr": lambda: os.setxattr(f, "user.x", b"1"),
}
bad = 0
for name, op in ops.items():
    try:
        op()
        print("not refused:", name); bad = 1
    except OSError as e:
        if e.errno not in ok:
            print(name, "failed with", errno.errorcode.get(e.errno), "not EROFS/EACCES"); bad = 1
for p in ("/proc/x", "/proc/new", "/proc/d", "/proc/fifo"):
    if os.path.lexists(m + p):
        print("created", p); bad = 1
sys.exit(bad)
PY
grep -q '^MemTotal:' "$PV_MNT/proc/meminfo" || pv_fail "meminfo damaged"
echo ok
