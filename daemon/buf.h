/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Growable text buffer that renderers write into. Errors are sticky: after
 * the first allocation failure every append is a no-op and buf_error()
 * returns -ENOMEM, so a renderer can write many lines and check once.
 */
#ifndef PV_BUF_H
#define PV_BUF_H

#include <stddef.h>
#include <sys/types.h>

struct buf {
	char *data;   /* NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	int err;      /* 0 or -errno, sticky */
};

#define BUF_INIT { 0 }

void buf_reset(struct buf *b);      /* len = 0, err = 0, keeps memory */
void buf_free(struct buf *b);       /* NULL-safe, leaves an empty buffer */
int buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* @v in decimal, as "%llu" prints it, without vsnprintf's cost: renderers
   append every figure of a file with it. */
void buf_put_u64(struct buf *b, unsigned long long v);
static inline int buf_error(const struct buf *b) { return b->err; }

/*
 * Copy the part of [data, data+len) that a read of @size bytes at @off sees.
 * Returns the number of bytes copied into @dst (0 at or past the end).
 */
size_t buf_slice(const char *data, size_t len, off_t off, size_t size,
		 char *dst);

#endif
