#!/bin/bash
# The kernel's own mm selftests gup_test and gup_longterm still behave as
# on stock 6.12.  In an FS-DAX directory gup_longterm's long-term pins of
# the local file (cases 3 6 9 12 15 21) fail exactly as on stock 6.12:
# plain pin_user_pages(FOLL_LONGTERM) on FS-DAX stays refused
# (EOPNOTSUPP); only vaddr_pin_pages() under a layout lease may pin it.
. "$(dirname "$0")/../lib/ktap.sh"
B=$(cd "$(dirname "$0")/../.." && pwd)/build/selftests/upstream
DAX_REFUSED="3 6 9 12 15 21"
ktap_plan 6
# gup_test is a kselftest of its own: its lines become comments here, and
# only its one test passed (not skipped: that also exits 0) counts.
for a in -u -a -L; do
	out=$("$B/gup_test" $a 2>&1)
	rc=$?
	sed 's/^/# /' <<<"$out"
	ktap_check "gup_test_$a" eval '[ $rc = 0 ] && grep -q "^# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0$" <<<"$out"'
done
longterm() { (cd "$1" && "$B/gup_longterm" 2>&1); }
out=$(longterm /mnt/tmpfs)
ktap_check gup_longterm_tmpfs_all_pass grep -q "^# Totals: pass:24 fail:0" <<<"$out"
for d in /mnt/ext4 /mnt/xfs; do
	out=$(longterm $d)
	failed=$(sed -n 's/^not ok \([0-9]*\) .*/\1/p' <<<"$out" | xargs)
	echo "# $d: failing cases: $failed"
	ktap_check "gup_longterm_$(basename $d)_only_fsdax_longterm_refused" \
		[ "$failed" = "$DAX_REFUSED" ]
done
ktap_exit
