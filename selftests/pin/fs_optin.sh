#!/bin/bash
# Only file systems that call file_pin_break_range() before they free or
# move blocks (FS_LAYOUT_PINS: ext4, xfs) grant layout leases.  ext2 -o dax
# truncates without it, so a pin there would let a truncate free blocks a
# device still writes to: F_SETLEASE(F_LAYOUT) must fail with EOPNOTSUPP,
# which leaves vaddr_pin_pages() without a lease (EPERM), and nothing is
# held afterwards.  The test reformats /dev/pmem1 as ext2 and restores the
# usual xfs at the end.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/../lib/fstests.sh"

EXT2=/mnt/ext2
nope="Operation not supported"

ktap_plan 9
mkdir -p $EXT2
umount $XFS
if ! mkfs.ext2 -q -F -b 4096 /dev/pmem1 || ! mount -t ext2 -o dax /dev/pmem1 $EXT2; then
	ktap_not_ok ext2_dax_mounted
	mkfs.xfs -q -f -m reflink=0 $XFS_MKFS_OPTS /dev/pmem1 && mount -o dax /dev/pmem1 $XFS
	ktap_exit
fi
ktap_ok ext2_dax_mounted
f=$EXT2/optin
xfs_io -f -c "pwrite -q -S 0x5a 0 1m" $f
ktap_check ext2_file_dax_on dax_on $f

before=$(pins_held)
v=$(pinhold_verdict exclusive $f "exclusive lease")
ktap_check "ext2_exclusive_layout_lease_refused ($v)" [ "$v" = "$nope" ]
v=$(pinhold_verdict layout $f "layout lease")
ktap_check "ext2_layout_lease_refused ($v)" [ "$v" = "$nope" ]
v=$(pinhold_verdict layout $f "pin bytes")
ktap_check "ext2_pin_without_lease_refused ($v)" [ "$v" = "Operation not permitted" ]
ktap_check ext2_nothing_held held_as_before "$before"

# The same requests on ext4 -o dax succeed: the refusal is the file system's.
g=$EXT4/optin
xfs_io -f -c "pwrite -q -S 0x5a 0 1m" $g
v=$(pinhold_verdict exclusive $g "pin bytes")
ktap_check "ext4_pin_under_lease ($v)" [ "$v" = pinned ]
rm -f $f $g

# umount fails if a refused request kept a file reference.
ktap_check ext2_unmounted umount $EXT2
mkfs.xfs -q -f -m reflink=0 $XFS_MKFS_OPTS /dev/pmem1 && mount -o dax /dev/pmem1 $XFS
ktap_check xfs_back [ "$(stat -f -c %T $XFS)" = xfs ]
ktap_exit
