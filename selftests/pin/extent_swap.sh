#!/bin/bash
# XFS_IOC_SWAPEXT (xfs_fsr's defragmentation, xfs_io swapext) moves every
# block of both files.  Upstream 6.12 does it without breaking DAX layouts,
# so a pinned file's blocks would move to the donor and be freed with it
# while a device still writes to them.  Over a pinned range it must fail
# with ETXTBSY (exclusive lease) and leave both files and the pin as they
# were; without pins it swaps (positive control).  (A DAX file with a
# page-cache one is refused with EINVAL, as for reflink: that needs
# dax=inode, and pin/xfs_exchange runs it.)
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/../lib/fstests.sh"

ktap_plan 7
a=$XFS/swap_a b=$XFS/swap_b
rm -f $a $b
xfs_io -f -c "pwrite -q -S 0x5a 0 1m" -c fsync $a
xfs_io -f -c "pwrite -q -S 0xa5 0 1m" -c fsync $b
ktap_check files_dax_on dax_on $a

before=$(pins_held)
out=$(run_pinned $a "xfs_io -c 'swapext $b' $a 2>&1")
echo "$out" | sed 's/^/# /'
ktap_check swapext_over_pin_refused grep -q "Text file busy" <<< "$out"
ktap_check pin_still_listed grep -q "^held=1$" <<< "$out"
ktap_check both_files_unchanged \
	[ "$(fill_byte $a)$(fill_byte $b)" = 5aa5 ]
ktap_check nothing_held_after held_as_before "$before"

# No pin: the swap goes through.  xfs_swap_extents() wants the target to
# have no fewer extents than the donor, which depends on what earlier tests
# left of free space: swap in the direction it takes.  xfs_io exits 0 on a
# failed command, so its output is the verdict.
extents() { xfs_io -c fiemap "$1" | grep -E '^\s*[0-9]+:' | grep -vc hole; }
if [ "$(extents $a)" -ge "$(extents $b)" ]; then t=$a d=$b; else t=$b d=$a; fi
out=$(xfs_io -c "swapext $d" $t 2>&1)
ktap_check "swapext_without_pins ($out)" [ -z "$out" ]
ktap_check swapped [ "$(fill_byte $a)$(fill_byte $b)" = a55a ]

rm -f $a $b
ktap_exit
