#!/bin/bash
# The two ext4 ioctls that move a file's blocks elsewhere.
# EXT4_IOC_SWAP_BOOT gives all of a file's blocks to the boot loader inode:
# over a pinned range it must fail with ETXTBSY (exclusive lease) and leave
# the file and the pin as they were; without pins it swaps, and swapping
# again brings the data back (positive control).  EXT4_IOC_MOVE_EXT (online
# defragmentation) refuses DAX files, the donor as well as the original:
# that needs a DAX file next to a page-cache one, so ext4 is remounted with
# dax=inode for it and then -o dax again.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/../lib/fstests.sh"

EXT4_IOC=$(dirname "$PINHOLD")/ext4_ioc

ktap_plan 11
f=$EXT4/swapboot
rm -f $f
xfs_io -f -c "pwrite -q -S 0x5a 0 1m" -c fsync $f
sum=$(_md5 $f)
ktap_check file_dax_on dax_on $f

before=$(pins_held)
out=$(run_pinned $f "$EXT4_IOC swapboot $f")
echo "$out" | sed 's/^/# /'
ktap_check swap_boot_over_pin_refused grep -q "^swapboot: Text file busy$" <<< "$out"
ktap_check pin_still_listed grep -q "^held=1$" <<< "$out"
ktap_check file_unchanged [ "$(_size $f) $(_md5 $f)" = "1048576 $sum" ]
ktap_check nothing_held_after held_as_before "$before"

# No pin: the blocks go to the boot loader inode (which had none), and a
# second swap brings them back.
out=$($EXT4_IOC swapboot $f)
ktap_check "swap_boot_without_pins ($out, size $(_size $f))" \
	[ "$out $(_size $f)" = "swapboot: done 0" ]
$EXT4_IOC swapboot $f > /dev/null
ktap_check swapped_back [ "$(_size $f) $(_md5 $f)" = "1048576 $sum" ]
rm -f $f

# EXT4_IOC_MOVE_EXT with a DAX donor (dax=inode: a directory with the DAX
# flag gives its new files DAX).
remount() { umount $EXT4 && mount -o "$1" /dev/pmem0 $EXT4; }
if remount dax=inode; then
	mkdir $EXT4/daxdir && xfs_io -c "chattr +x" $EXT4/daxdir
	orig=$EXT4/orig donor=$EXT4/daxdir/donor plain=$EXT4/plain
	for x in $orig $donor $plain; do
		xfs_io -f -c "pwrite -q -S 0x33 0 64k" -c fsync $x
	done
	ktap_check "donor_dax_on_orig_dax_off" eval "dax_on $donor && dax_off $orig"
	out=$($EXT4_IOC moveext $orig $donor 65536)
	ktap_check "move_ext_from_dax_donor_refused ($out)" \
		[ "$out" = "moveext: Operation not supported" ]
	out=$($EXT4_IOC moveext $orig $plain 65536)
	ktap_check "move_ext_between_page_cache_files ($out)" [ "$out" = "moveext: done" ]
	rm -rf $orig $plain $EXT4/daxdir
else
	ktap_not_ok ext4_remounted_dax_inode
fi
ktap_check ext4_back_to_dax remount dax
ktap_exit
