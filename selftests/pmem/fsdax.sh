#!/bin/bash
# pmem comes up in fsdax mode; ext4 and xfs mount -o dax with DAX really on.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
ktap_plan 8
for n in 0 1; do
	mode=$(ndctl list -n namespace$n.0 | sed -n 's/.*"mode":"\([a-z]*\)".*/\1/p')
	ktap_check "namespace$n.0_is_fsdax" [ "$mode" = fsdax ]
done
ktap_check ext4_mounted_dax grep -q "^/dev/pmem0 $EXT4 ext4 .*dax" /proc/mounts
ktap_check xfs_mounted_dax grep -q "^/dev/pmem1 $XFS xfs .*dax" /proc/mounts
for d in $EXT4 $XFS; do
	f=$d/daxcheck.$$
	echo data > "$f"
	ktap_check "statx_dax_on_$(basename $d)" dax_on "$f"
	rm -f "$f"
done
f=$TMPFS/daxcheck.$$
echo data > "$f"
ktap_check statx_dax_off_tmpfs_control dax_off "$f"
rm -f "$f"
ktap_check rxe0_port_active grep -q ACTIVE /sys/class/infiniband/rxe0/ports/1/state
ktap_exit
