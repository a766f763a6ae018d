/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the ioctl helpers of the shell tests (ext4_ioc, xfs_exchange). */
#ifndef IOC_UTIL_H
#define IOC_UTIL_H
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

/* Open @path read-write, or say why not and exit 1 (the call was not made). */
static inline int open_rw(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}
#endif
