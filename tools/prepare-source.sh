#!/bin/bash
# Unpack the base kernel, lay the project's new files over it and apply
# patches/series with quilt.  Idempotent: does nothing when neither the
# base nor the project's files changed since the last run.
#
#   tools/prepare-source.sh          -> build/src (project tree)
#   tools/prepare-source.sh --stock  -> build/base/<dir> only (stock tree)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/base.conf"
base="$top/build/base/$BASE_DIR"
src="$top/build/src"

die() { echo "prepare-source: ERROR: $*" >&2; exit 1; }

if [ ! -f "$base/.unpacked" ]; then
	[ -r "$BASE_TARBALL" ] || die "$BASE_TARBALL missing: run 'make setup' (installs $BASE_PKG)"
	echo "prepare-source: unpacking $BASE_TARBALL"
	rm -rf "$top/build/base" "$src"
	mkdir -p "$top/build/base"
	tar -C "$top/build/base" -xf "$BASE_TARBALL"
	touch "$base/.unpacked"
fi
ver=$(make -s -C "$base" kernelversion 2>/dev/null)
# Patches at --fuzz=0 and the README's figures are for this base only.
[ "$ver" = "$BASE_VERSION" ] ||
	die "base is ${ver:-unknown}, tools/base.conf wants $BASE_VERSION: run 'make setup' (installs $BASE_PKG $BASE_DEB_VERSION), then remove build/base"
[ "${1:-}" = --stock ] && exit 0

overlay=$(cd "$top" && for d in $OVERLAY_DIRS; do [ -d "$d" ] && find "$d" -type f ! -name "*.orig" ! -name "*.rej"; done | sort)
stamp=$( (cat "$top/tools/base.conf"; echo "$overlay"; cd "$top/patches" && cat series $(grep -v "^#" series || true)) | sha1sum | cut -d' ' -f1)
if [ -f "$src/.prepared" ] && [ "$(cat "$src/.prepared")" = "$stamp" ]; then
	exit 0
fi

echo "prepare-source: building $src from $BASE_DIR $ver + overlay + patches/series"
if [ ! -f "$src/.copied" ]; then
	rm -rf "$src"
	cp -a "$base" "$src"
	touch "$src/.copied"
else
	# Undo the previous run: restore the files it patched or overlaid.
	(cd "$src" && QUILTRC="$top/tools/quiltrc" quilt pop -a -q -f >/dev/null 2>&1) || true
	while read -r f; do
		rm -f "$src/$f"
		if [ -e "$base/$f" ]; then cp -a "$base/$f" "$src/$f" && touch "$src/$f"; fi
	done < <(cat "$src/.touched" 2>/dev/null)
fi
rm -rf "$src/.pc" "$src/patches" "$src/.touched" "$src/.prepared"

for f in $overlay; do
	[ -e "$base/$f" ] && die "$f exists upstream: change it through a patch in patches/, not by overlay"
	mkdir -p "$src/$(dirname "$f")"
	ln -sfn "$top/$f" "$src/$f"
done

ln -sfn "$top/patches" "$src/patches"
if grep -q '^[^#]' "$top/patches/series" && ! (cd "$src" && QUILTRC="$top/tools/quiltrc" quilt push -a -q --fuzz=0 >"$top/build/quilt.log" 2>&1); then
	cat "$top/build/quilt.log" >&2
	die "a patch in patches/series does not apply cleanly to $BASE_DIR $ver (see above)"
fi
grep -q '^[^#]' "$top/patches/series" && echo "prepare-source: applied $(cd "$src" && QUILTRC="$top/tools/quiltrc" quilt applied | wc -l) patches"
{ echo "$overlay"; cd "$src" && QUILTRC="$top/tools/quiltrc" quilt files -a 2>/dev/null || true; } | sort -u | grep . > "$src/.touched" || true
echo "$stamp" > "$src/.prepared"
