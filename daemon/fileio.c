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

static ssize_t pread_retry(int fd, void *dst, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, dst, n, off);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

ssize_t pv_read_whole_fd(int fd, char *dst, size_t cap)
{
	ssize_t n, m;
	char probe;

	if (cap < 2)
		return -EINVAL;
	n = pread_retry(fd, dst, cap - 1, 0);
	if (n >= 0 && (size_t)n == cap - 1) {
		/* Filled the buffer: one more byte says whether it all fit. */
		m = pread_retry(fd, &probe, 1, n);
		if (m < 0)
			n = m;
		else if (m > 0)
			n = -EFBIG;
	}
	dst[n < 0 ? 0 : n] = '\0';
	return n;
}

int pv_read_all_fd(int fd, struct buf *out)
{
	size_t start = out->len;
	ssize_t n;

	for (;;) {
		if (buf_reserve(out, 4096))
			return buf_error(out);
		n = pread_retry(fd, out->data + out->len, out->cap - out->len - 1,
				(off_t)(out->len - start));
		if (n <= 0)
			return (int)n;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
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
	n = pv_read_whole_fd(fd, dst, cap);
	close(fd);
	return n;
}

int pv_read_file_buf(int dirfd, const char *path, struct buf *out)
{
	int fd, err;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = pv_read_all_fd(fd, out);
	close(fd);
	return err;
}
