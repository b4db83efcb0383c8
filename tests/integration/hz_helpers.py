# SPDX-License-Identifier: GPL-2.0-only
"""Helpers shared by the Python parts of the hostile-reader tests
(test_hostile.sh puts this directory on PYTHONPATH)."""
import os
import time


def memtotal(text):
    """MemTotal in kB of a meminfo text (bytes), or None."""
    for line in text.decode().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return None


def rmdir_all(dirs, tries=50):
    """Remove cgroup directories, deepest last in @dirs, retrying while
    the kernel still holds an exiting task in them. Returns the first
    directory that would not go, or None."""
    for d in reversed(dirs):
        for _ in range(tries):
            try:
                os.rmdir(d)
                break
            except OSError:
                time.sleep(0.1)
        else:
            return d
    return None
