# shellcheck shell=bash
# The test VM's environment: fsdax pmem with ext4 and xfs mounted -o dax,
# a tmpfs control, and Soft-RoCE (rxe0) on a veth pair.  Sourced by
# selftests/run.sh and tools/demo-guest.sh.

EXT4=/mnt/ext4 XFS=/mnt/xfs TMPFS=/mnt/tmpfs
# xfs allocates data 2 MiB-aligned on the device (a 2 MiB stripe unit; with
# 4 AGs one still holds the minimum log), so DAX can map it with PMDs
# (pin/pmd_pin).  ext4 needs no option for that.
XFS_MKFS_OPTS="-d su=2m,sw=1,agcount=4"

env_setup() {
	set -e
	echo 3 > /proc/sys/fs/lease-break-time
	echo 1 > /proc/sys/fs/leases-enable
	mkdir -p $EXT4 $XFS $TMPFS
	mkfs.ext4 -q -F -b 4096 /dev/pmem0
	mount -o dax /dev/pmem0 $EXT4
	mkfs.xfs -q -f -m reflink=0 $XFS_MKFS_OPTS /dev/pmem1
	mount -o dax /dev/pmem1 $XFS
	mount -t tmpfs tmpfs $TMPFS
	ip link add veth0 type veth peer name veth1
	ip link set veth0 up
	ip link set veth1 up
	rxe_add
	set +e
}

# rxe_add: add rxe0 on veth0 and wait (up to 20 s) for its port to be
# ACTIVE with its link-local GID at index 0.
rxe_add() {
	rdma link add rxe0 type rxe netdev veth0 || return
	local i
	for i in $(seq 100); do
		grep -q ACTIVE /sys/class/infiniband/rxe0/ports/1/state 2>/dev/null &&
		[ "$(cat /sys/class/infiniband/rxe0/ports/1/gids/0)" != \
		  0000:0000:0000:0000:0000:0000:0000:0000 ] && return 0
		sleep 0.2
	done
	return 1
}

# dax_on PATH / dax_off PATH: is DAX really on (off) for this file (statx
# attribute 0x200000)?  Both fail (dax_on: 2) when it cannot be read.
dax_on() {
	local a
	a=$(xfs_io -c 'statx -r' "$1" | sed -n 's/^stat.attributes = //p')
	[ -n "$a" ] || return 2
	return $(( a & 0x200000 ? 0 : 1 ))
}
dax_off() { dax_on "$1"; [ $? = 1 ]; }
