// SPDX-License-Identifier: GPL-2.0-only
#include "diskstats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cglimits.h"

#define MAX_COLS 32

static const struct pv_io_dev *find_dev(const struct diskstats_view *v,
					unsigned int major, unsigned int minor)
{
	for (int i = 0; i < v->ndevs; i++) {
		const struct pv_io_dev *d = &v->devs[i];

		if (d->major == major && d->minor == minor)
			return d->rbytes || d->wbytes || d->rios || d->wios ? d : NULL;
	}
	return NULL;
}

/*
 * One host line "MAJ MIN NAME c1 c2 ...": device numbers, name and the
 * number of value columns. -EINVAL when it does not look like that.
 */
static int parse_line(const char *line, size_t len, unsigned int *major,
		      unsigned int *minor, char *name, size_t name_cap, int *ncols)
{
	char tmp[1024], *save = NULL, *tok;
	int i = 0;

	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	for (tok = strtok_r(tmp, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), i++) {
		char *end;
		unsigned long x;

		if (i == 2) {
			if (strlen(tok) >= name_cap)
				return -EINVAL;
			strcpy(name, tok);
			continue;
		}
		errno = 0;
		x = strtoul(tok, &end, 10);
		if (*end || errno || tok[0] == '-')
			return -EINVAL;
		if (i == 0)
			*major = (unsigned int)x;
		else if (i == 1)
			*minor = (unsigned int)x;
	}
	if (i < 4 || i - 3 > MAX_COLS)
		return -EINVAL;
	*ncols = i - 3;
	return 0;
}

int render_diskstats(const struct diskstats_view *v, struct buf *out)
{
	const char *p = v->host_text, *end;

	if (!p)
		return -EINVAL;
	if (v->passthrough) {
		buf_puts(out, p);
		return buf_error(out);
	}
	for (; *p; p = *end ? end + 1 : end) {
		unsigned long long col[MAX_COLS] = { 0 };
		const struct pv_io_dev *d;
		unsigned int major = 0, minor = 0;
		char name[256];
		int ncols;

		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (parse_line(p, (size_t)(end - p), &major, &minor, name, sizeof(name), &ncols))
			continue;
		d = find_dev(v, major, minor);
		if (!d)
			continue;
		/* Columns 1-8 of Documentation/admin-guide/iostats.rst. */
		col[0] = d->rios;
		if (ncols > 2)
			col[2] = d->rbytes / 512;
		if (ncols > 4)
			col[4] = d->wios;
		if (ncols > 6)
			col[6] = d->wbytes / 512;
		buf_printf(out, "%4u %7u %s", major, minor, name);
		for (int i = 0; i < ncols; i++)
			buf_printf(out, " %llu", col[i]);
		buf_puts(out, "\n");
	}
	return buf_error(out);
}

static int collect_v1(const struct pv_cgroups *cg, const struct pv_container *c,
		      struct pv_io_dev *devs, int max, int *ret_n)
{
	size_t cap = 65536;
	char *bytes = malloc(cap), *ios = malloc(cap);
	ssize_t n;
	int err;

	if (!bytes || !ios) {
		err = -ENOMEM;
		goto out;
	}
	n = pv_cg_read(cg, c, PV_CTRL_IO, "blkio.throttle.io_service_bytes_recursive", bytes, cap);
	if (n == -ENOENT)
		n = pv_cg_read(cg, c, PV_CTRL_IO, "blkio.throttle.io_service_bytes", bytes, cap);
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	n = pv_cg_read(cg, c, PV_CTRL_IO, "blkio.throttle.io_serviced_recursive", ios, cap);
	if (n == -ENOENT)
		n = pv_cg_read(cg, c, PV_CTRL_IO, "blkio.throttle.io_serviced", ios, cap);
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	err = pv_parse_blkio_v1(bytes, ios, devs, max, ret_n);
out:
	free(bytes);
	free(ios);
	return err;
}

int pv_collect_io(const struct pv_cgroups *cg, const struct pv_container *c,
		  struct pv_io_dev *devs, int max, int *ret_n)
{
	int idx = cg->by_ctrl[PV_CTRL_IO];
	char *text;
	ssize_t n;
	int err;

	if (idx < 0 || idx >= cg->n)
		return -ENODEV;
	if (!cg->h[idx].v2)
		return collect_v1(cg, c, devs, max, ret_n);
	text = malloc(65536);
	if (!text)
		return -ENOMEM;
	n = pv_cg_read(cg, c, PV_CTRL_IO, "io.stat", text, 65536);
	err = n < 0 ? (int)n : pv_parse_io_stat(text, devs, max, ret_n);
	free(text);
	return err;
}
