#!/bin/bash
# Install the Debian 12 packages this project needs, when missing.
# Runs as root (or through sudo); says what it installs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/base.conf"
pkgs="$BASE_PKG build-essential bc bison flex libelf-dev libssl-dev
	ccache quilt rsync cpio xz-utils perl python3 qemu-system-x86
	rdma-core ibverbs-utils ibverbs-providers libibverbs-dev
	ndctl xfsprogs e2fsprogs iproute2 kmod strace sparse coccinelle gnuplot-nox"
missing=()
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
echo "setup: installing Debian packages: ${missing[*]}"
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
