#!/bin/bash
# Runs inside the VM on the kernel of 'tools/build-configs.sh modules',
# not in 'make check': ext2, ext4, xfs and the RDMA stack (ib_core,
# ib_uverbs, rdma_rxe) are modules there, as distributions build them.
# Load them from the build tree's modules_install, then run the tests of
# RDMA registration over DAX and of the layout refusals on both file
# systems: the hooks and exports work from modules, not only built in.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
mods=$VMREPO/build/obj-cfg-modules/modroot
tests="rdma/dax_mr pin/layout_matrix"

# setup: the usual pmem, ext4/xfs -o dax and rxe0, as for 'make check'
# (not in a tested context, where env_setup's set -e would not apply).
setup() {
	local rc
	(env_setup) > /tmp/setup.log 2>&1
	rc=$?
	[ $rc = 0 ] || cat /tmp/setup.log
	return $rc
}
# selftest GROUP/NAME: one kselftest-harness binary; prints its totals
# and, if it failed, its failed cases.
selftest() {
	local log=/tmp/${1//\//_}.log rc
	"$VMREPO/build/selftests/$1" > "$log" 2>&1
	rc=$?
	grep '^# Totals' "$log"
	[ $rc = 0 ] || grep -E '^(not ok|#  FAIL)' "$log"
	return $rc
}

ktap_plan 9
ktap_check no_ext4_built_in [ ! -d /sys/fs/ext4 ]
# The kernel's own request_module() calls would run the guest's modprobe
# on /lib/modules, where these are not: load what they would ask for too
# (crc32_generic: rxe's ICRC).
for m in ext4 xfs ib_uverbs rdma_rxe crc32_generic; do
	ktap_check "modprobe_$m" modprobe -d "$mods" "$m"
done
setup
ktap_check env_setup [ $? = 0 ]
for t in $tests; do
	ktap_check "$t" selftest "$t"
done
ktap_exit
