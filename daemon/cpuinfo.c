// SPDX-License-Identifier: GPL-2.0-only
#include "cpuinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Next line after @p (past its '\n'), or the terminating NUL. */
static const char *next_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl ? nl + 1 : p + strlen(p);
}

static int is_blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return 0;
	return 1;
}

/*
 * Key of the line [p, end): length with trailing blanks before ':' cut,
 * and where the value starts (@ret_val: after ':' and one blank). 0 when
 * the line has no ':'.
 */
static size_t line_key(const char *p, const char *end, const char **ret_val)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *k;

	if (!colon)
		return 0;
	for (k = colon; k > p && (k[-1] == ' ' || k[-1] == '\t'); k--)
		;
	if (ret_val) {
		const char *v = colon + 1;

		if (v < end && (*v == ' ' || *v == '\t'))
			v++;
		*ret_val = v;
	}
	return (size_t)(k - p);
}

static int key_is(const char *p, size_t klen, const char *key)
{
	return strlen(key) == klen && memcmp(p, key, klen) == 0;
}

/* "processor : N" -> N; -1 when the line is not one. */
static int processor_line(const char *p, const char *end)
{
	const char *v;
	size_t klen = line_key(p, end, &v);
	long x = 0;

	if (!key_is(p, klen, "processor") || v >= end || *v < '0' || *v > '9')
		return -1;
	for (; v < end && *v >= '0' && *v <= '9'; v++) {
		x = x * 10 + (*v - '0');
		if (x > 1000000)
			return -1;
	}
	while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
		v++;
	return v == end ? (int)x : -1;
}

int pv_parse_cpuinfo_blocks(const char *text, struct pv_cpuinfo_block *blocks,
			    int max, int *ret_n, size_t *ret_pre_len,
			    const char **ret_post)
{
	const char *p = text, *post = NULL, *first = NULL;
	int n = 0;

	while (*p) {
		const char *start, *q;
		int proc = -1;

		while (*p && is_blank(p, next_line(p)))
			p = next_line(p);
		if (!*p)
			break;
		start = p;
		for (q = start; *q && !is_blank(q, next_line(q)); q = next_line(q))
			if (proc < 0)
				proc = processor_line(q, next_line(q));
		if (proc >= 0) {
			if (n == max)
				return -E2BIG;
			blocks[n].text = start;
			blocks[n].len = (size_t)(q - start);
			blocks[n].processor = proc;
			if (!first)
				first = start;
			n++;
			post = NULL;
		} else if (first && !post) {
			post = start; /* a paragraph after the blocks: trailer */
		}
		p = q;
	}
	if (n == 0)
		return -ENOENT;
	*ret_n = n;
	if (ret_pre_len)
		*ret_pre_len = (size_t)(first - text);
	if (ret_post)
		*ret_post = post ? post : text + strlen(text);
	return 0;
}

/* Copy one block as vCPU @vcpu of @ncpu, rewriting the count-revealing lines. */
static void put_block(const struct pv_cpuinfo_block *b, int vcpu, int ncpu,
		      struct buf *out)
{
	const char *p = b->text, *end = b->text + b->len;

	while (p < end) {
		const char *eol = next_line(p), *val;
		size_t klen = line_key(p, eol, &val);
		long long num = -1;

		if (klen == 0)
			;
		else if (key_is(p, klen, "processor") || key_is(p, klen, "core id"))
			num = vcpu;
		else if (key_is(p, klen, "physical id"))
			num = 0;
		else if (key_is(p, klen, "siblings") || key_is(p, klen, "cpu cores"))
			num = ncpu;
		if (num >= 0) {
			buf_append(out, p, (size_t)(val - p));
			buf_printf(out, "%lld\n", num);
		} else {
			buf_append(out, p, (size_t)(eol - p));
			if (eol == p || eol[-1] != '\n')
				buf_puts(out, "\n");
		}
		p = eol;
	}
	buf_puts(out, "\n");
}

int render_cpuinfo(const struct cpuinfo_view *v, struct buf *out)
{
	struct pv_cpuinfo_block *blocks;
	const char *post;
	size_t pre_len;
	int n, err;

	if (!v->host_text)
		return -EINVAL;
	if (v->passthrough) {
		buf_puts(out, v->host_text);
		return buf_error(out);
	}
	if (!v->cpus || v->cpus->n < 1 || v->cpus->nphys < 0 || v->cpus->nphys > PV_MAX_CPUS)
		return -EINVAL;
	blocks = calloc(PV_MAX_CPUS, sizeof(*blocks));
	if (!blocks)
		return -ENOMEM;
	err = pv_parse_cpuinfo_blocks(v->host_text, blocks, PV_MAX_CPUS, &n, &pre_len, &post);
	if (err)
		goto out;
	buf_append(out, v->host_text, pre_len);
	for (int i = 0; i < v->cpus->n; i++) {
		const struct pv_cpuinfo_block *b = &blocks[i % n];

		if (v->cpus->nphys > 0) {
			int phys = v->cpus->phys[i % v->cpus->nphys];

			for (int j = 0; j < n; j++)
				if (blocks[j].processor == phys) {
					b = &blocks[j];
					break;
				}
		}
		put_block(b, i, v->cpus->n, out);
	}
	buf_puts(out, post);
	err = buf_error(out);
out:
	free(blocks);
	return err;
}
