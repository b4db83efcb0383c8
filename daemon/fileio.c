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

ssize_t pv_read_whole_at(int dirfd, const char *path, char *dst, size_t cap)
{
	ssize_t n;
	int fd, err = 0;

	if (cap < 2)
		return -EINVAL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, dst, cap - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = -errno;
	} else if ((size_t)n == cap - 1) {
		/* Filled the buffer: one more byte says whether it all fit. */
		char probe;
		ssize_t m;

		do
			m = read(fd, &probe, 1);
		while (m < 0 && errno == EINTR);
		if (m > 0)
			err = -EFBIG;
		else if (m < 0)
			err = -errno;
	}
	close(fd);
	if (err) {
		dst[0] = '\0';
		return err;
	}
	dst[n] = '\0';
	return n;
}

int pv_read_file_buf(int dirfd, const char *path, struct buf *out)
{
	ssize_t n;
	int fd, err = 0;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (buf_reserve(out, 4096)) {
			err = buf_error(out);
			break;
		}
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	close(fd);
	return err;
}
