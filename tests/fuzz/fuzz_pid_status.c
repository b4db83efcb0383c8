// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/reader.c
/*
 * /proc/<pid>/status (pv_parse_pid_status, reader.c): read for every
 * reader's pid-namespace walk and, for the last NSpid field, by the
 * /proc/loadavg fallback for every task of a container. The Name: line is
 * chosen by any process (prctl PR_SET_NAME, up to 15 bytes with tabs,
 * colons, newlines escaped or not), so the text is partly untrusted.
 * Invariants: each field is -1 or in 0..INT_MAX, and a value found was
 * written in the text, after its key at the start of a line.
 */
#include <limits.h>

#include "fuzz_util.h"
#include "reader.h"

static void check(const char *text, const char *key, pid_t v)
{
	char num[16];
	const char *p;
	size_t klen = strlen(key);

	if (v == -1)
		return;
	fz_check(v >= 0 && v <= INT_MAX, "%s = %d", key, (int)v);
	/* The key starts a line, and that line holds the number. */
	for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, klen) == 0)
			break;
	fz_check(p != NULL, "%s = %d without a %s line", key, (int)v, key);
	snprintf(num, sizeof(num), "%d", (int)v);
	fz_check(memmem(p, strcspn(p, "\n"), num, strlen(num)) != NULL,
		 "%s = %d, not in its line", key, (int)v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_text(data, size);
	struct pv_pid_status st;

	memset(&st, 0x5a, sizeof(st));
	pv_parse_pid_status(text, &st);
	check(text, "Tgid:", st.tgid);
	check(text, "PPid:", st.ppid);
	check(text, "NSpid:", st.nspid_last);
	fz_check(st.nspid_n >= 0 && st.nspid_n <= PV_PIDNS_DEPTH_MAX, "nspid_n = %d", st.nspid_n);
	fz_check(st.nspid_n == 0 ? st.nspid_last == -1 : st.nspid_last == st.nspid[st.nspid_n - 1],
		 "nspid_last %d is not the last of %d numbers", (int)st.nspid_last, st.nspid_n);
	for (int i = 0; i < st.nspid_n; i++)
		check(text, "NSpid:", st.nspid[i]);
	free(text);
	return 0;
}
