// SPDX-License-Identifier: GPL-2.0-only
#include "diskstats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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

/* The leading "MAJOR MINOR" of a diskstats line; -EINVAL when malformed
   (parse_line then says so). */
static int devno_of(const char *line, unsigned int *major, unsigned int *minor)
{
	unsigned long x[2];
	const char *s = line;

	for (int i = 0; i < 2; i++) {
		char *end;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		errno = 0;
		x[i] = strtoul(s, &end, 10);
		if (errno || x[i] > 0xffffffffUL || (*end != ' ' && *end != '\t'))
			return -EINVAL;
		s = end;
	}
	*major = (unsigned int)x[0];
	*minor = (unsigned int)x[1];
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
		/* Most host devices are not the container's: their device
		   number alone tells, before the whole line is parsed. */
		if (!devno_of(p, &major, &minor) && !find_dev(v, major, minor))
			continue;
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
		for (int i = 0; i < ncols; i++) {
			buf_puts(out, " ");
			buf_put_u64(out, col[i]);
		}
		buf_puts(out, "\n");
	}
	return buf_error(out);
}
