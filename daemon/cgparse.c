// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pure parsers for cgroup file text. The kernel writes these files, but a
 * fixture, a future kernel or a truncated read may not look like what we
 * expect, so every parser checks every byte and reports -EINVAL instead of
 * guessing; outputs are written only once the whole input is accepted.
 */
#include "cgparse.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static const char *skip_space(const char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

/*
 * Decimal u64 at *sp; advances *sp past the digits. -EINVAL without a digit,
 * -ERANGE past 2^64-1 (strtoull would accept a sign and leading spaces,
 * which the kernel never writes, so we parse by hand).
 */
static int parse_dec_u64(const char **sp, __u64 *ret)
{
	const char *s = *sp;
	__u64 v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*sp = s;
	*ret = v;
	return 0;
}

/* The rest of the text is only whitespace. */
static int at_end(const char *s)
{
	return *skip_space(s) == '\0';
}

/* Ids the kernel can give a CPU stay well below this (NR_CPUS max 8192). */
#define PV_CPULIST_MAX_ID 8192

int pv_parse_cpulist(const char *text, int *cpus, int max, int *ret_n)
{
	unsigned char seen[PV_CPULIST_MAX_ID / 8];
	const char *s;
	int n = 0, top = -1, err;

	if (!text || !cpus || max < 0 || !ret_n)
		return -EINVAL;
	memset(seen, 0, sizeof(seen));
	s = skip_space(text);
	/* An empty list is valid: a v1 cpuset nobody configured yet. */
	while (*s && !is_space(*s)) {
		__u64 lo, hi;

		err = parse_dec_u64(&s, &lo);
		if (err)
			return err;
		hi = lo;
		if (*s == '-') {
			s++;
			err = parse_dec_u64(&s, &hi);
			if (err)
				return err;
			if (hi < lo)
				return -EINVAL;
		}
		if (hi >= PV_CPULIST_MAX_ID)
			return -ERANGE;
		if ((int)hi > top)
			top = (int)hi;
		for (__u64 id = lo; id <= hi; id++)
			seen[id / 8] |= (unsigned char)(1u << (id % 8));
		if (*s == ',') {
			s++;
			if (*s < '0' || *s > '9')
				return -EINVAL; /* "1," or "1,,2" */
		} else if (*s && !is_space(*s)) {
			return -EINVAL;
		}
	}
	if (!at_end(s))
		return -EINVAL;
	/* Only up to the highest id: this runs on every read of a CPU file. */
	for (int id = 0; id <= top; id++)
		if (seen[id / 8] & (1u << (id % 8)))
			n++;
	if (n > max)
		return -ERANGE;
	n = 0;
	for (int id = 0; id <= top; id++)
		if (seen[id / 8] & (1u << (id % 8)))
			cpus[n++] = id;
	*ret_n = n;
	return 0;
}

int pv_parse_u64_or_max(const char *text, __u64 *ret)
{
	const char *s;
	__u64 v;
	int err;

	if (!text || !ret)
		return -EINVAL;
	s = skip_space(text);
	if (strncmp(s, "max", 3) == 0) {
		s += 3;
		v = PV_UNLIMITED;
	} else if (s[0] == '-' && s[1] == '1' && (s[2] == '\0' || is_space(s[2]))) {
		s += 2;
		v = PV_UNLIMITED;
	} else {
		err = parse_dec_u64(&s, &v);
		if (err)
			return err;
	}
	if (!at_end(s))
		return -EINVAL;
	*ret = v;
	return 0;
}

/* A quota or period in µs must fit an s64 (the kernel stores them so). */
static int parse_period(const char **sp, __u64 *ret)
{
	__u64 v;
	int err = parse_dec_u64(sp, &v);

	if (err)
		return err;
	if (v == 0)
		return -EINVAL; /* a zero period would divide by zero later */
	if (v > INT64_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

int pv_parse_cpu_max(const char *text, __s64 *ret_quota_us, __u64 *ret_period_us)
{
	const char *s;
	__u64 q = 0, period;
	__s64 quota;
	int err;

	if (!text || !ret_quota_us || !ret_period_us)
		return -EINVAL;
	s = skip_space(text);
	if (strncmp(s, "max", 3) == 0 && (s[3] == ' ' || s[3] == '\t')) {
		s += 3;
		quota = -1;
	} else {
		err = parse_dec_u64(&s, &q);
		if (err)
			return err;
		if (q > INT64_MAX)
			return -ERANGE;
		if (*s != ' ' && *s != '\t')
			return -EINVAL;
		quota = (__s64)q;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	err = parse_period(&s, &period);
	if (err)
		return err;
	if (!at_end(s))
		return -EINVAL;
	*ret_quota_us = quota;
	*ret_period_us = period;
	return 0;
}

int pv_parse_cfs(const char *quota_text, const char *period_text,
		 __s64 *ret_quota_us, __u64 *ret_period_us)
{
	const char *s;
	__u64 q, period;
	__s64 quota;
	int err;

	if (!quota_text || !period_text || !ret_quota_us || !ret_period_us)
		return -EINVAL;
	s = skip_space(quota_text);
	if (*s == '-') {
		/* Only -1 means "no quota"; any other negative is garbage. */
		s++;
		err = parse_dec_u64(&s, &q);
		if (err)
			return err;
		if (q != 1)
			return -EINVAL;
		quota = -1;
	} else {
		err = parse_dec_u64(&s, &q);
		if (err)
			return err;
		if (q > INT64_MAX)
			return -ERANGE;
		quota = (__s64)q;
	}
	if (!at_end(s))
		return -EINVAL;
	s = skip_space(period_text);
	err = parse_period(&s, &period);
	if (err)
		return err;
	if (!at_end(s))
		return -EINVAL;
	*ret_quota_us = quota;
	*ret_period_us = period;
	return 0;
}

int pv_parse_keyed_u64(const char *text, const char *key, __u64 *ret)
{
	size_t klen;
	const char *line;

	if (!text || !key || !ret)
		return -EINVAL;
	klen = strlen(key);
	if (klen == 0)
		return -EINVAL;
	for (line = text; *line; ) {
		const char *eol = strchr(line, '\n');

		/* Exact key: "cache" must not match "cache_x" or "total_cache". */
		if (strncmp(line, key, klen) == 0 &&
		    (line[klen] == ' ' || line[klen] == '\t')) {
			const char *s = line + klen;
			__u64 v;
			int err;

			while (*s == ' ' || *s == '\t')
				s++;
			err = parse_dec_u64(&s, &v);
			if (err)
				return err;
			while (*s == ' ' || *s == '\t' || *s == '\r')
				s++;
			if (*s != '\n' && *s != '\0')
				return -EINVAL;
			*ret = v;
			return 0;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return -ENOENT;
}

/* "MAJ:MIN" at *sp. */
static int parse_devno(const char **sp, unsigned int *maj, unsigned int *min)
{
	const char *s = *sp;
	__u64 a, b;
	int err;

	err = parse_dec_u64(&s, &a);
	if (err)
		return err;
	if (*s++ != ':')
		return -EINVAL;
	err = parse_dec_u64(&s, &b);
	if (err)
		return err;
	if (a > UINT32_MAX || b > UINT32_MAX)
		return -ERANGE;
	*sp = s;
	*maj = (unsigned int)a;
	*min = (unsigned int)b;
	return 0;
}

/* Find or append the entry for a device; -ERANGE when @devs is full. */
static int dev_slot(struct pv_io_dev *devs, int max, int *n,
		    unsigned int maj, unsigned int min)
{
	for (int i = 0; i < *n; i++)
		if (devs[i].major == maj && devs[i].minor == min)
			return i;
	if (*n >= max)
		return -ERANGE;
	memset(&devs[*n], 0, sizeof(devs[*n]));
	devs[*n].major = maj;
	devs[*n].minor = min;
	return (*n)++;
}

int pv_parse_io_stat(const char *text, struct pv_io_dev *devs, int max, int *ret_n)
{
	struct pv_io_dev *tmp;
	const char *s;
	int n = 0, err = 0;

	if (!text || !devs || max < 0 || !ret_n)
		return -EINVAL;
	/* Build in a scratch table so @devs stays untouched on error. */
	/* Not zeroed: dev_slot clears each entry it hands out. */
	tmp = malloc((max > 0 ? (size_t)max : 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	s = text;
	for (;;) {
		unsigned int maj, min;
		int slot;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		err = parse_devno(&s, &maj, &min);
		if (err)
			goto out;
		if (*s && !is_space(*s)) {
			err = -EINVAL;
			goto out;
		}
		slot = dev_slot(tmp, max, &n, maj, min);
		if (slot < 0) {
			err = slot;
			goto out;
		}
		/* key=value pairs; unknown keys (dbytes, dios, cost.*) skipped. */
		while (*s && *s != '\n') {
			const char *k, *eq;
			__u64 v, *dst;

			while (*s == ' ' || *s == '\t')
				s++;
			if (!*s || *s == '\n')
				break;
			k = s;
			eq = s;
			while (*eq && *eq != '=' && !is_space(*eq))
				eq++;
			if (*eq != '=') {
				err = -EINVAL;
				goto out;
			}
			s = eq + 1;
#define KEY_IS(name) ((size_t)(eq - k) == strlen(name) && !strncmp(k, name, (size_t)(eq - k)))
			if (KEY_IS("rbytes"))
				dst = &tmp[slot].rbytes;
			else if (KEY_IS("wbytes"))
				dst = &tmp[slot].wbytes;
			else if (KEY_IS("rios"))
				dst = &tmp[slot].rios;
			else if (KEY_IS("wios"))
				dst = &tmp[slot].wios;
			else
				dst = NULL;
#undef KEY_IS
			if (!dst) {
				/* dbytes, dios, cost.vrate=100.00, ...: not served */
				while (*s && !is_space(*s))
					s++;
				continue;
			}
			err = parse_dec_u64(&s, &v);
			if (err)
				goto out;
			if (*s && !is_space(*s)) {
				err = -EINVAL;
				goto out;
			}
			*dst = v;
		}
	}
	memcpy(devs, tmp, (size_t)n * sizeof(*tmp));
	*ret_n = n;
out:
	free(tmp);
	return err;
}

/*
 * One v1 blkio.throttle file: "MAJ:MIN Op N" lines, a final "Total N".
 * @is_ios selects which pair of fields the values go to.
 */
static int parse_blkio_file(const char *text, int is_ios, struct pv_io_dev *devs,
			    int max, int *n)
{
	const char *s = text;

	for (;;) {
		unsigned int maj, min;
		const char *op;
		size_t oplen;
		__u64 v;
		int err, slot;

		while (is_space(*s))
			s++;
		if (!*s)
			return 0;
		if (strncmp(s, "Total", 5) == 0 && (s[5] == ' ' || s[5] == '\t')) {
			/* The file's grand total; per-device lines carry all. */
			s += 5;
			while (*s == ' ' || *s == '\t')
				s++;
			err = parse_dec_u64(&s, &v);
			if (err)
				return err;
			continue;
		}
		err = parse_devno(&s, &maj, &min);
		if (err)
			return err;
		if (*s != ' ' && *s != '\t')
			return -EINVAL;
		while (*s == ' ' || *s == '\t')
			s++;
		op = s;
		while (*s && !is_space(*s))
			s++;
		oplen = (size_t)(s - op);
		while (*s == ' ' || *s == '\t')
			s++;
		err = parse_dec_u64(&s, &v);
		if (err)
			return err;
		if (*s && !is_space(*s))
			return -EINVAL;
		slot = dev_slot(devs, max, n, maj, min);
		if (slot < 0)
			return slot;
		if (oplen == 4 && !strncmp(op, "Read", 4)) {
			if (is_ios)
				devs[slot].rios = v;
			else
				devs[slot].rbytes = v;
		} else if (oplen == 5 && !strncmp(op, "Write", 5)) {
			if (is_ios)
				devs[slot].wios = v;
			else
				devs[slot].wbytes = v;
		}
		/* Sync, Async, Discard, Total per device: not served. */
	}
}

int pv_parse_blkio_v1(const char *bytes_text, const char *ios_text,
		      struct pv_io_dev *devs, int max, int *ret_n)
{
	struct pv_io_dev *tmp;
	int n = 0, err;

	if (!devs || max < 0 || !ret_n)
		return -EINVAL;
	/* Not zeroed: dev_slot clears each entry it hands out. */
	tmp = malloc((max > 0 ? (size_t)max : 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	/* A NULL text is a file the caller could not read: no figures. */
	err = bytes_text ? parse_blkio_file(bytes_text, 0, tmp, max, &n) : 0;
	if (!err && ios_text)
		err = parse_blkio_file(ios_text, 1, tmp, max, &n);
	if (!err) {
		memcpy(devs, tmp, (size_t)n * sizeof(*tmp));
		*ret_n = n;
	}
	free(tmp);
	return err;
}
