#!/usr/bin/env bash
# tools/procview.service as `make install` writes it passes plain
# `systemd-analyze verify` (its Documentation=man:procviewd(8) resolves to
# the installed page, which documents every option of procviewd --help).
# Its DevicePolicy=closed + DeviceAllow= keep FUSE and BPF working: the
# daemon runs in a v1 devices cgroup with exactly those rules (and a control
# without /dev/fuse must fail). Readiness is real: READY=1 arrives on
# $NOTIFY_SOCKET (abstract) only when the mount already serves.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
command -v systemd-analyze >/dev/null || pv_skip "systemd-analyze not installed"
tmp=$PV_TMP

# The install rule, run into a scratch DESTDIR: the unit the user gets.
make -s -C "$PV_ROOT" install DESTDIR="$tmp/root" PREFIX=/usr/local MOUNT=/var/lib/procview \
	BUILD="$PV_BUILD" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; pv_fail "make install"; }
unit=$tmp/root/etc/systemd/system/procview.service
[ -f "$unit" ] || pv_fail "make install did not write procview.service"
grep -q '@SBINDIR@\|@MOUNT@' "$unit" && pv_fail "placeholders left in installed unit"
# The OCI hooks.d file names the installed hook binary and the mountpoint.
/usr/bin/python3 - "$tmp/root" <<'PY' || pv_fail "installed hooks.d/procview.json"
import json, os, sys
root = sys.argv[1]
h = json.load(open(root + "/etc/containers/oci/hooks.d/procview.json"))
assert h["version"] == "1.0.0" and h["stages"] == ["createContainer"], h
assert h["hook"]["path"] == "/usr/local/bin/procview-oci-hook", h
assert os.access(root + h["hook"]["path"], os.X_OK), "hook binary not installed"
assert h["hook"]["args"][-2:] == ["--mount", "/var/lib/procview"], h
PY
grep -q '^ExecStart=/usr/local/sbin/procviewd -f /var/lib/procview$' "$unit" ||
	pv_fail "ExecStart not substituted: $(grep ^ExecStart= "$unit")"

# The man page: installed, renders without warnings, every option the
# binary accepts is documented.
page=$tmp/root/usr/local/share/man/man8/procviewd.8
[ -f "$page" ] || pv_fail "make install did not install procviewd.8"
warn=$(LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l "$page" 2>&1 >"$tmp/man.txt") ||
	pv_fail "man -l procviewd.8 failed: $warn"
[ -z "$warn" ] || pv_fail "procviewd.8 renders with warnings: $warn"
opts=$("$PV_DAEMON" --help | sed -n '/^OPTIONS/,/^[A-Z]/p' | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | sed 's/^[ ,]*//' | sort -u)
[ "$(wc -l <<<"$opts")" -ge 8 ] || pv_fail "could not read the options of procviewd --help: $opts"
for o in $opts; do
	grep -qe "$o\b" "$tmp/man.txt" || pv_fail "procviewd.8 does not document $o"
done

# verify resolves ExecStart= binaries on the real filesystem: point it at the
# freshly built daemon (the file we install) by substituting its directory.
# Documentation=man:procviewd(8) is checked by running man: MANPATH finds
# the page make install wrote.
sed "s|/usr/local/sbin/procviewd|$(cd "$(dirname "$PV_DAEMON")" && pwd)/procviewd|" "$unit" \
	> "$tmp/procview.service"
out=$(MANPATH=$tmp/root/usr/local/share/man SYSTEMD_LOG_LEVEL=notice \
	systemd-analyze verify "$tmp/procview.service" 2>&1)
rc=$?
# verify also reports unrelated units of this machine; only ours counts.
ours=$(printf '%s\n' "$out" | grep 'procview.service' || true)
[ $rc -eq 0 ] && [ -z "$ours" ] || { printf '%s\n' "$out"; pv_fail "systemd-analyze verify (rc=$rc)"; }
# And it does look at the page: without it, verify must complain.
out=$(MANPATH=$tmp/nowhere SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$tmp/procview.service" 2>&1) &&
	pv_fail "verify passed without the man page: Documentation= was not checked"
grep -q 'procviewd(8)' <<<"$out" || pv_fail "verify without the page failed otherwise: $out"

for k in 'Type=notify' 'Restart=on-failure' 'NoNewPrivileges=yes'; do
	grep -q "^$k\$" "$unit" || pv_fail "missing $k"
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
for c in $caps; do
	case $c in CAP_SYS_ADMIN|CAP_BPF|CAP_PERFMON|CAP_SYS_PTRACE|CAP_SYS_CHROOT) ;;
	*) pv_fail "unexpected capability $c" ;; esac
done
# Options that imply a private mount namespace would hide the FUSE mount.
for k in PrivateMounts PrivateTmp ProtectSystem ProtectHome ProtectKernelTunables \
	ProtectKernelModules ProtectKernelLogs ProtectControlGroups ProtectProc \
	ReadOnlyPaths ReadWritePaths InaccessiblePaths TemporaryFileSystem PrivateDevices; do
	grep -q "^$k=" "$unit" && pv_fail "$k= would put the mount in a private namespace"
done
grep -q '^ExecStopPost=-.*fusermount3 -u' "$unit" || pv_fail "no ExecStopPost cleanup"

# DevicePolicy=/DeviceAllow= as the kernel's v1 device cgroup enforces them.
devrules() {   # devrules DIR WITH_ALLOW: deny all, allow what the unit allows
	local dir=$1 with=$2 path mode st
	echo a > "$dir/devices.deny" || pv_fail "devices.deny in $dir"
	if grep -q '^DevicePolicy=closed$' "$unit"; then
		# systemd's "closed" set (at least these).
		for path in /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx; do
			st=$(stat -c '%t %T' "$path") || continue
			echo "c $((16#${st% *})):$((16#${st#* })) rwm" > "$dir/devices.allow"
		done
	fi
	[ "$with" = 1 ] || return 0
	while read -r path mode; do
		st=$(stat -c '%t %T' "$path") || pv_fail "DeviceAllow=$path: no such device"
		echo "c $((16#${st% *})):$((16#${st#* })) $mode" > "$dir/devices.allow" || pv_fail "devices.allow $path"
	done < <(sed -n 's/^DeviceAllow=//p' "$unit")
}
grep -q '^DevicePolicy=' "$unit" || pv_fail "no DevicePolicy= in the unit"
if [ -f /sys/fs/cgroup/devices/devices.allow ] && [ -n "$(pv_own_cgdir devices)" ]; then
	pv_cg_create devok; pv_cg_create devnofuse
	devrules "$(pv_cg_dir devok devices)" 1
	devrules "$(pv_cg_dir devnofuse devices)" 0
	# Control: without the DeviceAllow= lines FUSE cannot start.
	if ( pv_cg_enter devnofuse "$BASHPID"
	     exec "$PV_DAEMON" -f --bpf-pin-dir "$PV_PIN" "$PV_MNT" ) >"$tmp/nofuse.log" 2>&1; then
		pv_fail "daemon started in a device cgroup without /dev/fuse: the emulation restricts nothing"
	fi
	grep -q '/dev/fuse' "$tmp/nofuse.log" || pv_fail "control failed otherwise: $(cat "$tmp/nofuse.log")"
	( pv_cg_enter devok "$BASHPID"
	  exec "$PV_DAEMON" -f --bpf-pin-dir "$PV_PIN" "$PV_MNT" ) >>"$PV_TMP/daemon.log" 2>&1 &
	PV_DAEMON_PID=$!
	for _ in $(seq 1 200); do head -c1 "$PV_MNT/proc/meminfo" >/dev/null 2>&1 && break; sleep 0.05; done
	grep -q '^MemTotal:' "$PV_MNT/proc/meminfo" || pv_fail "daemon under the unit's device policy does not serve"
	"$PV_BUILD/procviewctl" --mount "$PV_MNT" --bpf-pin-dir "$PV_PIN" status > "$tmp/status" ||
		pv_fail "status under the device policy: $(cat "$tmp/status")"
	grep -q '^state: *ok$' "$tmp/status" || pv_fail "under the device policy: $(cat "$tmp/status")"
	pv_daemon_stop TERM
	pv_log "DevicePolicy=closed + DeviceAllow=: FUSE serves, BPF attached; without /dev/fuse the daemon fails"
else
	pv_log "no v1 devices controller: DevicePolicy emulation not run"
fi

# sd_notify: a listener on an abstract socket reads the mount the instant
# READY=1 arrives.
sock="@$PV_TAG-notify"
/usr/bin/python3 - "$sock" "$PV_MNT" "$tmp/notify.out" <<'PY' &
import os, socket, sys, time
addr, mnt, out = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:])
open(out + ".bound", "w").close()
s.settimeout(20)
res = []
try:
    while True:
        msg = s.recv(4096).decode()
        if "READY=1" in msg.split("\n"):
            try:
                with open(mnt + "/proc/meminfo") as f:
                    ok = f.readline().startswith("MemTotal:")
            except OSError as e:
                ok = "error %s" % e
            res.append("READY=1 serving=%s" % ok)
            break
        res.append("other: " + msg)
except socket.timeout:
    res.append("timeout")
open(out, "w").write("\n".join(res) + "\n")
PY
PV_PIDS+=($!); lpid=$!
for _ in $(seq 1 100); do [ -e "$tmp/notify.out.bound" ] && break; sleep 0.05; done
NOTIFY_SOCKET=$sock "$PV_DAEMON" -f --bpf-pin-dir "$PV_PIN" "$PV_MNT" >>"$PV_TMP/daemon.log" 2>&1 &
PV_DAEMON_PID=$!
wait "$lpid"
grep -qx 'READY=1 serving=True' "$tmp/notify.out" || pv_fail "readiness: $(cat "$tmp/notify.out")"
pv_daemon_stop TERM
echo "ok: systemd-analyze verify accepts the installed unit; READY=1 only once serving"
