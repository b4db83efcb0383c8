#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run by test_blkio_kept.sh inside the container's cgroups: I/O steps, each
# followed by a check that this container's /proc/diskstats line for the
# disk carries exactly the kernel's v1 blkio throttle counters, read right
# after it. Reads use bash builtins only: no program is loaded between the
# two reads (its pages could be read from the disk, and counted).
# usage: blkio_check.sh MOUNT BLKIO_DIR MAJ:MIN DATA_FILE
set -u
mnt=$1 dir=$2 majmin=$3 data=$4
maj=${majmin%:*} min=${majmin#*:}
checks=0 fails=0
# Naps without a program: sleep(1) could read its pages from the disk.
exec 9<> <(:)
nap() { read -r -t "$1" -u 9 _ || :; }

# "rios rsectors wios wsectors" for the disk, from the kernel's files.
kernel() {
	local bytes ios line rb=0 wb=0 ri=0 wi=0 f
	bytes=$(<"$dir/blkio.throttle.io_service_bytes_recursive")
	ios=$(<"$dir/blkio.throttle.io_serviced_recursive")
	while read -r -a f; do
		[ "${f[0]}" = "$majmin" ] || continue
		case ${f[1]} in Read) rb=${f[2]} ;; Write) wb=${f[2]} ;; esac
	done <<<"$bytes"
	while read -r -a f; do
		[ "${f[0]}" = "$majmin" ] || continue
		case ${f[1]} in Read) ri=${f[2]} ;; Write) wi=${f[2]} ;; esac
	done <<<"$ios"
	echo "$ri $((rb / 512)) $wi $((wb / 512))"
}

# The same four columns of procview's diskstats ("0 0 0 0": no line).
view() {
	local text f
	text=$(<"$mnt/proc/diskstats")
	while read -r -a f; do
		[ "${f[0]}" = "$maj" ] && [ "${f[1]}" = "$min" ] || continue
		echo "${f[3]} ${f[5]} ${f[7]} ${f[9]}"
		return
	done <<<"$text"
	echo "0 0 0 0"
}

check() {
	local v k
	v=$(view)
	k=$(kernel)
	checks=$((checks + 1))
	if [ "$v" = "$k" ]; then
		echo "ok $1: $v"
	else
		fails=$((fails + 1))
		echo "FAIL $1: procview '$v', kernel '$k' (reads, sectors, writes, sectors)"
	fi
}

# One direct read of $1 KiB at offset $2 KiB, in the cgroup whose blkio
# directory is $3 (default: ours).
read_direct() {
	if [ -n "${3:-}" ]; then
		sh -c 'echo $$ > "$1/cgroup.procs" && exec dd if="$2" of=/dev/null bs="$3"k count=1 skip="$4" iflag=direct status=none' \
			sh "$3" "$data" "$1" "$(($2 / $1))"
	else
		dd if="$data" of=/dev/null bs="$1"k count=1 skip="$(($2 / $1))" iflag=direct status=none
	fi || { echo "FAIL dd"; fails=$((fails + 1)); }
}

read_direct 4 0
check "after a 4 KiB read"
for i in $(seq 30); do check "quiet read $i"; done
read_direct 8 8
check "after an 8 KiB read (counts changed: read again)"
# A child's figures are in the recursive sums while it lives ...
child=$dir/child
mkdir "$child" || { echo "FAIL mkdir $child"; exit 1; }
before=$(kernel)
read_direct 4 16 "$child"
check "after the child's 4 KiB read"
# ... and leave them with it. Not read here: the check below must not
# find the figures of a reading made while the child lived.
rmdir "$child" || { echo "FAIL rmdir $child"; exit 1; }
for i in $(seq 100); do
	[ "$(kernel)" = "$before" ] && break
	nap 0.05
done
# Now one more read of 8 KiB: the I/O counts are back to what they were
# with the child, the bytes are not.
[ "$(kernel)" = "$before" ] || echo "note: the child's figures stayed after it went (kernel: $(kernel), before it: $before)"
read_direct 8 32
check "after the child went and an 8 KiB read"
echo 1 > "$dir/blkio.reset_stats" || { echo "FAIL reset_stats"; fails=$((fails + 1)); }
check "after blkio.reset_stats"
for i in $(seq 10); do check "quiet read after all $i"; done
echo "checks $checks"
exit $((fails > 0))
