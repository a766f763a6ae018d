#!/bin/bash
# lsfilepins, the admin command over /proc/PID/file_pins, against known
# pins held by pinhold: the table, -n, -o, -p, the FILE argument, -J, an
# unprivileged run (skipped processes, exit 2) and usage errors (exit 1).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
LS=${LSFILEPINS:-$top/build/tools/lsfilepins}
PINHOLD=$top/build/selftests/lib/pinhold
A=$XFS/lsfilepins_a.$$
B="$EXT4/lsfilepins b=1.$$"	# escaped by the kernel, not by lsfilepins
C=$XFS/lsfilepins_c.$$		# never pinned
# Not UTF-8, a control character, a backslash, a C1 control, U+2028.
D=$XFS/$'lsfilepins_d\xff\x01\\\xc2\x85\xe2\x80\xa8.'$$
tmp=$(mktemp -d)
holders=()

cleanup() {
	local p
	for p in "${holders[@]}"; do kill -- "-$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
	rm -f "$A" "$B" "$C" "$D"
}
trap cleanup EXIT

# hold NAME LEASE FILE OFFSET LEN: a pinhold in its own session (so that
# its shell and sleep, which inherit its fds, die with it); waits until
# its pin shows in its file_pins.
hold() {
	local name=$1
	shift
	setsid "$PINHOLD" -l "$@" "sleep 120" > "$tmp/$name.log" 2>&1 &
	holders+=($!)
	printf -v "$name" %s $!
	for _ in $(seq 100); do
		grep -q "file=" "/proc/${!name}/file_pins" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "# $name: no pin after 20 s:"; sed 's/^/# /' "$tmp/$name.log"
	return 1
}

# devino FILE: MAJ:MIN:INO as lsfilepins shows it.
devino() { stat -c '%Hd:%Ld:%i' "$1"; }

ktap_plan 23

for f in "$A" "$B" "$C"; do xfs_io -f -c 'falloc 0 1m' "$f" > /dev/null; done
hold P1 exclusive "$A" 0 65536 && hold P2 layout "$B" 8192 16384
ok=$?
ktap_check holders_pinned [ $ok = 0 ]

"$LS" > "$tmp/table" 2> "$tmp/table.err"
rc=$?
ktap_check table_exit_0 [ $rc = 0 -a ! -s "$tmp/table.err" ]
head -1 "$tmp/table" > "$tmp/header"
ktap_check table_header grep -Eq \
	'^ *PID +COMMAND +OWNER +DEVICE +DEV:INO +RANGE +PAGES +LEASE +HELD +FILE$' \
	"$tmp/header"
row_a="^ *$P1 +pinhold +gup_test:[0-9]+ +- +$(devino "$A") +0-15 +16 +exclusive +open +$A\$"
ktap_check table_row_exclusive grep -Eq "$row_a" "$tmp/table"
# The path is shown unescaped (a space and a '=').
row_b="^ *$P2 +pinhold +gup_test:[0-9]+ +- +$(devino "$B") +2-5 +4 +layout +open +$B\$"
ktap_check table_row_layout_unescaped grep -Eq "$row_b" "$tmp/table"

"$LS" -n > "$tmp/noheader"
ktap_check noheadings bash -c "! grep -q '^ *PID ' '$tmp/noheader' &&
	[ \$(wc -l < '$tmp/noheader') = \$((\$(wc -l < '$tmp/table') - 1)) ] &&
	grep -Eq '$row_a' '$tmp/noheader'"

# Exactly the columns asked for, in that order, names case-insensitive.
"$LS" -o range,Pid > "$tmp/cols"
ktap_check output_columns bash -c "
	[ \"\$(head -1 '$tmp/cols' | tr -s ' ' | sed 's/^ //')\" = 'RANGE PID' ] &&
	grep -Eq '^0-15 +$P1\$' '$tmp/cols' && grep -Eq '^2-5 +$P2\$' '$tmp/cols' &&
	! awk 'NF != 2' '$tmp/cols' | grep -q ."

"$LS" -n -p "$P1" -o PID,RANGE > "$tmp/pid"
ktap_check pid_filter bash -c "[ \"\$(tr -s ' ' < '$tmp/pid' | sed 's/^ //')\" = '$P1 0-15' ]"

# Who pins A?  pinhold (and its shell and sleep, which inherited the fd).
"$LS" -n -o PID,FILE "$A" > "$tmp/byfile"
rc=$?
ktap_check file_finds_holder bash -c "[ $rc = 0 ] && grep -Eq '^ *$P1 ' '$tmp/byfile' &&
	! grep -Eq '^ *$P2 ' '$tmp/byfile' && ! grep -v ' $A\$' '$tmp/byfile' | grep -q ."
"$LS" "$C" > "$tmp/none"
rc=$?
ktap_check other_file_finds_none [ $rc = 0 -a ! -s "$tmp/none" ]
"$LS" -o PID -n "$B" > "$tmp/byfile_b"
ktap_check file_with_escapes_finds_holder grep -Eq "^ *$P2\$" "$tmp/byfile_b"

"$LS" -J > "$tmp/json"
rc=$?
ktap_check json python3 - "$tmp/json" "$P1" "$P2" "$A" "$B" \
	"$(devino "$A")" "$(devino "$B")" "$rc" <<'EOF'
import json, re, sys
path, p1, p2, a, b, dia, dib, rc = sys.argv[1:]
doc = json.load(open(path))
rows = doc["filepins"]
def one(pid):
    r = [x for x in rows if x["pid"] == int(pid)]
    assert len(r) == 1, r
    return r[0]
ra, rb = one(p1), one(p2)
for r, f, di, rng, pages, lease in ((ra, a, dia, "0-15", 16, "exclusive"),
                                    (rb, b, dib, "2-5", 4, "layout")):
    assert r["command"] == "pinhold", r
    assert re.fullmatch(r"gup_test:\d+", r["owner"]), r
    assert r["device"] is None, r
    assert r["dev:ino"] == di and r["range"] == rng, r
    assert type(r["pages"]) is int and r["pages"] == pages, r
    assert r["lease"] == lease and r["held"] == "open" and r["file"] == f, r
    assert set(r) == {"pid", "command", "owner", "device", "dev:ino", "range",
                      "pages", "lease", "held", "file"}, r
assert rc == "0"
EOF
"$LS" -J -o pid,pages "$C" > "$tmp/json_none"
ktap_check json_empty python3 -c '
import json, sys
assert json.load(open(sys.argv[1])) == {"filepins": []}' "$tmp/json_none"
"$LS" -J -o PID,PAGES -p "$P2" > "$tmp/json_cols"
ktap_check json_columns python3 -c '
import json, sys
assert json.load(open(sys.argv[1])) == {"filepins": [{"pid": int(sys.argv[2]), "pages": 4}]}' \
	"$tmp/json_cols" "$P2"

# A path that is not UTF-8: the table shows the stray byte, the control
# characters and the backslash as \xHH, JSON (always UTF-8) the byte as
# U+FFFD and the controls and U+2028 as \uXXXX escapes.
xfs_io -f -c 'falloc 0 64k' "$D" > /dev/null
hold P3 layout "$D" 0 4096
"$LS" -n -o FILE -p "$P3" > "$tmp/table_d"
ktap_check table_not_utf8_escaped grep -qx \
	" *$XFS/lsfilepins_d\\\\xff\\\\x01\\\\x5c\\\\xc2\\\\x85"$'\xe2\x80\xa8'"\\.$$" "$tmp/table_d"
"$LS" -J -o FILE -p "$P3" > "$tmp/json_d"
ktap_check json_not_utf8_valid python3 -c '
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
raw = open(sys.argv[1], encoding="utf-8").read()
assert r"\u0001\\\u0085\u2028." in raw, raw
assert doc == {"filepins": [{"file": sys.argv[2] + "/lsfilepins_d\ufffd\u0001\\\u0085\u2028." + sys.argv[3]}]}, doc' \
	"$tmp/json_d" "$XFS" "$$"
kill -- "-$P3" 2>/dev/null

# Not root: the root-owned processes (pinhold among them) are skipped with
# a message each, and the exit status says so.
setpriv --reuid=65534 --regid=65534 --clear-groups "$LS" > "$tmp/nobody" 2> "$tmp/nobody.err"
rc=$?
ktap_check unprivileged_exit_2 [ $rc = 2 ]
ktap_check unprivileged_reports_skipped bash -c "
	grep -q '^lsfilepins: skipped pid $P1 (pinhold): Permission denied\$' '$tmp/nobody.err' &&
	grep -q '^lsfilepins: skipped pid 1 ([^)]*): Permission denied\$' '$tmp/nobody.err' &&
	! grep -Eq '^ *$P1 ' '$tmp/nobody'"
# Kernel threads (kthreadd is pid 2) hold no pins and are passed over.
ktap_check unprivileged_passes_over_kernel_threads bash -c "
	[ \"\$(cat /proc/2/comm)\" = kthreadd ] &&
	! grep -q '^lsfilepins: skipped pid 2 ' '$tmp/nobody.err'"

"$LS" -o PID,NOPE > "$tmp/bad" 2>&1
rc=$?
ktap_check bad_column_exit_1 bash -c "[ $rc = 1 ] && grep -q NOPE '$tmp/bad'"
"$LS" -o PID,RANGE,pid > "$tmp/twice" 2>&1
rc=$?
ktap_check column_twice_exit_1 bash -c "[ $rc = 1 ] && grep -qx 'lsfilepins: column twice: pid' '$tmp/twice'"
"$LS" "$XFS/no_such_file.$$" > /dev/null 2>&1
rc1=$?
"$LS" -p nopid > /dev/null 2>&1
rc2=$?
"$LS" --bogus > /dev/null 2>&1
rc3=$?
ktap_check bad_arguments_exit_1 [ "$rc1$rc2$rc3" = 111 ]

# Once the holders are gone, so are their rows.
for p in "${holders[@]}"; do kill -- "-$p"; done
wait 2>/dev/null
holders=()
for _ in $(seq 50); do
	[ -z "$("$LS" -n "$A"; "$LS" -n "$B")" ] && break
	sleep 0.2
done
"$LS" -n "$A" > "$tmp/after"; rc=$?
"$LS" -n "$B" >> "$tmp/after"
ktap_check gone_after_kill [ $rc = 0 -a ! -s "$tmp/after" ]
ktap_exit
