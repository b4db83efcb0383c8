// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/remount.c
/*
 * One /proc/<pid>/mountinfo line as restart repair reads it from every
 * container's mount namespace (pv_mnt_parse, remount.c): containers choose
 * their mount points, roots and sources (escapes like \040 included), so
 * the text is untrusted. Each line of the input is parsed from its own
 * exact-size copy. Invariants: on success every field points into the line
 * and ends inside it, and is no longer than the raw field it was decoded
 * from; on error @ret is untouched; pv_mnt_attr only ever returns the four
 * flags it knows.
 */
#include <linux/mount.h>

#include "fuzz_util.h"
#include "remount.h"

#define KNOWN_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

static void check_field(const char *name, const char *f, const char *line, size_t len)
{
	fz_check(f >= line && f <= line + len, "%s outside the line", name);
	fz_check(memchr(f, '\0', (size_t)(line + len - f) + 1) != NULL, "%s not terminated", name);
}

static void one_line(const uint8_t *data, size_t n)
{
	char *line = fz_text(data, n);
	size_t len = strlen(line);   /* an embedded NUL ends the text */
	struct pv_mnt m;
	unsigned char pattern[sizeof(m)];
	int r;

	memset(&m, 0x5a, sizeof(m));
	memcpy(pattern, &m, sizeof(m));
	r = pv_mnt_parse(line, &m);
	if (r == 0) {
		check_field("root", m.root, line, len);
		check_field("target", m.target, line, len);
		check_field("opts", m.opts, line, len);
		check_field("fstype", m.fstype, line, len);
		check_field("source", m.source, line, len);
		/* Fields are split in place, in order, and decoding only shrinks. */
		fz_check(m.root < m.target && m.target < m.opts && m.opts < m.fstype &&
			 m.fstype < m.source, "fields out of order");
		fz_check(strlen(m.root) < (size_t)(m.target - m.root), "root grew");
		fz_check(strlen(m.target) < (size_t)(m.opts - m.target), "target grew");
		fz_check((pv_mnt_attr(m.opts) & ~KNOWN_ATTRS) == 0, "unknown attr bits");
		(void)pv_mnt_is_procview(&m);
	} else {
		fz_check(r < 0, "r=%d", r);
		fz_check(memcmp(&m, pattern, sizeof(m)) == 0, "ret written on error %d", r);
	}
	fz_check((pv_mnt_attr(line) & ~KNOWN_ATTRS) == 0, "unknown attr bits (raw)");
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++)
		if (i == size || data[i] == '\n') {
			one_line(data + start, i - start);
			start = i + 1;
		}
	return 0;
}
