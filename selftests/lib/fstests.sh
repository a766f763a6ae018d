# shellcheck shell=bash
# Shared by the fstests-style scripts: paths and filters that keep the
# golden output free of run-specific values.
PINHOLD=${VMREPO:-$(cd "$(dirname "$0")/../.." && pwd)}/build/selftests/lib/pinhold
_size() { stat -c %s "$1"; }
_md5() { md5sum < "$1" | cut -c1-8; }
# _make_file FILE PAGES: a file of PAGES 4 KiB pages of non-zero data
_make_file() { xfs_io -f -c "pwrite -q -S 0x5a 0 $(($2 * 4096))" -c fsync "$1"; }
_filter() { sed -e "s|$SCRATCH|SCRATCH|g"; }
# vm NAME: a /proc/vmstat counter, after folding the per-cpu deltas.
vm() {
	echo 1 > /proc/sys/vm/stat_refresh
	sed -n "s/^$1 //p" /proc/vmstat
}
# held NAME: NAME_acquired - NAME_released (pages or records held)
held() { echo $(( $(vm "${1}_acquired") - $(vm "${1}_released") )); }
