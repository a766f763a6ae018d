#!/bin/bash
# Build a kernel.  FLAVOUR: project (default; build/bzImage), debug (the
# project with tools/kernel-debug.config: KASAN, lockdep, DEBUG_VM,
# kmemleak...; build/bzImage-debug) or stock (the unmodified base with the
# project's config; build/bzImage-stock).
#   tools/build-kernel.sh FLAVOUR TARGET...: make only the TARGETs (and what
#   they need) in that flavour's tree, e.g. C=2 fs/file_pin.o for sparse.
#   tools/build-kernel.sh FLAVOUR uapi: only the uapi headers the selftests
#   build against (build/uapi), without a kernel.
#   tools/build-kernel.sh cfg-NAME TARGET...: the project over
#   tools/kernel.config and the fragment build/obj-cfg-NAME/variant.config
#   alone, compiled by $KCC (default: ccache gcc) with $KMAKE_ARGS (e.g.
#   LLVM=1) on each make; for tools/build-configs.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/base.conf"
flavour=${1:-project}
shift || true
frags="$top/tools/kernel.config" checked=
case $flavour in
project) "$top/tools/prepare-source.sh"; src="$top/build/src"; out=bzImage
	 frags="$frags $top/tools/kernel-project.config" ;;
debug)   "$top/tools/prepare-source.sh"; src="$top/build/src"; out=bzImage-debug
	 frags="$frags $top/tools/kernel-project.config $top/tools/kernel-debug.config" ;;
stock)   "$top/tools/prepare-source.sh" --stock; src="$top/build/base/$BASE_DIR"; out=bzImage-stock ;;
cfg-?*)  [ $# -gt 0 ] || { echo "usage: $0 cfg-NAME TARGET..." >&2; exit 2; }
	 "$top/tools/prepare-source.sh"; src="$top/build/src"; out=
	 frags="$frags $top/build/obj-$flavour/variant.config"
	 # What the variant turns off also turns off options that need it.
	 checked="$top/build/obj-$flavour/variant.config" ;;
*) echo "usage: $0 [project|debug|stock|cfg-NAME]" >&2; exit 2 ;;
esac
obj="$top/build/obj-$flavour"
mkdir -p "$obj"

export CCACHE_DIR=${CCACHE_DIR:-/var/cache/rdma-fsdax/ccache}
export CCACHE_BASEDIR="$top"
export CCACHE_NOHASHDIR=true
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
export KBUILD_BUILD_TIMESTAMP="2025-01-01" KBUILD_BUILD_USER=rdma-fsdax KBUILD_BUILD_HOST=vm
mkdir -p "$CCACHE_DIR"
ccache -M 8G >/dev/null
# shellcheck disable=SC2086 # KMAKE_ARGS: words
kmake() { make -s -C "$src" O="$obj" CC="${KCC:-ccache gcc}" ${KMAKE_ARGS:-} -j"$(nproc)" "$@"; }

cfgstamp=$(cat $frags | sha1sum | cut -d' ' -f1)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.cfgstamp" 2>/dev/null)" != "$cfgstamp" ]; then
	echo "build-kernel: configuring $flavour (tinyconfig + $(for f in $frags; do basename "$f"; done | xargs))"
	kmake tinyconfig >/dev/null
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" .config $frags >/dev/null)
	kmake olddefconfig >/dev/null
	missing=0
	while IFS= read -r l; do
		case $l in
		CONFIG_*=*) grep -qx "$l" "$obj/.config" || { echo "build-kernel: config did not take: $l" >&2; missing=1; } ;;
		"# CONFIG_"*" is not set") o=${l#\# }; o=${o%% *}
			! grep -q "^$o=" "$obj/.config" || { echo "build-kernel: config did not take: $l" >&2; missing=1; } ;;
		esac
	done < <(cat ${checked:-$frags} | awk '	# the last setting of each option wins
		match($0, /^(# )?CONFIG_[A-Za-z0-9_]+/) {
			k = substr($0, RSTART, RLENGTH); sub(/^# /, "", k)
			if (!(k in v)) o[++n] = k
			v[k] = $0
		}
		END { for (i = 1; i <= n; i++) print v[o[i]] }')
	[ $missing = 0 ] || { echo "build-kernel: ERROR: fix the config fragment" >&2; exit 1; }
	echo "$cfgstamp" > "$obj/.cfgstamp"
fi
uapi() {	# the uapi headers for the selftests
	kmake headers
	mkdir -p "$top/build/uapi"
	rsync -a "$obj/usr/include/" "$top/build/uapi/"
}
if [ "$*" = uapi ] && [ "$flavour" != stock ]; then
	uapi
	exit
elif [ $# -gt 0 ]; then
	kmake "$@"
	exit
fi
echo "build-kernel: building $flavour kernel in ${obj#$top/} ($(nproc) jobs, ccache $CCACHE_DIR)"
start=$(date +%s)
kmake bzImage
cp "$obj/arch/x86/boot/bzImage" "$top/build/$out"
[ "$flavour" = stock ] || uapi
echo "build-kernel: build/$out ready ($(( $(date +%s) - start )) s)"
