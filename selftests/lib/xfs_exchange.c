// SPDX-License-Identifier: GPL-2.0
/*
 * xfs_exchange: XFS_IOC_EXCHANGE_RANGE for the shell tests (Debian 12's
 * xfs_io has no exchangerange command).  Exchanges the first LEN bytes of
 * FILE1 and FILE2.  Prints "exchange: done" or the error and exits 0 when
 * the call was made; 1 when it could not be.
 *
 *   xfs_exchange FILE1 FILE2 LEN
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <sys/ioctl.h>
#include "ioc_util.h"

struct xfs_exchange_range {
	__s32 file1_fd;
	__u32 pad;
	__u64 file1_offset;
	__u64 file2_offset;
	__u64 length;
	__u64 flags;
};

#define XFS_IOC_EXCHANGE_RANGE	_IOW('X', 129, struct xfs_exchange_range)

int main(int argc, char **argv)
{
	struct xfs_exchange_range xr = { 0 };
	int ret;

	if (argc != 4) {
		fprintf(stderr, "usage: xfs_exchange FILE1 FILE2 LEN\n");
		return 1;
	}
	xr.file1_fd = open_rw(argv[1]);
	xr.length = strtoull(argv[3], NULL, 0);
	ret = ioctl(open_rw(argv[2]), XFS_IOC_EXCHANGE_RANGE, &xr);
	printf("exchange: %s\n", ret ? strerror(errno) : "done");
	return 0;
}
