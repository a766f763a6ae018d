#!/bin/bash
# Reflinked FS-DAX files (xfs, reflink=1).  A page of a block two files
# share has page->mapping == PAGE_MAPPING_DAX_SHARED, which names no file
# range to record a pin against; in 6.12 the page a copy-on-write fault
# maps is marked so too.  And copy-on-write moves even blocks nobody
# shares when they lie beside a shared one (the CoW extent size hint
# preallocates for them), freeing the old block on the next write.  So
# vaddr_pin_pages() refuses any page of a file that shares blocks
# (reflink flag, xfs's ->may_pin_blocks()) with EOPNOTSUPP, not looping
# in GUP's unshare path, not pinning, not oopsing at unpin, and leaves
# nothing behind; unsharing part of the file is not enough, unsharing all
# of it is.  The test reformats /dev/pmem1 with reflink=1 and restores
# the usual reflink=0 xfs at the end.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/../lib/fstests.sh"

mkxfs() {
	umount $XFS && mkfs.xfs -q -f -m reflink="$1" $XFS_MKFS_OPTS /dev/pmem1 &&
		mount -o dax /dev/pmem1 $XFS
}
# pin_verdict: what pinhold's output says of its pin.
pin_verdict() { sed -n 's/^pinhold: pin bytes [0-9-]*: //p'; }
# pin [-r] FILE OFFSET: pinhold's verdict on 64 KiB of FILE at OFFSET.
pin() {
	local r=
	[ "$1" = -r ] && { r=-r; shift; }
	$PINHOLD $r "$1" "$2" 65536 true | pin_verdict
}
# shared FILE: does FIEMAP flag an extent of FILE shared (0x2000)?
shared() {
	local f
	for f in $(xfs_io -c 'fiemap -v' "$1" | awk 'NR > 2 { print $NF }'); do
		(( f & 0x2000 )) && return 0
	done
	return 1
}
# expect WANT NAME VERDICT
expect() { ktap_check "$2 ($3)" [ "$3" = "$1" ]; }

ktap_plan 27
if ! mkxfs 1; then
	ktap_not_ok xfs_reflink_dax_mounted
	mkxfs 0
	ktap_exit
fi
ktap_ok xfs_reflink_dax_mounted
src=$XFS/reflink.src clone=$XFS/reflink.clone
xfs_io -f -c "pwrite -q -S 0x5a 0 1m" $src
cp --reflink=always $src $clone
ktap_check clone_shares_blocks shared $clone
ktap_check clone_dax_on dax_on $clone

before=$(pins_held)
nope="Operation not supported"
expect "$nope" read_pin_of_shared_block_refused "$(pin -r $clone 0)"
expect "$nope" read_pin_of_source_refused "$(pin -r $src 0)"
expect "$nope" write_pin_of_cow_faulted_block_refused "$(pin $clone 65536)"
# Nothing stays pinned or recorded, and no lease is left behind.
left_nothing() { held_as_before "$before" && ! grep -q LAYOUT /proc/locks; }
ktap_check refused_pins_left_nothing left_nothing
xfs_io -c "funshare 524288 524288" -c fsync $clone
expect "$nope" pin_after_partial_funshare_refused "$(pin $clone 524288)"
xfs_io -c "funshare 0 1m" -c fsync $clone
expect pinned pin_after_full_funshare "$(pin $clone 524288)"
cmp -s $src $clone
ktap_check data_unchanged [ $? = 0 ]

# The same for shared blocks mapped with PMDs before the pin: GUP-fast
# meets them in a PMD leaf, which the source's 2 MiB extent size makes.
big=$XFS/reflink.big bigclone=$XFS/reflink.bigclone
xfs_io -f -c "extsize 2m" -c "pwrite -q -S 0x33 0 4m" -c fsync $big
cp --reflink=always $big $bigclone
out=$($PINHOLD -r -t $bigclone 0 4194304 true)
echo "$out" | sed 's/^/# /'
faults=$(echo "$out" | sed -n 's/^pinhold: touched 1024 pages: \([0-9]*\) faults$/\1/p')
ktap_check shared_4m_read_mapped_with_pmds test "${faults:-9999}" -le 4
expect "$nope" read_pin_of_pmd_mapped_shared_blocks_refused \
	"$(echo "$out" | pin_verdict)"
ktap_check pmd_refusal_left_nothing left_nothing

# A pin racing with a reflink.  The reflink from A into B breaks A's
# layout (no pins yet: it unmaps A's pages) and then B's, whose MMAPLOCK
# is nested under A's, so it waits for the pins of B's breakable lease
# holding both; B's holder unpins 20 seconds after the break, within
# the break time (30 s: starting a program alone takes up to 2 s in the
# debug VM under TCG, and the steps below start a few).  A pin of A's
# second half (an MR) starts during that wait.  The reflink must win and
# the pin fail with EOPNOTSUPP: A shares blocks now, and its writes may
# move any of them.  (The pin used to record its range during the wait,
# fault A's unshared second half in once the reflink had set the flag,
# and pin it: both won.)
break_time 30
a=$XFS/race.1 b=$XFS/race.2
xfs_io -f -c "pwrite -q -S 0x11 0 2m" -c fsync $a
xfs_io -f -c "pwrite -q -S 0x22 0 2m" -c fsync $b
# The lower inode number is locked first: A must be that one.
[ "$(stat -c %i $a)" -lt "$(stat -c %i $b)" ] || { t=$a a=$b b=$t; }
echo "# A: inode $(stat -c %i $a), B: inode $(stat -c %i $b)"
hold=$(mktemp) rl=$(mktemp)
$PINHOLD -l layout -u -d 20 $b 0 65536 "sleep 30" > "$hold" &
hpid=$!
# wait_for FILE TEXT: up to 20 s for TEXT to appear in FILE.
wait_for() { poll 20 grep -q "$2" "$1"; }
wait_for "$hold" "pin bytes.*pinned"
xfs_io -c "reflink $a 0 0 1m" $b > "$rl" 2>&1 &
rpid=$!
t0=$(date +%s%N)
verdict="no reflink wait" began=after
# As an MR: a second gup_test call would wait for this one's mutex.  The
# race is only tested if the registration begins before the reflink ends.
if wait_for "$hold" "lease break"; then
	pout=$(mktemp)
	$PINHOLD -m $a 1048576 65536 true > "$pout" 2>&1 &
	ppid=$!
	wait_for "$pout" "registering" && running $rpid && began=before
	wait $ppid
	verdict=$(pin_verdict < "$pout")
	rm -f "$pout"
fi
echo "# pin of A: $(( ($(date +%s%N) - t0) / 1000000 )) ms after the reflink began"
ktap_check reflink_waits_for_pins_of_b [ "$verdict" != "no reflink wait" ]
ktap_check pin_began_before_the_reflink_ended [ $began = before ]
wait $rpid
wait $hpid
sed 's/^/# holder: /' "$hold"
sed 's/^/# reflink: /' "$rl"
ktap_check reflink_done_while_the_pin_waited grep -q "^linked" "$rl"
expect "$nope" pin_refused_after_reflink "$verdict"
ktap_check a_shares_blocks_after_reflink shared $a
ktap_check race_left_nothing left_nothing
rm -f "$hold" "$rl" $a $b

# A reflink or dedupe source keeps its blocks but comes to share them:
# its pins refuse at once, breakable lease or not, and whoever asks (even
# a user who may only read the file).  The holder (-u: it would unpin on
# a break) gets no signal and keeps its pin; cp --reflink=auto copies.
s2=$XFS/reflink.pinned cp2=$XFS/reflink.copy rodir=$XFS/reader
xfs_io -f -c "pwrite -q -S 0x44 0 1m" -c fsync $s2
chmod 644 $s2
mkdir -p $rodir && chown 65534:65534 $rodir
hold=$(mktemp) go=$(mktemp -u)
# hold_until_go FILE LOG: pinhold (-u) pins 64 KiB of FILE under a
# breakable lease until $go exists (60 s at most); returns once pinned.
hold_until_go() {
	$PINHOLD -l layout -u "$1" 0 65536 \
		"for i in \$(seq 600); do [ -e $go ] && break; sleep 0.1; done" > "$2" &
	wait_for "$2" "pin bytes.*pinned"
}
hold_until_go $s2 "$hold"
hpid=$!
out=$(xfs_io -f -c "reflink $s2 0 0 64k" $XFS/reflink.dst 2>&1)
echo "# reflink: $out"
ktap_check reflink_from_pinned_source_refused grep -q "Text file busy" <<< "$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	xfs_io -f -c "reflink $s2 0 0 64k" $rodir/dst 2>&1)
echo "# reflink by a reader: $out"
ktap_check reflink_by_reader_refused grep -q "Text file busy" <<< "$out"
ktap_check cp_reflink_auto_copies_instead \
	eval 'cp --reflink=auto $s2 $cp2 && cmp -s $s2 $cp2'
ktap_check pinned_source_shares_nothing eval '! shared $s2 && ! shared $cp2'
ktap_check holder_keeps_its_pin \
	[ "$(grep -c reflink.pinned /proc/$hpid/file_pins)" = 1 ]
# The same when the destination is pinned too and sorts first (the lower
# inode number, whose layout xfs breaks first): the source refuses before
# the destination's holder is signalled.
lo=$XFS/reflink.lo hi=$XFS/reflink.hi
xfs_io -f -c "pwrite -q -S 0x55 0 1m" -c fsync $lo
xfs_io -f -c "pwrite -q -S 0x66 0 1m" -c fsync $hi
[ "$(stat -c %i $lo)" -lt "$(stat -c %i $hi)" ] || { t=$lo lo=$hi hi=$t; }
holdlo=$(mktemp) holdhi=$(mktemp)
hold_until_go $lo $holdlo
hold_until_go $hi $holdhi
out=$(xfs_io -c "reflink $hi 0 0 64k" $lo 2>&1)
echo "# reflink into a pinned file that sorts first: $out"
ktap_check reflink_from_pinned_source_into_pinned_refused \
	grep -q "Text file busy" <<< "$out"
touch $go
wait
for h in "$hold" $holdlo $holdhi; do sed 's/^/# holder: /' $h; done
ktap_check holders_got_no_break \
	eval '! grep -q "lease break" "$hold" $holdlo $holdhi'
rm -rf "$hold" $holdlo $holdhi $go $s2 $cp2 $lo $hi $XFS/reflink.dst $rodir

rm -f $src $clone $big $bigclone
# umount fails if a refused pin kept a file reference.
ktap_check xfs_back_to_reflink0 mkxfs 0
ktap_exit
