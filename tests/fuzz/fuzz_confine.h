/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keep a fuzzed parser away from the host's files. cgroup discovery opens
 * <mount point>/cgroup.controllers for every cgroup2 mountinfo line, and
 * the mount point is fuzzer input: it could name any file (a FIFO would
 * hang the run) and the result would depend on the host. A target that
 * includes this header and links with
 *     // fuzz-ldflags: -Wl,--wrap=openat -Wl,--wrap=openat64
 * gets every openat the daemon code makes, while fz_confine_on is set,
 * resolved with openat2(RESOLVE_IN_ROOT) inside an empty directory that no
 * longer exists: absolute paths and ".." stay inside it, and every open
 * fails with ENOENT, as on a host without cgroup2 files.
 */
#ifndef PV_FUZZ_CONFINE_H
#define PV_FUZZ_CONFINE_H

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fz_root = -1;
static int fz_confine_on;

int __real_openat(int dirfd, const char *path, int flags, ...);
int __real_openat64(int dirfd, const char *path, int flags, ...);

static int fz_open_confined(const char *path, int flags, mode_t mode)
{
	struct open_how how = { .flags = (unsigned int)flags, .resolve = RESOLVE_IN_ROOT };

	if (flags & (O_CREAT | O_TMPFILE))
		how.mode = mode;
	return (int)syscall(SYS_openat2, fz_root, path, &how, sizeof(how));
}

#define FZ_WRAP(name)                                                           \
	int __wrap_##name(int dirfd, const char *path, int flags, ...)          \
	{                                                                       \
		mode_t mode = 0;                                                \
		if (flags & (O_CREAT | O_TMPFILE)) {                            \
			va_list ap;                                             \
			va_start(ap, flags);                                    \
			mode = (mode_t)va_arg(ap, int);                         \
			va_end(ap);                                             \
		}                                                               \
		if (fz_confine_on)                                              \
			return fz_open_confined(path, flags, mode);             \
		return __real_##name(dirfd, path, flags, mode);                 \
	}
FZ_WRAP(openat)
FZ_WRAP(openat64)

/* Once, from LLVMFuzzerInitialize; aborts when confinement does not hold. */
static void fz_confine_init(void)
{
	char dir[] = "/tmp/pv-fuzz-root.XXXXXX";
	int fd;

	if (!mkdtemp(dir))
		abort();
	fz_root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fz_root < 0 || rmdir(dir))
		abort();
	/* The proof: a file every Linux host has is out of reach. */
	fz_confine_on = 1;
	fd = openat(AT_FDCWD, "/proc/self/status", O_RDONLY);
	if (fd >= 0 || errno != ENOENT) {
		fprintf(stderr, "fuzz_confine: /proc/self/status still opens (fd %d): not confined\n", fd);
		abort();
	}
	fd = openat(AT_FDCWD, "../../../../proc/self/status", O_RDONLY);
	if (fd >= 0) {
		fprintf(stderr, "fuzz_confine: ../ escapes the empty root\n");
		abort();
	}
	fz_confine_on = 0;
}

#endif
