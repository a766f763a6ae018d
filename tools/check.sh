#!/bin/bash
# make check: build the kernel and the selftests, boot the VM, run the
# KUnit suites (built in, KTAP on the console) and the in-guest selftests,
# and end with one line "N passed, N failed, N skipped".
#
#   tools/check.sh [FILTER...]   e.g. tools/check.sh pin/layout_matrix
#                                     tools/check.sh kunit   (KUnit only)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/vm/check
filters=("$@")

"$top/tools/build-kernel.sh" project || exit 1
make -s -C selftests || exit 1

guest=("selftests/run.sh" "${filters[@]}")
kunit_only=0
if [ ${#filters[@]} = 1 ] && [ "${filters[0]}" = kunit ]; then
	kunit_only=1
	guest=(true)
fi
echo "check: booting the test VM (console: $out/console.log)"
tools/vm-run -q -o "$out" -t "${CHECK_TIMEOUT:-3000}" -- "${guest[@]}"
vmrc=$?

pass=0 fail=0 skip=0
report() { # STATUS NAME [REASON]
	case $1 in
	ok) pass=$((pass + 1)) ;;
	skip) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)); echo "FAILED: $2${3:+ ($3)}" ;;
	esac
}

# KUnit: test-case lines of the KTAP the kernel printed while booting.
kunit=$(sed -n 's/^\[ *[0-9]*\.[0-9]*\] //p' "$out/console.log" |
	sed -n '/^KTAP version/,/^# Totals\|^ok [0-9]* \|^not ok [0-9]* /p')
if [ ${#filters[@]} = 0 ] || [ $kunit_only = 1 ]; then
	grep -q '# Subtest: file_pin' <<<"$kunit" || report fail kunit/file_pin "suite did not run"
	while read -r st name rest; do
		case "$st $rest" in
		*"# SKIP"*) report skip "kunit/$name" ;;
		ok*) report ok "kunit/$name" ;;
		*) report fail "kunit/$name" ;;
		esac
	done < <(sed -n 's/^    \(not ok\|ok\) [0-9]* \(.*\)/\1 \2/p' <<<"$kunit" | sed 's/^not ok/not_ok/')
fi

# Selftests: every top-level KTAP result line of every test's log.
if [ $kunit_only = 0 ]; then
	[ -f "$out/results/setup.rc" ] && report fail setup "guest environment setup failed"
	for rc in "$out"/results/*.rc; do
		[ -e "$rc" ] || continue
		t=$(basename "$rc" .rc); [ "$t" = setup ] && continue
		log=${rc%.rc}.log
		n=0 bad=0
		while IFS= read -r line; do
			n=$((n + 1))
			name=$(sed -E 's/^(not )?ok [0-9]+ //; s/ #.*//' <<<"$line")
			case $line in
			*"# SKIP"*) report skip "$t/$name" ;;
			ok*) report ok "$t/$name" ;;
			*) bad=1; report fail "$t/$name" ;;
			esac
		done < <(grep -aE '^(not )?ok [0-9]+ ' "$log")
		r=$(cat "$rc")
		[ $n = 0 ] && report fail "$t" "printed no results, exit $r"
		[ $n -gt 0 ] && [ "$r" != 0 ] && [ $bad = 0 ] && report fail "$t" "exit status $r"
	done
	[ "$(ls "$out"/results/*.rc 2>/dev/null | wc -l)" -gt 0 ] || report fail selftests "no test ran"
fi

case $vmrc in
0) ;;
124) report fail vm "timed out" ;;
125) report fail vm "boot died before init: not a test result, rerun" ;;
126) report fail vm "kernel splat in console" ;;
*) report fail vm "guest exit status $vmrc" ;;
esac
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
