#!/bin/bash
# Checks that run on the host, as KTAP: checkpatch --strict on the
# project's kernel files and patches, sparse on the objects they build,
# kernel-doc, and the Coccinelle rule that pages from vaddr_pin_pages()
# are released only by vaddr_unpin_pages().
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. selftests/lib/ktap.sh
src=build/src
cp=$src/scripts/checkpatch.pl
cocci=scripts/coccinelle/api/vaddr_unpin.cocci
files=$(git ls-files 'mm/*.[ch]' 'fs/*.[ch]' 'drivers/*.[ch]' 'include/*.h')
patched=$(cd $src && QUILTRC=$top/tools/quiltrc quilt files -a 2>/dev/null | grep '\.c$')
ktap_plan 10
# A missing tree or checkpatch must fail the checks, not leave nothing to say.
ktap_check patched_tree_present test -r "$cp" -a -n "$patched"
# checkpatch ARGS...: show its complaints; fail on any, or if it failed.
checkpatch() {
	local out rc
	out=$(perl "$cp" --no-tree --strict --terse "$@" 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out"
	[ $rc = 0 ] && [ -z "$out" ]
}
bad=0
for f in $files; do
	checkpatch -f "$f" || bad=1
done
ktap_check checkpatch_strict_files [ $bad = 0 ]
bad=0
for p in patches/*.patch; do
	checkpatch "$top/$p" || bad=1
done
ktap_check checkpatch_strict_patches [ $bad = 0 ]
# The control: checkpatch as run here flags a style error.
bad=$(mktemp --suffix=.c)
printf '// SPDX-License-Identifier: GPL-2.0\nint f(int x)\n{\n\tif(x)\n\t\treturn 1;\n\treturn 0;\n}\n' > "$bad"
out=$(checkpatch -f "$bad")
ktap_check checkpatch_catches_misuse grep -q "space required before the open parenthesis" <<< "$out"
rm -f "$bad"
# sparse (C=2) in the debug kernel's tree: the objects of our own files
# must be clean; a patched upstream file may keep the warnings upstream
# has (tools/sparse-upstream.txt: this output for the same files after
# 'tools/quilt pop -a'), and no more.  Line numbers and include notes are
# left out, so the list holds for any line shift.  sparse FILE...: the
# warnings, in that form; fails (with the build's output) if the build
# failed.
sparse() {
	local log rc
	[ $# -gt 0 ] || { echo "sparse: no files" >&2; return 1; }
	log=$("$top/tools/build-kernel.sh" debug C=2 "${@/%.c/.o}" 2>&1)
	rc=$?
	[ $rc = 0 ] || { echo "$log" | tail -20 >&2; return $rc; }
	grep -E "^$top/$src/[^ ]*:[0-9]+:[0-9]+: " <<< "$log" |
		grep -v -e ': note: ' -e '\[-W' |
		sed -E "s|^$top/$src/||; s|:[0-9]+:[0-9]+: |: |"
	return 0
}
out=$(sparse $(grep '\.c$' <<< "$files"))
rc=$?
[ -n "$out" ] && echo "$out"
ktap_check sparse_files_clean test $rc = 0 -a -z "$out"
base=$(sparse $patched)
rc=$?
new=$(comm -23 <(sort <<< "$base") <(sort tools/sparse-upstream.txt))
[ -n "$new" ] && echo "$new"
ktap_check sparse_patched_no_new_warnings test $rc = 0 -a -z "$new"
# The control: sparse ran, and found upstream's warnings.
echo "# sparse: $(grep -c . <<< "$base") lines for the patched files, upstream has $(grep -c . tools/sparse-upstream.txt)"
ktap_check sparse_ran grep -q 'context imbalance' <<< "$base"
# kernel-doc -Wall is silent on our files, and every function exported
# by our files or by a patch has a kernel-doc comment.
out=$(perl $src/scripts/kernel-doc -Wall -none $files 2>&1)
for sym in $(sed -n 's/^EXPORT_SYMBOL\(_GPL\)\?(\(.*\));/\2/p' $files) \
	   $(sed -n 's/^+EXPORT_SYMBOL\(_GPL\)\?(\(.*\));/\2/p' patches/*.patch); do
	(cd $src && grep -qE "^ \* $sym(\(\))? - " $patched) ||
		grep -qE "^ \* $sym(\(\))? - " $files ||
		out+="${out:+$'\n'}exported without kernel-doc: $sym"
done
[ -n "$out" ] && echo "$out"
ktap_check kernel_doc_clean [ -z "$out" ]
# A failed spatch counts, and so does code of ours it cannot parse: it
# skips what it cannot parse, and exits 0.
out=$({ cd $src && for f in $patched; do
		spatch --very-quiet -D report --sp-file "$top/$cocci" "$f" ||
			echo "spatch failed on $f"
	done
	for f in $files; do
		spatch --very-quiet -D report --sp-file "$top/$cocci" "$top/$f" ||
			echo "spatch failed on $f"
		spatch --parse-c "$top/$f" 2>&1 | grep -q '^bad' &&
			echo "spatch cannot parse all of $f"
	done; } 2>&1)
[ -n "$out" ] && echo "$out"
ktap_check coccinelle_vaddr_unpin_tree_clean [ -z "$out" ]
n=$(spatch --very-quiet -D report --sp-file $cocci selftests/host/cocci_bad.c 2>&1 | grep -c "released without")
echo "# the rule flags $n of the 3 wrong releases in selftests/host/cocci_bad.c"
ktap_check coccinelle_vaddr_unpin_catches_misuse [ "$n" = 3 ]
ktap_exit
