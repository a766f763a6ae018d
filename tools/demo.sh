#!/bin/bash
# make demo: build what is missing, boot the VM and tell the story.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tools/build-kernel.sh project || exit 1
make -s -C selftests || exit 1
echo "demo: booting the VM (QEMU, TCG); kernel messages go to build/vm/demo/console.log"
tools/vm-run -Q -o build/vm/demo -t 900 -- bash tools/demo-guest.sh
