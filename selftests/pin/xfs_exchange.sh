#!/bin/bash
# XFS_IOC_EXCHANGE_RANGE (xfs exchange-range feature, 6.10 on) swaps the
# blocks of two files' ranges.  Two DAX files: without pins they exchange
# (positive control that the feature works here); over a pin it fails with
# ETXTBSY and changes nothing.  A DAX file with a page-cache one
# (dax=inode) is refused with EINVAL, as reflink and XFS_IOC_SWAPEXT refuse
# it: 6.12 breaks DAX layouts only when both files are DAX, so the pinned
# blocks of the DAX file moved to the other file.  Debian 12's mkfs.xfs
# cannot make an exchange-range file system, so the test sets the feature
# bit with xfs_db, mounts dax=inode, and puts the device back as it was.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/../lib/fstests.sh"

XFS_EXCH=$(dirname "$PINHOLD")/xfs_exchange
EXCHRANGE=0x40	# XFS_SB_FEAT_INCOMPAT_EXCHRANGE

bytes() { echo "$(fill_byte $a)$(fill_byte $b)$(fill_byte $p)"; }
incompat() {
	xfs_db -c 'sb 0' -c 'print features_incompat' /dev/pmem1 2> /dev/null |
		sed -n 's/^features_incompat = //p'
}
set_incompat() {
	xfs_db -x -c 'sb 0' -c "write -d features_incompat $(($1))" /dev/pmem1 \
		> /dev/null 2>&1 && [ $(($(incompat))) = $(($1)) ]
}

ktap_plan 12
umount $XFS
orig=$(incompat)
ktap_check exchange_range_feature_set set_incompat "$orig | $EXCHRANGE"
ktap_check xfs_mounted_dax_inode mount -o dax=inode /dev/pmem1 $XFS

mkdir $XFS/daxdir && xfs_io -c "chattr +x" $XFS/daxdir
a=$XFS/daxdir/a b=$XFS/daxdir/b p=$XFS/plain
xfs_io -f -c "pwrite -q -S 0x5a 0 1m" -c fsync $a
xfs_io -f -c "pwrite -q -S 0xa5 0 1m" -c fsync $b
xfs_io -f -c "pwrite -q -S 0x33 0 1m" -c fsync $p
ktap_check a_b_dax_plain_not eval "dax_on $a && dax_on $b && dax_off $p"

# No pin: two DAX files exchange, and exchanging again brings them back.
out=$($XFS_EXCH $a $b 1048576)
ktap_check "exchange_dax_files_without_pins ($out)" \
	[ "$out $(bytes)" = "exchange: done a55a33" ]
$XFS_EXCH $a $b 1048576 > /dev/null

before=$(pins_held)
out=$(run_pinned $a "$XFS_EXCH $a $b 1048576")
echo "$out" | sed 's/^/# /'
ktap_check exchange_over_pin_refused grep -q "^exchange: Text file busy$" <<< "$out"
ktap_check dax_files_unchanged [ "$(bytes)" = 5aa533 ]

out=$(run_pinned $a "$XFS_EXCH $a $p 1048576; xfs_io -c 'swapext $p' $a")
echo "$out" | sed 's/^/# /'
ktap_check exchange_dax_with_page_cache_refused \
	grep -q "^exchange: Invalid argument$" <<< "$out"
ktap_check swapext_dax_with_page_cache_refused \
	grep -q "Invalid argument" <<< "$(grep -v '^exchange:' <<< "$out")"
ktap_check pin_still_listed grep -q "^held=1$" <<< "$out"
ktap_check nothing_moved [ "$(bytes)" = 5aa533 ]
ktap_check nothing_held_after held_as_before "$before"

rm -rf $a $b $p $XFS/daxdir
umount $XFS && set_incompat "$orig"
ktap_check xfs_back_to_dax mount -o dax /dev/pmem1 $XFS
ktap_exit
