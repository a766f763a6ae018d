#!/bin/bash
# Checks that run on the host, as KTAP: checkpatch --strict on the
# project's kernel files and patches, and the Coccinelle rule that pages
# from vaddr_pin_pages() are released only by vaddr_unpin_pages().
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. selftests/lib/ktap.sh
src=build/src
cp=$src/scripts/checkpatch.pl
cocci=scripts/coccinelle/api/vaddr_unpin.cocci
files=$(git ls-files 'mm/*.[ch]' 'fs/*.[ch]' 'drivers/*.[ch]' 'include/*.h')
patched=$(cd $src && QUILTRC=$top/tools/quiltrc quilt files -a 2>/dev/null | grep '\.c$')
ktap_plan 4
bad=0
for f in $files; do
	perl $cp --no-tree --strict --terse -f "$f" | grep . && bad=1
done
ktap_check checkpatch_strict_files [ $bad = 0 ]
bad=0
for p in patches/*.patch; do
	perl $cp --no-tree --strict --terse "$top/$p" | grep . && bad=1
done
ktap_check checkpatch_strict_patches [ $bad = 0 ]
out=$(cd $src && for f in $patched; do spatch --very-quiet -D report --sp-file "$top/$cocci" "$f"; done
      for f in $files; do spatch --very-quiet -D report --sp-file "$top/$cocci" "$top/$f"; done 2>&1)
[ -n "$out" ] && echo "$out"
ktap_check coccinelle_vaddr_unpin_tree_clean [ -z "$out" ]
n=$(spatch --very-quiet -D report --sp-file $cocci selftests/host/cocci_bad.c 2>&1 | grep -c "released without")
echo "# the rule flags $n of the 3 wrong releases in selftests/host/cocci_bad.c"
ktap_check coccinelle_vaddr_unpin_catches_misuse [ "$n" = 3 ]
ktap_exit
