// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

/* A datagram socket bound to @addr in $NOTIFY_SOCKET syntax. */
static int bind_listener(const char *addr)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(addr);
	socklen_t sl;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sun.sun_path, addr, len);
	if (addr[0] == '@') {
		sun.sun_path[0] = '\0';
		sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	} else {
		sl = (socklen_t)sizeof(sun);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sl), 0);
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char got[256];
	ssize_t n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void sdnotify__path_socket__receives_state(void **state)
{
	char path[] = "/tmp/pv-sdnotify-XXXXXX";
	char sock[64];
	int fd;

	assert_non_null(mkdtemp(path));
	snprintf(sock, sizeof(sock), "%s/notify", path);
	fd = bind_listener(sock);
	assert_int_equal(setenv("NOTIFY_SOCKET", sock, 1), 0);
	assert_int_equal(pv_sd_notify("READY=1"), 1);
	expect_datagram(fd, "READY=1");
	assert_int_equal(pv_sd_notify("STATUS=serving /x\nREADY=1"), 1);
	expect_datagram(fd, "STATUS=serving /x\nREADY=1");
	close(fd);
	unlink(sock);
	rmdir(path);
	unsetenv("NOTIFY_SOCKET");
}

static void sdnotify__abstract_socket__exact_name_length(void **state)
{
	char name[64];
	int fd, other;

	snprintf(name, sizeof(name), "@pv-sdnotify-%d", (int)getpid());
	fd = bind_listener(name);
	/* A name that is a prefix of ours must be a different socket: the
	   abstract address length is exact, not padded with NULs. */
	char longer[80];
	snprintf(longer, sizeof(longer), "%s-x", name);
	other = bind_listener(longer);
	assert_int_equal(pv_sd_notify_to(name, "READY=1"), 1);
	expect_datagram(fd, "READY=1");
	assert_int_equal(recv(other, name, 1, MSG_DONTWAIT), -1);
	close(other);
	close(fd);
}

static void sdnotify__unset__is_a_no_op(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(pv_sd_notify("READY=1"), 0);
	assert_int_equal(pv_sd_notify_to("", "READY=1"), 0);
}

static void sdnotify__bad_addresses__fail_with_errno(void **state)
{
	assert_int_equal(pv_sd_notify_to("vsock:2:1234", "READY=1"), -EAFNOSUPPORT);
	assert_int_equal(pv_sd_notify_to("@", "READY=1"), -EINVAL);
	/* Nobody listens there. */
	assert_int_equal(pv_sd_notify_to("/nonexistent/pv/notify", "READY=1"), -ENOENT);
	char longpath[200];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(pv_sd_notify_to(longpath, "READY=1"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sdnotify__path_socket__receives_state),
		cmocka_unit_test(sdnotify__abstract_socket__exact_name_length),
		cmocka_unit_test(sdnotify__unset__is_a_no_op),
		cmocka_unit_test(sdnotify__bad_addresses__fail_with_errno),
	};
	return cmocka_run_group_tests_name("sdnotify", tests, NULL, NULL);
}
