#!/bin/bash
# make check: build the kernel and the selftests, boot the VM, run the
# KUnit suites (built in, KTAP on the console) and the in-guest selftests,
# and end with one line "N passed, N failed, N skipped".
#
#   tools/check.sh [FILTER...]   e.g. tools/check.sh pin/layout_matrix
#                                     tools/check.sh kunit   (KUnit only)
#                                     tools/check.sh host    (checkpatch, sparse, kernel-doc, Coccinelle)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/vm/check
filters=("$@")

# 'kunit' and 'host' name the checks outside selftests/.
gfilters=() host_only=1
for f in "${filters[@]}"; do
	case $f in kunit|host) ;; *) gfilters+=("$f") ;; esac
	[ "$f" = host ] || host_only=0
done
[ ${#filters[@]} -gt 0 ] || host_only=0
guest=("selftests/run.sh" "${gfilters[@]}")
no_guest=0
if [ ${#filters[@]} -gt 0 ] && [ ${#gfilters[@]} = 0 ]; then
	no_guest=1
	guest=(true)
fi

vmrc=0
if [ $host_only = 0 ]; then
	# The debug flavour (KASAN, lockdep, kmemleak, ...) unless told otherwise.
	flavour=${CHECK_FLAVOUR:-debug}
	"$top/tools/build-kernel.sh" "$flavour" || exit 1
	kernel=build/bzImage; [ "$flavour" = project ] || kernel=build/bzImage-$flavour
	make -s -C selftests || exit 1

	echo "check: booting the test VM (console: $out/console.log)"
	# A guest whose init never starts gives no test result: boot again, up
	# to four times, with a 240 s boot watchdog (init starts at ~12 s).  The
	# one cause seen here, an ACPI _PRT timeout, is avoided by vm-run's
	# acpi=noirq.
	for boot in 1 2 3 4; do
		VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-240} tools/vm-run -q -k "$kernel" \
			-o "$out" -t "${CHECK_TIMEOUT:-3000}" -- "${guest[@]}"
		vmrc=$?
		[ $vmrc = 125 ] && [ $boot -lt 4 ] || break
		echo "check: the VM did not boot (see above); booting it again"
		rm -rf "$out.boot-failure"; mv "$out" "$out.boot-failure"
	done
else
	rm -rf "$out"
	# The host checks read the patched tree.
	"$top/tools/prepare-source.sh" || exit 1
fi

# Host checks (style, sparse, kernel-doc, Coccinelle): reported like a guest test.
if [ ${#filters[@]} = 0 ] || [[ " ${filters[*]} " == *" host"* ]]; then
	mkdir -p "$out/results"
	tools/host-checks.sh > "$out/results/host_checks.log" 2>&1
	echo $? > "$out/results/host_checks.rc"
fi

pass=0 fail=0 skip=0
# test_name RESULT: the name T= takes (GROUP/NAME) for a results file
# (GROUP_NAME); the host checks and the kmemleak scan keep theirs.
test_name() {
	case $1 in host_checks|kmemleak) echo "$1" ;; *) echo "${1/_//}" ;; esac
}
report() { # STATUS NAME [REASON]
	case $1 in
	ok) pass=$((pass + 1)) ;;
	skip) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)); echo "FAILED: $2${3:+ ($3)}" ;;
	esac
}

# KUnit: test-case lines of the KTAP the kernel printed while booting.
# From "KTAP version" to the last of the suites its plan ("1..N") announces.
kunit=$(sed -n 's/^\[ *[0-9]*\.[0-9]*\] //p' "$out/console.log" 2>/dev/null |
	awk '{ sub(/\r$/, "") }
	     !on && /^KTAP version/ { on = 1; next }
	     on && !plan && /^1\.\.[0-9]+$/ { plan = 1; n = substr($0, 4) + 0; if (!n) exit; next }
	     on { print }
	     on && /^(not )?ok [0-9]+ / && ++done >= n { exit }')
if [ ${#filters[@]} = 0 ] || [[ " ${filters[*]} " == *" kunit "* ]]; then
	# Each suite must start and end ok (a suite_init failure prints no case).
	for suite in file_pin vaddr_pin; do
		if ! grep -q "# Subtest: $suite\$" <<<"$kunit"; then
			report fail "kunit/$suite" "suite did not run"
		elif ! grep -Eq "^ok [0-9]+ $suite\$" <<<"$kunit"; then
			report fail "kunit/$suite" "suite did not end ok"
		fi
	done
	while read -r st name rest; do
		case "$st $rest" in
		*"# SKIP"*) report skip "kunit/$name" ;;
		ok*) report ok "kunit/$name" ;;
		*) report fail "kunit/$name" ;;
		esac
	done < <(sed -n 's/^    \(not ok\|ok\) [0-9]* \(.*\)/\1 \2/p' <<<"$kunit" | sed 's/^not ok/not_ok/')
fi

# Selftests and host checks: every top-level KTAP result line of each log.
[ -f "$out/results/setup.rc" ] && report fail setup "guest environment setup failed"
[ $no_guest = 0 ] && [ "$(ls "$out"/results/*.rc 2>/dev/null | grep -vc host_checks)" = 0 ] &&
	report fail selftests "no test ran"
for rc in "$out"/results/*.rc; do
	[ -e "$rc" ] || continue
	t=$(basename "$rc" .rc); [ "$t" = setup ] && continue
	log=${rc%.rc}.log
	tn=$(test_name "$t")
	n=0 bad=0
	while IFS= read -r line; do
		n=$((n + 1))
		name=$(sed -E 's/^(not )?ok [0-9]+ //; s/ #.*//' <<<"$line")
		case $line in
		*"# SKIP"*)
			# The debug kernel has fault injection: no skip there.
			if [[ " stress_fault_inject proc_mapped_owner " == *" $t "* ]] &&
			   [ "${flavour:-}" = debug ]; then
				bad=1; report fail "$tn/$name" "skipped on the debug kernel"
			else
				report skip "$tn/$name"
			fi ;;
		ok*) report ok "$tn/$name" ;;
		*) bad=1; report fail "$tn/$name" ;;
		esac
	done < <(grep -aE '^(not )?ok [0-9]+ ' "$log")
	r=$(cat "$rc")
	plan=$(grep -aom1 -E '^1\.\.[0-9]+' "$log" | cut -c4-)
	[ $n = 0 ] && report fail "$tn" "printed no results, exit $r"
	[ $n -gt 0 ] && [ "$r" != 0 ] && [ $bad = 0 ] && report fail "$tn" "exit status $r"
	[ $n -gt 0 ] && [ "$n" != "${plan:-0}" ] && report fail "$tn" "$n results for a plan of ${plan:-none}"
done
# The debug kernel has kmemleak: run.sh's final scan must have run.
[ "${flavour:-}" = debug ] && [ $no_guest = 0 ] && [ $vmrc = 0 ] &&
	[ ! -e "$out/results/kmemleak.rc" ] &&
	report fail kmemleak "no scan on the debug kernel"
# A test cut off (guest panic, timeout) has a log but no exit status.
for log in "$out"/results/*.log; do
	[ -e "$log" ] || continue
	t=$(basename "$log" .log)
	case $t in setup|host_checks) continue ;; esac
	[ -e "${log%.log}.rc" ] || report fail "$(test_name "$t")" "did not finish"
done

case $vmrc in
0) ;;
124) report fail vm "timed out" ;;
125) report fail vm "boot died before init: not a test result, rerun" ;;
126) report fail vm "kernel splat in console" ;;
*) report fail vm "guest exit status $vmrc" ;;
esac
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
