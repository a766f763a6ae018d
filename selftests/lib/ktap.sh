# shellcheck shell=bash
# Minimal KTAP output for shell tests: ktap_plan N; ktap_ok NAME; ...
KTAP_N=0 KTAP_FAIL=0
ktap_plan() { echo "TAP version 13"; echo "1..$1"; }
ktap_ok() { KTAP_N=$((KTAP_N + 1)); echo "ok $KTAP_N $*"; }
ktap_not_ok() { KTAP_N=$((KTAP_N + 1)); KTAP_FAIL=$((KTAP_FAIL + 1)); echo "not ok $KTAP_N $*"; }
ktap_skip() { KTAP_N=$((KTAP_N + 1)); echo "ok $KTAP_N $1 # SKIP ${*:2}"; }
# ktap_check NAME CMD...: ok if CMD succeeds.
ktap_check() { local n=$1; shift; if "$@"; then ktap_ok "$n"; else ktap_not_ok "$n"; fi; }
ktap_exit() { exit $(( KTAP_FAIL ? 1 : 0 )); }
