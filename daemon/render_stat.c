// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/stat for a container: the host file's shape (same cpu column count,
 * same number of intr/softirq fields) with the container's own figures.
 * The `cpu` line is computed here as the column sums of the vCPU lines, so
 * it is their exact sum by construction. intr and softirq have no
 * per-container source: they keep the shape with zeros (honest fallback).
 */
#include <errno.h>

#include "cpustat.h"

static void render_zeros(struct buf *out, const char *name, int fields)
{
	buf_puts(out, name);
	for (int i = 0; i < fields; i++)
		buf_puts(out, " 0");
	buf_puts(out, "\n");
}

/* " v0 v1 ...\n": a cpu line's figures (buf_put_u64: no vsnprintf for
   the ~10 figures of every vCPU). */
static void put_row(struct buf *out, const __u64 *row, int ncols)
{
	for (int k = 0; k < ncols; k++) {
		buf_puts(out, " ");
		buf_put_u64(out, (unsigned long long)row[k]);
	}
	buf_puts(out, "\n");
}

int render_stat(const struct cpu_view *v, struct buf *out)
{
	__u64 sum[PV_NCOLS_MAX] = { 0 };
	int ncols = v->ncols;

	if (v->n < 1 || (v->n > 0 && !v->vcpu) || ncols < 4 || ncols > PV_NCOLS_MAX)
		return -EINVAL;
	for (int i = 0; i < v->n; i++)
		for (int k = 0; k < ncols; k++)
			sum[k] += v->vcpu[i][k];
	buf_puts(out, "cpu ");
	put_row(out, sum, ncols);
	for (int i = 0; i < v->n; i++) {
		buf_puts(out, "cpu");
		buf_put_u64(out, (unsigned long long)i);
		put_row(out, v->vcpu[i], ncols);
	}
	render_zeros(out, "intr", v->intr_fields > 0 ? v->intr_fields : 1);
	buf_printf(out, "ctxt %llu\n", (unsigned long long)v->ctxt);
	buf_printf(out, "btime %llu\n", (unsigned long long)v->btime);
	buf_printf(out, "processes %llu\n", (unsigned long long)v->processes);
	buf_printf(out, "procs_running %u\n", v->procs_running);
	buf_printf(out, "procs_blocked %u\n", v->procs_blocked);
	render_zeros(out, "softirq", v->softirq_fields > 0 ? v->softirq_fields : 1);
	return buf_error(out);
}
