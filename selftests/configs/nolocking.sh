#!/bin/bash
# Runs inside the VM on a kernel built with FILE_LOCKING=n
# (tools/build-configs.sh nolocking), not in 'make check'.  Without file
# locking there are no leases, hence no layout lease to pin FS-DAX under:
# F_SETLEASE fails with EINVAL, a pin of FS-DAX memory (gup_test or
# ibv_reg_mr()) with EPERM, as it does without a lease on the full kernel,
# and truncate frees blocks as upstream does.  Memory that is not FS-DAX
# still pins, and there is no /proc/<pid>/file_pins.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/../lib/fstests.sh"
REGMR=$(dirname "$PINHOLD")/regmr

ktap_plan 9
ktap_check no_lease_break_time [ ! -e /proc/sys/fs/lease-break-time ]
ktap_check no_file_pins [ ! -e /proc/self/file_pins ]
mkdir -p $EXT4
mkfs.ext4 -q -F -b 4096 /dev/pmem0 && mount -o dax /dev/pmem0 $EXT4
f=$EXT4/nolocking
xfs_io -f -c "pwrite -q -S 0x5a 0 1m" $f
ktap_check ext4_file_dax_on dax_on $f

v=$(pinhold_verdict layout $f "layout lease")
ktap_check "layout_lease_einval ($v)" [ "$v" = "Invalid argument" ]
v=$(pinhold_verdict layout $f "pin bytes")
ktap_check "dax_pin_eperm ($v)" [ "$v" = "Operation not permitted" ]

ip link add veth0 type veth peer name veth1 && ip link set veth0 up &&
ip link set veth1 up && rdma link add rxe0 type rxe netdev veth0
out=$($REGMR $f 65536)
ktap_check "dax_mr_eperm ($out)" grep -q "FAILED: .*(EPERM)" <<< "$out"
out=$($REGMR anon 65536)
ktap_check "anon_mr_ok ($out)" grep -q ": ok, lkey" <<< "$out"

# truncate_frees FILE: truncate to 0 leaves no block allocated.
truncate_frees() { truncate -s 0 "$1" && [ "$(stat -c %b "$1")" = 0 ]; }
ktap_check truncate_frees truncate_frees $f
ktap_check ext4_unmounted umount $EXT4
ktap_exit
