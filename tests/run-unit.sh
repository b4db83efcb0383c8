#!/usr/bin/env bash
# Runs every cmocka unit-test binary given on the command line; cmocka prints
# per-test results, this prints one closing line for the binaries.
set -u
pass=0 fail=0
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
