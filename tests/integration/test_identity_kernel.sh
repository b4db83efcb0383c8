#!/usr/bin/env bash
# test_identity.sh with readers identified from the kernel's record of each
# open (bpf/reader_id.bpf.c) instead of /proc: same expectations, and the
# record must be what served the reads.
PV_IDENTITY=kernel exec bash "$(dirname "$0")/test_identity.sh" "$@"
