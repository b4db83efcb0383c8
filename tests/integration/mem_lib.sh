# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the meminfo/cpuinfo/diskstats integration tests (sourced after
# lib.sh). Ground truth always comes from the kernel's cgroup files.

# Controller field (/proc/self/cgroup spelling) of the v1 hierarchy holding
# controller $1, or "" when it lives on the unified hierarchy.
pvm_field() {
	local want=$1 mnt field
	while IFS=$'\t' read -r mnt field; do
		case ",$field," in *",$want,"*) echo "$field"; return 0 ;; esac
	done < <(pv_hierarchies)
	echo ""
}

# Directory of test cgroup $1 in the hierarchy of controller $2.
pvm_dir() { pv_cg_dir "$1" "$(pvm_field "$2")"; }

# The whole disk holding $PV_TMP (cgroup I/O is accounted per disk): sets
# PVM_DISK (its /dev path) and PVM_MAJMIN. Skips the test when $PV_TMP is
# on no block device.
pvm_tmp_disk() {
	local src disk
	src=$(findmnt -no SOURCE -T "$PV_TMP")
	[ -b "$src" ] || pv_skip "$PV_TMP is not on a block device ($src)"
	disk=$(lsblk -no PKNAME "$src" 2>/dev/null | head -1)
	PVM_DISK=/dev/${disk:-$(basename "$src")}
	[ -b "$PVM_DISK" ] || PVM_DISK=$src
	PVM_MAJMIN=$(lsblk -dno MAJ:MIN "$PVM_DISK" | tr -d ' ')
}

# Run CMD... inside test cgroup $1 (every hierarchy), as a child of ours.
pvm_in() {
	local name=$1
	shift
	( pv_cg_enter "$name" "$BASHPID" && exec "$@" )
}

# Same, in a private mount namespace with the served files bind-mounted over
# the real ones, so unmodified tools (free, python, getconf) read them.
pvm_in_bound() {
	local name=$1
	shift
	pvm_in "$name" unshare -m --propagation private sh -c '
		m=$1; shift
		for f in proc/meminfo proc/cpuinfo proc/diskstats proc/swaps sys/devices/system/cpu/online; do
			mount --bind "$m/$f" "/$f" || exit 99
		done
		exec "$@"' sh "$PV_MNT" "$@"
}

# meminfo value (kB) of key $2 in text $1.
pvm_kb() { awk -v k="$2:" '$1 == k { print $2; found = 1 } END { if (!found) print -1 }' <<<"$1"; }
