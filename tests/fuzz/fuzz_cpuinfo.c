// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/cpuinfo.c
/*
 * /proc/cpuinfo: the host text (x86, arm64, s390-style headers, arm32
 * trailers) split into CPU blocks, then rendered for a container of
 * 1..8 vCPUs over a cpuset chosen by the first byte. Invariants: blocks lie
 * inside the text and in order, n <= max, outputs untouched on error; the
 * rendering is one NUL-terminated text of the length the buffer says.
 */
#include "cpuinfo.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned sel = size ? data[0] : 0;
	char *text = fz_text(size ? data + 1 : data, size ? size - 1 : 0);
	size_t tlen = strlen(text);
	int max = 1 + sel % 8;
	struct pv_cpuinfo_block *blocks = malloc(sizeof(*blocks) * (size_t)max);
	struct pv_cpus *cpus = calloc(1, sizeof(*cpus));
	struct cpuinfo_view v = { .host_text = text, .cpus = cpus };
	struct buf out = BUF_INIT;
	size_t pre = (size_t)-1;
	const char *post = NULL;
	int n = -5, r;

	if (!blocks || !cpus)
		abort();
	r = pv_parse_cpuinfo_blocks(text, blocks, max, &n, &pre, &post);
	if (r == 0) {
		fz_check(n >= 1 && n <= max, "n=%d max=%d", n, max);
		fz_check(pre <= tlen, "pre=%zu len=%zu", pre, tlen);
		for (int i = 0; i < n; i++) {
			fz_check(blocks[i].text >= text && blocks[i].text + blocks[i].len <= text + tlen,
				 "block %d outside the text", i);
			if (i)
				fz_check(blocks[i].text >= blocks[i - 1].text + blocks[i - 1].len,
					 "block %d overlaps %d", i, i - 1);
		}
		if (post)
			fz_check(post >= text && post <= text + tlen, "post outside the text");
	} else
		fz_check(r < 0 && n == -5, "r=%d n=%d", r, n);

	/* Container: N vCPUs over a cpuset of nphys CPUs (ids may be sparse). */
	cpus->nphys = 1 + (sel >> 3) % 4;
	for (int i = 0; i < cpus->nphys; i++)
		cpus->phys[i] = i * (1 + (int)(sel >> 5)); /* 0,1,2.. or 0,2,4.. */
	cpus->n = 1 + (int)(sel % 8) % (cpus->nphys + 1);
	r = render_cpuinfo(&v, &out);
	fz_check(r <= 0, "r=%d", r);
	if (r == 0 && out.len)
		fz_check(strlen(out.data) == out.len, "len %zu, strlen %zu", out.len, strlen(out.data));
	buf_free(&out);
	free(cpus);
	free(blocks);
	free(text);
	return 0;
}
