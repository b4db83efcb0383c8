// SPDX-License-Identifier: GPL-2.0-only
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

ssize_t pv_read_file_at(int dirfd, const char *path, char *dst, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	if (cap < 2)
		return -EINVAL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, dst + len, cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap - 1) {
			char probe;

			n = read(fd, &probe, 1);
			if (n > 0)
				err = -EFBIG;
			else if (n < 0)
				err = -errno;
			break;
		}
	}
	close(fd);
	if (err) {
		dst[0] = '\0';
		return err;
	}
	dst[len] = '\0';
	return (ssize_t)len;
}

/*
 * read(2) (from the position, which a fresh fd has at 0; pipes such as
 * /dev/stdin work) or pread(2) at @off (a kept fd, read afresh).
 */
static ssize_t read_retry(int fd, void *dst, size_t n, off_t off, int positional)
{
	ssize_t r;

	do
		r = positional ? pread(fd, dst, n, off) : read(fd, dst, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static ssize_t read_whole(int fd, char *dst, size_t cap, int positional)
{
	ssize_t n, m;
	char probe;

	if (cap < 2)
		return -EINVAL;
	n = read_retry(fd, dst, cap - 1, 0, positional);
	if (n >= 0 && (size_t)n == cap - 1) {
		/* Filled the buffer: one more byte says whether it all fit. */
		m = read_retry(fd, &probe, 1, n, positional);
		if (m < 0)
			n = m;
		else if (m > 0)
			n = -EFBIG;
	}
	dst[n < 0 ? 0 : n] = '\0';
	return n;
}

static int read_all(int fd, struct buf *out, int positional)
{
	size_t start = out->len;
	ssize_t n;

	for (;;) {
		if (buf_reserve(out, 4096))
			return buf_error(out);
		n = read_retry(fd, out->data + out->len, out->cap - out->len - 1,
			       (off_t)(out->len - start), positional);
		if (n <= 0)
			return (int)n;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
}

ssize_t pv_read_whole_fd(int fd, char *dst, size_t cap)
{
	return read_whole(fd, dst, cap, 1);
}

int pv_read_all_fd(int fd, struct buf *out)
{
	return read_all(fd, out, 1);
}

ssize_t pv_read_whole_at(int dirfd, const char *path, char *dst, size_t cap)
{
	ssize_t n;
	int fd;

	if (cap < 2)
		return -EINVAL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		dst[0] = '\0';
		return -errno;
	}
	n = read_whole(fd, dst, cap, 0);
	close(fd);
	return n;
}

int pv_read_file_buf(int dirfd, const char *path, struct buf *out)
{
	int fd, err;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = read_all(fd, out, 0);
	close(fd);
	return err;
}
