#!/usr/bin/env bash
# tools/procview.service as `make install` writes it passes systemd-analyze verify.
# Then: readiness is real, READY=1 arrives on $NOTIFY_SOCKET (abstract) only
# when the mount already serves.
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

# verify resolves ExecStart= binaries on the real filesystem: point it at the
# freshly built daemon (the file we install) by substituting its directory.
sed "s|/usr/local/sbin/procviewd|$(cd "$(dirname "$PV_DAEMON")" && pwd)/procviewd|" "$unit" \
	> "$tmp/procview.service"
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$tmp/procview.service" 2>&1)
rc=$?
# verify also reports unrelated units of this machine; only ours counts.
ours=$(printf '%s\n' "$out" | grep 'procview.service' || true)
[ $rc -eq 0 ] && [ -z "$ours" ] || { printf '%s\n' "$out"; pv_fail "systemd-analyze verify (rc=$rc)"; }

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
