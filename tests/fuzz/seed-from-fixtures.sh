#!/usr/bin/env bash
# Regenerate the fixture-derived seeds (fx-*) of tests/fuzz/corpus/ from
# tests/fixtures: every fixture file of a kind becomes a seed of the target
# that parses that kind, with the selector byte the target expects first.
# Hand-written and real-/proc seeds (other names) are left alone.
set -eu
cd "$(dirname "$0")/../.."
C=tests/fuzz/corpus
rm -f "$C"/*/fx-*
seed() { # TARGET SELECTOR-BYTE(octal or "") FILE...
	local t=$1 sel=$2 f; shift 2
	for f in "$@"; do
		[ -f "$f" ] || continue
		h=$(echo "$f" | md5sum | cut -c1-10)
		{ [ -z "$sel" ] || printf "\\$sel"; cat "$f"; } >"$C/$t/fx-$h"
	done
}
seed fuzz_mountinfo "" $(find tests/fixtures -name mountinfo)
seed fuzz_mnt_parse "" $(find tests/fixtures -name mountinfo)
seed fuzz_pid_status "" $(find tests/fixtures -name status -path '*proc*')
for f in $(find tests/fixtures -path '*/proc/*.cgroup'); do
	case $f in *v2*) s=002 ;; *v1*|*comount*) s=001 ;; *) s=000 ;; esac
	seed fuzz_proc_cgroup $s "$f"
done
seed fuzz_cpulist 100 $(find tests/fixtures -name 'cpuset.cpus*' -o -name 'cpuset.effective_cpus' -o -name online)
seed fuzz_cpu_max "" $(find tests/fixtures -name cpu.max -o -name 'memory.max' -o -name 'memory.limit_in_bytes' -o -name 'memory.swap.max')
for q in $(find tests/fixtures -name cpu.cfs_quota_us); do
	p=${q%cpu.cfs_quota_us}cpu.cfs_period_us
	[ -f "$p" ] || continue
	h=$(echo "$q" | md5sum | cut -c1-10)
	{ cat "$q"; echo ===; cat "$p"; } >"$C/fuzz_cpu_max/fx-$h"
done
seed fuzz_keyed 017 $(find tests/fixtures -name memory.stat)
seed fuzz_keyed 023 $(find tests/fixtures -name cpu.stat)
seed fuzz_io_stat 010 $(find tests/fixtures -name io.stat)
for b in $(find tests/fixtures -name blkio.throttle.io_service_bytes); do
	s=${b%_bytes}d
	h=$(echo "$b" | md5sum | cut -c1-10)
	{ printf '\010'; cat "$b"; echo ===; [ -f "$s" ] && cat "$s"; } >"$C/fuzz_io_stat/fx-$h"
done
seed fuzz_cpuinfo 011 $(find tests/fixtures -name cpuinfo)
seed fuzz_proc_stat "" $(find tests/fixtures -name stat -path '*proc*')
for m in $(find tests/fixtures -name meminfo); do
	h=$(echo "$m" | md5sum | cut -c1-10)
	{ printf '\0\0\0\100\0\0\0\0\0\0\0\040\0\0\0\0'; head -c 48 /dev/zero; cat "$m"; } >"$C/fuzz_meminfo/fx-$h"
done
for t in "$C"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
