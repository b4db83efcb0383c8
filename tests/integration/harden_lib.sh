# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the hardening tests (hostile readers, isolation, churn,
# sanitizers, privilege). Source after lib.sh.

# Every file procview serves, relative to the mountpoint.
HZ_FILES=(proc/meminfo proc/cpuinfo proc/stat proc/uptime proc/loadavg
	proc/diskstats proc/swaps sys/devices/system/cpu/online)

# hz_cg_dirs NAME: our test cgroup NAME in every hierarchy, one per line.
hz_cg_dirs() {
	local d
	for d in "${PV_CGROUPS[@]}"; do
		[ "$(basename "$d")" = "$PV_TAG-$1" ] && echo "$d"
	done
	return 0
}

# hz_cg_run NAME CMD...: run CMD inside test cgroup NAME (every hierarchy),
# the way a container's process sits there from its first instruction.
hz_cg_run() {
	local name=$1; shift
	HZ_DIRS="$(hz_cg_dirs "$name" | tr '\n' ' ')" sh -c '
		for d in $HZ_DIRS; do echo $$ > "$d/cgroup.procs" || exit 125; done
		exec "$@"' hz "$@"
}

# Resident set size of PID in kB.
hz_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Sanitized daemon? (lib.sh: by symbol, so clang's static ASan counts.)
hz_is_sanitized() { pv_sanitized "$1"; }

# The value of "Key:" in a meminfo-shaped file (kB).
hz_meminfo() { awk -v k="$1:" '$1 == k { print $2; exit }' "$2"; }

# The controller field of the hierarchy the daemon keys CPU figures and BPF
# maps by (DESIGN.md): v1 cpuacct, else v1 cpu, else cgroup2 ("").
hz_cpu_field() {
	pv_hierarchies | awk -F'\t' '
		{ n = split($2, c, ","); for (i = 1; i <= n; i++) { if (c[i] == "cpuacct") a = $2; if (c[i] == "cpu") b = $2 } }
		END { print (a != "" ? a : b) }'
}

# hz_cg_cpuid NAME: id of test cgroup NAME as BPF keys it (its directory's
# inode in that hierarchy).
hz_cg_cpuid() { stat -c %i "$(pv_cg_dir "$1" "$(hz_cpu_field)")"; }

# Every pinned map below $PV_PIN: "map count" lines, or with -k one
# "map u64" line per 8-byte-aligned u64 of every key (a key naming a
# cgroup holds its id in one of them).
hz_map_dump() {
	/usr/bin/python3 - "$PV_PIN" "$@" <<'PY'
import json, os, subprocess, sys
pin, want_keys = sys.argv[1], "-k" in sys.argv[2:]
for root, _, files in os.walk(pin):
    for f in sorted(files):
        p = os.path.join(root, f)
        r = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", p],
                           capture_output=True, text=True)
        if r.returncode != 0:
            continue                      # a pinned prog or link, not a map
        try:
            entries = json.loads(r.stdout)
        except ValueError:
            continue
        if isinstance(entries, dict):     # some bpftool versions wrap errors
            continue
        if want_keys:
            for e in entries:
                k = e.get("key")
                if isinstance(k, list):
                    b = bytes(int(x, 16) for x in k)
                    for i in range(0, len(b) - 7, 8):
                        print(os.path.relpath(p, pin), int.from_bytes(b[i:i + 8], "little"))
        else:
            print(os.path.relpath(p, pin), len(entries))
PY
}

# The daemon says it runs without BPF (then no maps and no BPF figures).
# hz_fork_opens NPROC OPENS read|noread: NPROC processes at once, each
# opening OPENS files of HZ_FILES in turn (process k starting at file k),
# reading each whole or closing it unread. Fails when any open/read does.
hz_fork_opens() {
	/usr/bin/python3 - "$PV_MNT" "${HZ_FILES[*]}" "$@" <<'PY'
import os, sys
mnt, files = sys.argv[1], sys.argv[2].split()
nproc, opens, read = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "read"
kids = []
for k in range(nproc):
    pid = os.fork()
    if pid == 0:
        for i in range(opens):
            fd = os.open(os.path.join(mnt, files[(i + k) % len(files)]), os.O_RDONLY)
            while read and os.read(fd, 1 << 16):
                pass
            os.close(fd)
        os._exit(0)
    kids.append(pid)
if any(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in kids):
    sys.exit("a concurrent reader failed")
PY
}

hz_degraded() { grep -q 'running degraded' "$PV_TMP/daemon.log"; }
