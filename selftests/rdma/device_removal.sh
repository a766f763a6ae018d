#!/bin/bash
# Removing the RDMA device under a DAX MR.  rxe has no
# disassociate_ucontext, so "rdma link delete" waits for the device's
# user contexts to close.  While it waits, the MR keeps its pins, its
# exclusive lease and its line in file_pins, and a truncate over it is
# still refused.  When the holder dies, its context's MRs are destroyed
# on the way out of the device, the removal completes, and no pin, record
# or lease is left.  rxe0 is then added back and a DAX MR on the new
# device works as before.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/../lib/fstests.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
RDMADEMO=$top/build/selftests/lib/rdmademo
f=$XFS/device_removal.$$
tmp=$(mktemp -d)
holder= del=

cleanup() {
	[ -n "$holder" ] && kill -KILL -- "-$holder" 2>/dev/null
	wait 2>/dev/null
	[ -e /sys/class/infiniband/rxe0 ] || rxe_add
	rm -rf "$tmp" "$f"
}
trap cleanup EXIT

size_is() { [ "$(stat -c %s "$f")" = "$1" ]; }
# The checks made while the removal waits use shell builtins only: that
# wait is uninterruptible, and under TCG each program started costs time
# against the debug kernel's 10 s hung-task timeout.
# has FILE PATTERN: does a line of FILE match the glob PATTERN?
has() {
	local l
	while IFS= read -r l; do
		# shellcheck disable=SC2053
		[[ $l == $2 ]] && return 0
	done < "$1"
	return 1
}
listed() { has "/proc/$holder/file_pins" "* device=rxe0 * file=$f"; }
no_layout_lease() { ! has /proc/locks "*LAYOUT*"; }
# ms_since T0: milliseconds since $EPOCHREALTIME was T0.
ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }

ktap_plan 12
before=$(pins_held)
# The holder: an exclusive layout lease and a 1 MiB DAX MR, which a peer
# process writes into over RC; then it sleeps with the MR registered.
# Its own session, so that its shell and sleep die with it.
setsid "$RDMADEMO" "$f" "written before the removal" "sleep 120" \
	> "$tmp/holder.log" 2>&1 &
holder=$!
# Wait for the peer to be done: its context would hold the removal too.
if ! poll 60 grep -q '^pread(' "$tmp/holder.log"; then
	sed 's/^/# /' "$tmp/holder.log"
	ktap_not_ok dax_mr_registered
	ktap_exit
fi
ktap_check dax_mr_registered listed

t0=$EPOCHREALTIME
rdma link delete rxe0 > "$tmp/delete.log" 2>&1 &
del=$!
sleep 1
running $del && waiting=1 || waiting=0
listed && still_listed=1 || still_listed=0
no_layout_lease && lease=0 || lease=1
# The exclusive lease refuses at once, device going or not.
out=$("${TIMED_TRUNCATE}" "$f" 4096 2>&1)
running $del && [ $waiting = 1 ] || waiting=0
echo "# checked $(ms_since "$t0") ms into the removal"
ktap_check removal_waits_for_the_context [ $waiting = 1 ]
ktap_check mr_still_listed [ $still_listed = 1 ]
ktap_check lease_still_held [ $lease = 1 ]
echo "# truncate during the removal: $out"
ktap_check truncate_refused_during_removal \
	eval '[[ $out == *"Text file busy"*"returned at once" ]] &&
	      size_is 1048576'

{ kill -KILL -- "-$holder"; wait "$holder"; } 2>/dev/null
poll 30 eval '! running $del'
ktap_check removal_completes_when_the_holder_dies eval '! running $del'
wait $del
rc=$?
echo "# the removal took $(ms_since "$t0") ms"
sed 's/^/# rdma link delete: /' "$tmp/delete.log"
ktap_check removal_succeeded eval '[ $rc = 0 ] && [ ! -e /sys/class/infiniband/rxe0 ]'
holder=
ktap_check nothing_left_after_removal eval \
	'held_as_before "$before" && no_layout_lease'
ktap_check truncate_after_removal eval \
	'truncate -s 4096 "$f" && size_is 4096'

ktap_check rxe0_added_back rxe_add
"$RDMADEMO" "$f" "written after the removal" true > "$tmp/again.log" 2>&1
rc=$?
sed 's/^/# /' "$tmp/again.log"
ktap_check dax_mr_on_the_new_device eval \
	'[ $rc = 0 ] && grep -q "\"written after the removal\"" "$tmp/again.log"'
ktap_check nothing_left_at_the_end eval \
	'held_as_before "$before" && no_layout_lease'
ktap_exit
