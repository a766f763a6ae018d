#!/bin/bash
# Build the project kernel in configurations that 'make check' does not
# boot, to catch stubs, #ifdefs and missing exports that only those
# configurations see: vmlinux, and modules where the variant has them.  A
# variant with a test in selftests/configs/VARIANT.sh is also booted in
# the VM to run it.  Each variant is a cold build (6-10 min here): the
# changed autoconf.h misses ccache.
#   tools/build-configs.sh [VARIANT...]   (default: all of them)
# Variants, each over tools/kernel.config (configured and built by
# tools/build-kernel.sh cfg-VARIANT, in build/obj-cfg-VARIANT):
#   nolocking  FILE_LOCKING=n: no leases, so no file_pin.c; the stubs in
#              include/linux/file_pin.h and vaddr_pin.c's refusal of DAX
#              (booted: selftests/configs/nolocking.sh)
#   nodax      FS_DAX=n: no DAX file memory to pin
#   modules    ext2, ext4, xfs and RDMA (ib_core, ib_uverbs, rxe) as
#              modules, as distributions build them: modpost reports any
#              symbol they use that the core kernel does not export
#              (booted: selftests/configs/modules.sh loads them from
#              build/obj-cfg-modules/modroot)
#   nordma     INFINIBAND=n, GUP_TEST=n, PROC_FS=n: vaddr_pin_pages()
#              without users, no /proc/<pid>/file_pins
#   clang      the project's own config built with LLVM=1 (clang, lld), and
#              our new files once more with W=1; only warnings in our
#              files count (clang 14 warns in upstream headers)
set -euo pipefail
MAKE=${MAKE:-make}
top=$(cd "$(dirname "$0")/.." && pwd)

variant_config() {
	case $1 in
	nolocking) echo "# CONFIG_FILE_LOCKING is not set" ;;
	nodax)	   echo "# CONFIG_FS_DAX is not set" ;;
	modules)   printf '%s\n' CONFIG_MODULES=y CONFIG_MODULE_UNLOAD=y \
			CONFIG_EXT2_FS=m CONFIG_EXT4_FS=m CONFIG_XFS_FS=m \
			CONFIG_INFINIBAND=m CONFIG_INFINIBAND_USER_ACCESS=m \
			CONFIG_RDMA_RXE=m ;;
	nordma)	   printf '%s\n' "# CONFIG_INFINIBAND is not set" \
			"# CONFIG_GUP_TEST is not set" "# CONFIG_PROC_FS is not set" ;;
	clang)	   printf '%s\n' CONFIG_FILE_PIN_KUNIT_TEST=y \
			CONFIG_VADDR_PIN_KUNIT_TEST=y ;;
	*) echo "build-configs: unknown variant '$1'" >&2; return 2 ;;
	esac
}

variants=${*:-nolocking nodax modules nordma clang}
[[ " $variants " != *" clang "* ]] || "$top/tools/setup.sh" clang lld llvm || exit 1

fail=0
for v in $variants; do
	obj="$top/build/obj-cfg-$v"
	mkdir -p "$obj"
	variant_config "$v" > "$obj/variant.config"
	export KCC="ccache gcc" KMAKE_ARGS=
	[ "$v" = clang ] && export KCC="ccache clang" KMAKE_ARGS=LLVM=1
	kmake() { "$top/tools/build-kernel.sh" "cfg-$v" "$@"; }
	start=$(date +%s)
	targets=vmlinux
	grep -qx CONFIG_MODULES=y "$obj/variant.config" && targets="vmlinux modules"
	test="$top/selftests/configs/$v.sh"
	[ -f "$test" ] && targets="$targets bzImage"
	# Our new files must also be clean with W=1 (upstream's are not).
	w1=
	[ "$v" = clang ] &&
		w1="fs/file_pin.o fs/file_pin_test.o mm/vaddr_pin.o mm/vaddr_pin_test.o"
	# clang 14 warns in upstream headers (-Warray-bounds in signal.h):
	# there only warnings in our files fail the build.
	bad='warning:|error:|WARNING:'
	[ "$v" = clang ] &&
		bad='error:|WARNING:|(file_pin|vaddr_pin|umem_owner)[a-z_]*\.[ch]:[0-9]+:[0-9]+: warning:'
	if ! { kmake $targets && { [ -z "$w1" ] || kmake W=1 $w1; }; } \
		> "$obj/build.log" 2>&1 ||
	   grep -E "$bad" "$obj/build.log"; then
		tail -n 30 "$obj/build.log"
		echo "build-configs: $v: FAILED (log: ${obj#$top/}/build.log)"
		fail=1
		continue
	fi
	echo "build-configs: $v: built ($(( $(date +%s) - start )) s)"
	[ -f "$test" ] || continue
	if [[ $targets == *modules* ]]; then
		rm -rf "$obj/modroot"
		kmake modules_install INSTALL_MOD_PATH="$obj/modroot" >/dev/null
	fi
	$MAKE -s -C "$top" selftests
	out="$top/build/vm/cfg-$v"
	if "$top/tools/vm-run" -q -k "$obj/arch/x86/boot/bzImage" -t 1200 \
		-o "$out" -- bash "selftests/configs/$v.sh"; then
		echo "build-configs: $v: booted, selftests/configs/$v.sh passed"
	else
		grep -E '^(not )?ok ' "$out/console.log" || tail -n 30 "$out/console.log"
		echo "build-configs: $v: selftests/configs/$v.sh FAILED (${out#$top/}/console.log)"
		fail=1
	fi
done
exit $fail
