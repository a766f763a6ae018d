// SPDX-License-Identifier: GPL-2.0
/*
 * ext4_ioc: the two ext4 ioctls that move a file's blocks, for the shell
 * tests.  Prints the verdict ("done" or the error) and exits 0 either way
 * when the call was made; 1 when it could not be.
 *
 *   ext4_ioc swapboot FILE
 *	EXT4_IOC_SWAP_BOOT: swap FILE's blocks with the boot loader inode's.
 *   ext4_ioc moveext ORIG DONOR LEN
 *	EXT4_IOC_MOVE_EXT: move LEN bytes of DONOR's blocks into ORIG, both
 *	from offset 0 (online defragmentation, e4defrag).
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

struct move_extent {
	__u32 reserved;
	__u32 donor_fd;
	__u64 orig_start;
	__u64 donor_start;
	__u64 len;
	__u64 moved_len;
};

#define EXT4_IOC_MOVE_EXT	_IOWR('f', 15, struct move_extent)
#define EXT4_IOC_SWAP_BOOT	_IO('f', 17)

int main(int argc, char **argv)
{
	int ret;

	if (argc == 3 && !strcmp(argv[1], "swapboot")) {
		ret = ioctl(open_rw(argv[2]), EXT4_IOC_SWAP_BOOT);
	} else if (argc == 5 && !strcmp(argv[1], "moveext")) {
		struct move_extent me = {
			.donor_fd = open_rw(argv[3]),
			.len = strtoull(argv[4], NULL, 0) / 4096,
		};

		ret = ioctl(open_rw(argv[2]), EXT4_IOC_MOVE_EXT, &me);
		if (!ret && me.moved_len != me.len) {
			printf("%s: moved %llu of %llu blocks\n", argv[1],
			       (unsigned long long)me.moved_len,
			       (unsigned long long)me.len);
			return 0;
		}
	} else {
		fprintf(stderr, "usage: ext4_ioc swapboot FILE | moveext ORIG DONOR LEN\n");
		return 1;
	}
	printf("%s: %s\n", argv[1], ret ? strerror(errno) : "done");
	return 0;
}
