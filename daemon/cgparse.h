/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pure parsers for cgroup file text (v1 and v2). Input is NUL-terminated
 * text as read from the file; nothing here touches the filesystem, so the
 * fuzz targets and unit tests drive them directly. Every parser returns 0
 * or -errno (-EINVAL malformed, -ERANGE overflow, -ENOENT key absent) and
 * writes its ret_* outputs only on success.
 */
#ifndef PV_CGPARSE_H
#define PV_CGPARSE_H

#include <linux/types.h>

#define PV_UNLIMITED ((__u64)-1)

/* "0-3,8,10-11\n" -> ascending unique ids in @cpus (at most @max). */
int pv_parse_cpulist(const char *text, int *cpus, int max, int *ret_n);

/* One number; "max" (v2) and "-1" (v1) give PV_UNLIMITED. */
int pv_parse_u64_or_max(const char *text, __u64 *ret);

/* v2 cpu.max "QUOTA PERIOD" (QUOTA may be "max" -> -1). */
int pv_parse_cpu_max(const char *text, __s64 *ret_quota_us, __u64 *ret_period_us);

/* v1 cpu.cfs_quota_us (-1 = none) and cpu.cfs_period_us contents. */
int pv_parse_cfs(const char *quota_text, const char *period_text,
		 __s64 *ret_quota_us, __u64 *ret_period_us);

/* Flat keyed files ("key value" lines: memory.stat, cpu.stat, ...). */
int pv_parse_keyed_u64(const char *text, const char *key, __u64 *ret);

struct pv_io_dev {
	__u64 rbytes, wbytes, rios, wios;
	unsigned int major, minor;
};
#define PV_MAX_IO_DEVS 256

/* v2 io.stat: "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. ..." lines. */
int pv_parse_io_stat(const char *text, struct pv_io_dev *devs, int max, int *ret_n);

/*
 * v1 blkio.throttle.io_service_bytes + blkio.throttle.io_serviced
 * ("MAJ:MIN Read N" lines, "Total" lines ignored), merged per device.
 */
int pv_parse_blkio_v1(const char *bytes_text, const char *ios_text,
		      struct pv_io_dev *devs, int max, int *ret_n);

#endif
