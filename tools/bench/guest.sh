#!/bin/bash
# The guest half of 'make bench' (tools/bench/run.sh boots each kernel with
# this as its command).  Sets up pmem/ext4 -o dax and rxe0, runs the bench
# programs and leaves their output in $VMOUT/*.txt.
#
#   tools/bench/guest.sh        (environment: VMREPO, VMOUT, W1_ROUNDS, ...)
set -u
cd "$VMREPO"
B=$VMREPO/build/bench
: "${W1_ROUNDS:=31}" "${W1_MIB:=1024}" "${W1_PER_CALL:=512}"
: "${W2_REPS:=300}" "${W3_REPS:=1000}" "${W5_N:=10000}" "${WORKLOADS:=w1 w2 w3 w5}"

# shellcheck source=../../selftests/lib/env.sh
source selftests/lib/env.sh
env_setup > "$VMOUT/setup.log" 2>&1 || { echo "bench: environment setup failed" >&2; exit 1; }
{
	echo "I kernel $(uname -r) $(cut -d' ' -f4 /proc/version)"
	echo "I cpus $(nproc)"
	echo "I thp_enabled $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
	echo "I rxe0 $(cat /sys/class/infiniband/rxe0/ports/1/state 2>/dev/null)"
	echo "I ext4_dax $(grep ' /mnt/ext4 ' /proc/mounts)"
	echo "I pmem0_bytes $(cat /sys/block/pmem0/size 2>/dev/null | awk '{print $1*512}')"
	echo "I memtotal_kB $(awk '/MemTotal/ {print $2}' /proc/meminfo)"
} > "$VMOUT/env.txt"

rc=0
run() { # NAME CMD...: output to $VMOUT/NAME.txt, seconds in the log
	local name=$1 t0 r
	shift
	t0=$(date +%s.%N)
	"$@" > "$VMOUT/$name.txt" 2> "$VMOUT/$name.err"
	r=$?
	echo "I wall_s $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" >> "$VMOUT/$name.txt"
	echo "bench: $name: exit $r, $(tail -1 "$VMOUT/$name.txt" | cut -d' ' -f3) s"
	[ $r = 0 ] || { rc=1; sed 's/^/  /' "$VMOUT/$name.err"; }
}

# A fresh ext4 -o dax for each workload: big files then get 2 MiB-aligned
# extents (PMD mappings) whatever ran before.
fresh_ext4() {
	umount /mnt/ext4 && mkfs.ext4 -q -F -b 4096 /dev/pmem0 > /dev/null 2>&1 &&
		mount -o dax /dev/pmem0 /mnt/ext4 || { echo "bench: mkfs/mount failed" >&2; exit 1; }
}

for w in $WORKLOADS; do
	fresh_ext4
	case $w in
	w1) run w1 "$B/pinbench" /mnt/ext4/w1.dat "$W1_ROUNDS" "$W1_MIB" "$W1_PER_CALL" ;;
	w2) run w2 "$B/regbench" sizes /mnt/ext4/w2.dat "$W2_REPS" ;;
	w3) run w3 "$B/truncbench" /mnt/ext4 "$W3_REPS" /mnt/tmpfs ;;	# and workload 4
	w5) run w5 "$B/regbench" filepins /mnt/ext4/w5.dat "$W5_N" ;;
	*) echo "bench: unknown workload $w" >&2; rc=1 ;;
	esac
done
dmesg > "$VMOUT/dmesg.log"
exit $rc
