#!/bin/bash
# The story 'make demo' tells, run inside the VM (see tools/demo.sh).
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib/env.sh"
bin=$top/build/selftests/lib
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
pause() { sleep "${DEMO_PAUSE:-1}"; }

say "1. Persistent memory: two memmap= regions come up as fsdax namespaces"
(env_setup) > /tmp/setup.log 2>&1 || { cat /tmp/setup.log; exit 1; }
run ndctl list -N | grep -E '"dev"|"mode"|"blockdev"'
pause

say "2. ext4 on /dev/pmem0 and xfs on /dev/pmem1, mounted -o dax"
grep -E "^/dev/pmem" /proc/mounts
for d in $EXT4 $XFS; do
	echo hello > $d/check
	printf '%-10s statx attributes: %s  -> DAX %s\n' $d \
		"$(xfs_io -c 'statx -r' $d/check | sed -n 's/^stat.attributes = //p')" \
		"$(dax_on $d/check && echo on || echo OFF)"
	rm $d/check
done
pause

say "3. Soft-RoCE: rxe0 on a veth pair inside the VM (no NIC to the outside)"
run ibv_devices
echo "port state: $(cat /sys/class/infiniband/rxe0/ports/1/state), GID 0: $(cat /sys/class/infiniband/rxe0/ports/1/gids/0)"
pause

say "4. Registering memory with the NIC: ibv_reg_mr()"
run $bin/regmr anon
run $bin/regmr $TMPFS/buffer
echo "Over a file on a DAX file system, upstream Linux refuses every long-term"
echo "pin with EOPNOTSUPP (a truncate could free blocks the NIC still writes to)."
echo "With this series the answer is EPERM: the process holds no layout lease:"
run $bin/regmr $EXT4/buffer
run $bin/regmr $XFS/buffer
pause

say "5. A layout lease makes a long-term pin of DAX memory safe"
f=$XFS/data
xfs_io -f -c "pwrite -q -S 0x61 0 1M" $f
echo "Without a lease, vaddr_pin_pages() refuses (EPERM):"
run $bin/pinhold -l none $f 0 65536 true
echo
echo "With fcntl(F_SETLEASE, F_LAYOUT|F_EXCLUSIVE) the pin is taken, and while"
echo "it is held truncate and hole punch over it fail at once, with ETXTBSY:"
$bin/pinhold -l exclusive $f 0 65536 "
	echo '\$ cat /proc/locks'; grep LAYOUT /proc/locks
	echo '\$ truncate -s 4096 $f'; truncate -s 4096 $f
	echo '\$ fallocate --punch-hole -o 0 -l 4096 $f'; fallocate --punch-hole -o 0 -l 4096 $f
	echo '\$ truncate -s 512K $f   # above the pinned range'; truncate -s 512K $f && echo ok
	echo size now: \$(stat -c %s $f)
"
echo "The pin is gone; truncate now succeeds:"
run truncate -s 4096 $f && echo "ok, size $(stat -c %s $f)"
pause

say "6. A breakable lease: the holder is told (SIGIO) and can let go"
xfs_io -f -c "pwrite -q -S 0x61 0 1M" $f
$bin/pinhold -l layout -u $f 0 65536 "
	echo '\$ truncate -s 0 $f   # from another process'; truncate -s 0 $f && echo ok, size \$(stat -c %s $f)
"

say "7. RDMA into a DAX file: register under a lease, write from another process"
f=$EXT4/rdma-data
cmd="cat /proc/\$PPID/file_pins; echo '\$ truncate -s 0 $f'; truncate -s 0 $f"
command -v $top/build/tools/lsfilepins >/dev/null &&
	cmd="$cmd; echo '\$ lsfilepins $f   # who pins this file?'; $top/build/tools/lsfilepins $f"
$bin/rdmademo $f "Hello from RDMA, written straight into pmem" "
	echo '\$ cat /proc/<pid>/file_pins'; $cmd"
echo "With the MR gone, truncate works:"
run truncate -s 0 $f && echo "ok, size $(stat -c %s $f)"
echo
echo "Done."
