# shellcheck shell=bash
# Shared by the fstests-style scripts: paths and filters that keep the
# golden output free of run-specific values.
PINHOLD=${VMREPO:-$(cd "$(dirname "$0")/../.." && pwd)}/build/selftests/lib/pinhold
TIMED_TRUNCATE=${PINHOLD%/pinhold}/timed-truncate
# pinhold_verdict KIND FILE WHAT: pinhold's verdict on the lease (WHAT:
# "layout lease", "exclusive lease") or the pin ("pin bytes") of the first
# 64 KiB of FILE under a lease of KIND (none, layout, exclusive).
pinhold_verdict() {
	$PINHOLD -l "$1" "$2" 0 65536 true | sed -n "s/^pinhold: $3[^:]*: //p"
}
_size() { stat -c %s "$1"; }
# poll SECONDS CMD...: run CMD every 0.2 s until it succeeds, for at most
# SECONDS.
poll() {
	local i
	for i in $(seq $(($1 * 5))); do
		"${@:2}" && return 0
		sleep 0.2
	done
	return 1
}
# running PID: is PID alive, not a zombie its parent has yet to reap?
# Shell builtins only, for callers that must not start programs.
running() {
	local s
	{ IFS= read -r s < "/proc/$1/stat"; } 2>/dev/null || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}
_md5() { md5sum < "$1" | cut -c1-8; }
# fill_byte FILE: the byte (hex) all of FILE is filled with, or "mixed".
fill_byte() {
	local b
	b=$(od -An -tx1 -N1 "$1" | tr -d ' ')
	if [ -n "$b" ] && head -c "$(stat -c %s "$1")" /dev/zero |
		tr '\0' "\\$(printf %o "0x$b")" | cmp -s - "$1"; then
		echo "$b"
	else
		echo mixed
	fi
}
# _make_file FILE PAGES: a file of PAGES 4 KiB pages of non-zero data
_make_file() { xfs_io -f -c "pwrite -q -S 0x5a 0 $(($2 * 4096))" -c fsync "$1"; }
_filter() { sed -e "s|$SCRATCH|SCRATCH|g"; }
# break_time SECONDS: /proc/sys/fs/lease-break-time for the rest of the
# test; the first call saves the old value, restored on exit.
break_time() {
	if [ -z "${_old_break_time:-}" ]; then
		_old_break_time=$(cat /proc/sys/fs/lease-break-time)
		trap 'echo "$_old_break_time" > /proc/sys/fs/lease-break-time' EXIT
	fi
	echo "$1" > /proc/sys/fs/lease-break-time
}
# vm NAME: a /proc/vmstat counter, after folding the per-cpu deltas.
vm() {
	echo 1 > /proc/sys/vm/stat_refresh
	sed -n "s/^$1 //p" /proc/vmstat
}
# held NAME: NAME_acquired - NAME_released (pages or records held);
# "unread" if a counter is missing, which no comparison then matches.
held() {
	local a r
	a=$(vm "${1}_acquired") r=$(vm "${1}_released")
	if [ -n "$a" ] && [ -n "$r" ]; then echo $((a - r)); else echo unread; fi
}
# pins_held: pages pinned through vaddr_pin_pages() and file pin records
# held, system-wide (not nr_foll_pin_*: the 9p root's I/O pins pages too).
pins_held() { echo "$(held nr_vaddr_pin) $(held nr_file_pin)"; }
# held_as_before BEFORE: is pins_held back at BEFORE (and says so)?
held_as_before() {
	local now
	now=$(pins_held)
	echo "# held (vaddr pages, file records): $1 before, $now after"
	[ "$now" = "$1" ] && [[ $now != *unread* ]]
}
# run_pinned FILE CMD: run CMD while pinhold holds an exclusive layout
# lease on FILE and a pin of its first 64 KiB; prints pinhold's and CMD's
# output, then "held=N", the lines of the holder's file_pins meanwhile.
run_pinned() {
	$PINHOLD -l exclusive "$1" 0 65536 \
		"$2; echo held=\$(wc -l < /proc/\$PPID/file_pins)" 2>&1
}
