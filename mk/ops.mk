# SPDX-License-Identifier: GPL-2.0-only
# Operations fragment: installs the OCI hooks.d file next to the hook binary
# (podman and CRI-O read /etc/containers/oci/hooks.d).
.PHONY: install-oci-hook
install: install-oci-hook
install-oci-hook: all
	install -d $(DESTDIR)/etc/containers/oci/hooks.d
	sed 's|@BINDIR@|$(PREFIX)/bin|g; s|@MOUNT@|$(MOUNT)|g' tools/oci-hooks.d/procview.json \
		> $(DESTDIR)/etc/containers/oci/hooks.d/procview.json
