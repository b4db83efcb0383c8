# SPDX-License-Identifier: GPL-2.0-only
"""Run by test_blkio_kept.sh inside the container's cgroups: re-reads at
offset 0 of one kept-open /proc/diskstats, each compared with the kernel's
v1 blkio throttle files read right after it, before and after a direct
read of the disk. Prints "ok ..."/"FAIL ..." lines, then "checks N".

usage: blkio_reread.py MOUNT BLKIO_DIR MAJ:MIN DATA_FILE
"""
import mmap
import os
import sys

mnt, blkio, majmin, data = sys.argv[1:5]
maj, mnr = majmin.split(":")


def kernel():
    """(reads, sectors read, writes, sectors written) from the kernel."""
    got = {}
    for name, scale in (("io_serviced_recursive", 1), ("io_service_bytes_recursive", 512)):
        with open(os.path.join(blkio, "blkio.throttle." + name)) as f:
            for line in f:
                p = line.split()
                if len(p) == 3 and p[0] == majmin and p[1] in ("Read", "Write"):
                    got[(p[1], scale)] = int(p[2]) // scale
    return (got.get(("Read", 1), 0), got.get(("Read", 512), 0),
            got.get(("Write", 1), 0), got.get(("Write", 512), 0))


def view(fd):
    """The same four columns of the kept-open diskstats, re-read at 0."""
    for line in os.pread(fd, 65536, 0).decode().splitlines():
        p = line.split()
        if p[:2] == [maj, mnr]:
            return (int(p[3]), int(p[5]), int(p[7]), int(p[9]))
    return (0, 0, 0, 0)


def direct_read(kib, at_kib):
    buf = mmap.mmap(-1, kib * 1024)   # page-aligned, as O_DIRECT wants
    fd = os.open(data, os.O_RDONLY | os.O_DIRECT)
    try:
        os.preadv(fd, [buf], at_kib * 1024)
    finally:
        os.close(fd)


checks = 0


def check(fd, label):
    global checks
    checks += 1
    v = view(fd)
    k = kernel()
    print(("ok %s: %s" % (label, v)) if v == k else
          "FAIL %s: procview %s, kernel %s (reads, sectors, writes, sectors)" % (label, v, k))


fd = os.open(os.path.join(mnt, "proc/diskstats"), os.O_RDONLY)
check(fd, "first read")
for i in range(20):
    check(fd, "quiet re-read %d" % (i + 1))
direct_read(4, 48)
check(fd, "re-read after a 4 KiB read")
for i in range(10):
    check(fd, "quiet re-read after it %d" % (i + 1))
os.close(fd)
print("checks %d" % checks)
