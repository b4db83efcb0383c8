# SPDX-License-Identifier: GPL-2.0-only
"""Run inside a container's memory cgroup by test_memstat_kept.sh.

argv: MEMINFO (procview's) KERNEL_STAT (the cgroup's own memory.stat)
      PARENT_LIMIT (memory.limit_in_bytes of the parent cgroup)

Prints "idle done" after 40 quiet reads (the test counts the kept copies
used), then checks each procview reading against the kernel's memory.stat
read right after it: the anonymous memory (16 MiB more every step, so a
stale copy is off by that much) and the limit (changed on the parent
mid-way). "FAIL ..." lines say what differed; "checks N" how many ran.
"""
import sys
import time

meminfo, kstat_path, parent_limit = sys.argv[1:4]
STEP = 16 << 20
TOL_KB = 1024


def pv():
    with open(meminfo) as f:
        return {l.split(':')[0]: int(l.split()[1]) for l in f if ':' in l}


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
    pv()
    time.sleep(0.005)
print('idle done', flush=True)
time.sleep(0.5)

held, checks = [], 0
for step in range(8):
    b = bytearray(STEP)
    for i in range(0, STEP, 4096):
        b[i] = 1
    held.append(b)
    if step % 2:
        # The kernel's read flushes first (the epoch moves), so the updates
        # batched at procview's open are few: the epoch must send it back
        # to the file.
        kstat()
        what = f'step {step}, after a flush'
    else:
        # Updates batched past the kernel's threshold: its read would flush,
        # so procview must read too.
        what = f'step {step}, updates pending'
    m = pv()
    compare(what, m, kstat())
    checks += 1
    if step == 4:
        # A tighter limit on the parent shows at once, also when the kept
        # copy is used (its hierarchical_memory_limit line is old): one
        # read keeps a copy at this epoch, the next one after the write
        # uses it.
        time.sleep(0.1)
        pv()
        with open(parent_limit, 'w') as f:
            f.write(str(200 << 20))
        m = pv()
        compare('after the parent limit changed', m, kstat())
        checks += 1
print('checks', checks, flush=True)
