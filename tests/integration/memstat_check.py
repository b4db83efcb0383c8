# SPDX-License-Identifier: GPL-2.0-only
"""Run inside a container's memory cgroup by test_memstat_kept.sh.

argv: MEMINFO (procview's) KERNEL_STAT (the cgroup's own memory.stat)
      PARENT_LIMIT (memory.limit_in_bytes of the parent cgroup)

Makes 40 quiet opens and 40 quiet re-reads of one kept-open descriptor
(the test counts the kept copies used), then checks procview readings
against the kernel's memory.stat read right after each: the anonymous
memory (16 MiB more every step, so a stale copy is off by that much) and
the limit (changed on the parent mid-way), for opens and for re-reads at
offset 0. "FAIL ..." lines say what differed; "checks N" how many ran.
"""
import os
import sys
import time

meminfo, kstat_path, parent_limit = sys.argv[1:4]
STEP = 12 << 20
TOL_KB = 1024


kept = os.open(meminfo, os.O_RDONLY)


def parse(text):
    return {l.split(':')[0]: int(l.split()[1]) for l in text.splitlines() if ':' in l}


def pv_open():
    with open(meminfo) as f:
        return parse(f.read())


def pv_reread():
    return parse(os.pread(kept, 65536, 0).decode())


def kstat():
    with open(kstat_path) as f:
        return {l.split()[0]: int(l.split()[1]) for l in f}


def compare(what, m, k):
    fails = []
    anon = m['Active(anon)'] + m['Inactive(anon)']
    kanon = (k['total_active_anon'] + k['total_inactive_anon']) // 1024
    if abs(anon - kanon) > TOL_KB:
        fails.append(f'{what}: Active+Inactive(anon) {anon} kB, kernel {kanon} kB')
    if abs(m['AnonPages'] - k['total_rss'] // 1024) > TOL_KB:
        fails.append(f"{what}: AnonPages {m['AnonPages']} kB, kernel {k['total_rss'] // 1024} kB")
    if m['MemTotal'] != k['hierarchical_memory_limit'] // 1024:
        fails.append(f"{what}: MemTotal {m['MemTotal']} kB, kernel's hierarchical limit "
                     f"{k['hierarchical_memory_limit'] // 1024} kB")
    for f in fails:
        print('FAIL', f)
    return not fails


for _ in range(40):
    pv_open()
    time.sleep(0.005)
for _ in range(40):
    pv_reread()
    time.sleep(0.005)
time.sleep(0.5)

held, checks = [], 0
for step in range(12):
    # Steps 0-7 open the file each time, 8-11 re-read the kept one.
    pv = pv_open if step < 8 else pv_reread
    b = bytearray(STEP)
    for i in range(0, STEP, 4096):
        b[i] = 1
    held.append(b)
    if step % 2:
        # The kernel's read flushes first (the epoch moves), so the updates
        # batched at procview's open are few: the epoch must send it back
        # to the file.
        kstat()
        what = f'step {step} ({pv.__name__}), after a flush'
    else:
        # Updates batched past the kernel's threshold: its read would flush,
        # so procview must read too.
        what = f'step {step} ({pv.__name__}), updates pending'
    m = pv()
    compare(what, m, kstat())
    checks += 1
    if step in (4, 10):
        # A new limit on the parent shows at once, also when the kept copy
        # is used (its hierarchical_memory_limit line is old): one read
        # keeps a copy at this epoch, the next one after the write uses it.
        limit = (200 if step == 4 else 250) << 20
        time.sleep(0.1)
        pv()
        with open(parent_limit, 'w') as f:
            f.write(str(limit))
        m = pv()
        compare(f'{pv.__name__} after the parent limit became {limit >> 20} MiB', m, kstat())
        checks += 1
print('checks', checks, flush=True)
