#!/bin/bash
# make bench: build both kernels (no-ops when up to date) and the bench
# programs, boot the project kernel and the stock kernel once each under
# QEMU, run the same workloads in both (tools/bench/guest.sh), and write
# build/bench/results.md, results.json and reg_mr.png.  Prints the table.
#
#   tools/bench/run.sh
#
# Knobs (environment): BENCH_W1_ROUNDS (31), BENCH_W2_REPS (300),
# BENCH_W3_REPS (1000), BENCH_W5_N (10000), BENCH_KERNELS ("project stock"),
# BENCH_WORKLOADS ("w1 w2 w3 w5"; w3 includes workload 4),
# BENCH_NOBUILD=1 (use the kernels as they are, for trying the scripts).
set -uo pipefail
# 1 GiB DAX files and 2 GiB of anonymous memory: a bigger guest than the
# tests', same for both kernels.
export VM_MEM=${VM_MEM:-6G} VM_PMEM=${VM_PMEM:-1536M!1G 384M!2560M}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
start=$(date +%s)
out=build/bench
kernels=${BENCH_KERNELS:-project stock}
params="W1_ROUNDS=${BENCH_W1_ROUNDS:-31} W2_REPS=${BENCH_W2_REPS:-300}"
params="$params W3_REPS=${BENCH_W3_REPS:-1000} W5_N=${BENCH_W5_N:-10000}"
params="$params WORKLOADS='${BENCH_WORKLOADS:-w1 w2 w3 w5}'"

builds="run (no-ops when up to date)"
if [ -n "${BENCH_NOBUILD:-}" ]; then
	builds="skipped (BENCH_NOBUILD)"
else
	for k in $kernels; do
		tools/build-kernel.sh "$k" || { echo "bench: building the $k kernel failed" >&2; exit 1; }
	done
fi

mkdir -p "$out"
CFLAGS="-O2 -g -Wall -Wno-sign-compare -I$top/selftests/lib"
for p in pinbench regbench truncbench; do
	gcc $CFLAGS -o "$out/$p" "tools/bench/$p.c" -libverbs || exit 1
done

rm -rf "$out/raw" "$out/results.md" "$out/results.json" "$out/reg_mr.png" "$out/reg_mr.dat"
vmfail=0
for k in $kernels; do
	img=build/bzImage; [ "$k" = stock ] && img=build/bzImage-stock
	[ -r "$img" ] || { echo "bench: no $img" >&2; exit 1; }
	# a private copy: another build may replace build/bzImage meanwhile
	cp "$img" "$out/bzImage-$k"
	vm=build/vm/bench-$k
	echo "bench: booting the $k kernel ($params)"
	t0=$(date +%s)
	tools/vm-run -q -o "$vm" -t 1800 -k "$out/bzImage-$k" -- "$params tools/bench/guest.sh"
	rc=$?
	echo "bench: $k VM: exit $rc after $(( $(date +%s) - t0 )) s (console: $vm/console.log)"
	mkdir -p "$out/raw/$k"
	cp "$vm"/*.txt "$vm"/*.log "$out/raw/$k/" 2>/dev/null
	echo "$rc" > "$out/raw/$k/vm.rc"
	tools/splat-scan "$vm/console.log" > /dev/null 2> "$out/raw/$k/splat.txt" || : > "$out/raw/$k/splat.txt"
	[ -s "$out/raw/$k/splat.txt" ] && sed -n 's/^/  /p' "$out/raw/$k/splat.txt"
	[ "$rc" = 0 ] || vmfail=1
done

BENCH_BUILDS=$builds BENCH_WALL_S=$(( $(date +%s) - start )) python3 tools/bench/report.py "$out/raw" "$out" > "$out/report.log" || {
	cat "$out/report.log"; echo "bench: report failed" >&2; exit 1; }
gnuplot -e "dat='$out/reg_mr.dat'; png='$out/reg_mr.png'" tools/bench/reg_mr.gp ||
	echo "bench: gnuplot failed" >&2
echo
sed -n '/^| # |/,/^$/p' "$out/results.md"
echo "bench: $out/results.md, results.json, reg_mr.png; $(( $(date +%s) - start )) s in all"
[ $vmfail = 0 ] || { echo "bench: a VM failed or showed a kernel splat (see above)" >&2; exit 1; }
