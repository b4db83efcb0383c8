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

# Sanitized daemon? (ASan is a shared library with gcc.)
hz_is_sanitized() { ldd "$1" 2>/dev/null | grep -q 'libasan'; }

# The value of "Key:" in a meminfo-shaped file (kB).
hz_meminfo() { awk -v k="$1:" '$1 == k { print $2; exit }' "$2"; }
