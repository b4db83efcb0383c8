// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

int pv_sd_notify_to(const char *addr, const char *state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t alen, slen;
	socklen_t socklen;
	ssize_t n;
	int fd, err;

	if (!addr || !*addr)
		return 0;
	if (!state)
		return -EINVAL;
	if (addr[0] != '/' && addr[0] != '@')
		return -EAFNOSUPPORT;
	alen = strlen(addr);
	if (alen < 2 || alen > sizeof(sun.sun_path))
		return -EINVAL;
	memcpy(sun.sun_path, addr, alen);
	/*
	 * Abstract names start with a NUL byte and their length is exact (no
	 * terminating NUL counted); a path gets its NUL when it fits.
	 */
	if (addr[0] == '@') {
		sun.sun_path[0] = '\0';
		socklen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + alen);
	} else {
		socklen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + alen +
				      (alen < sizeof(sun.sun_path)));
	}

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	slen = strlen(state);
	n = sendto(fd, state, slen, MSG_NOSIGNAL, (struct sockaddr *)&sun, socklen);
	err = n < 0 ? -errno : ((size_t)n != slen ? -EMSGSIZE : 1);
	close(fd);
	return err;
}

int pv_sd_notify(const char *state)
{
	return pv_sd_notify_to(getenv("NOTIFY_SOCKET"), state);
}
