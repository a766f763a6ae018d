#!/bin/bash
# Install the Debian 12 packages this project needs, when missing, and
# any named on the command line (build-configs.sh: clang for its clang
# variant).  Runs as root (or through sudo); says what it installs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/base.conf"
pkgs="build-essential git bc bison flex libelf-dev libssl-dev
	ccache quilt rsync cpio xz-utils perl python3 qemu-system-x86
	rdma-core ibverbs-utils ibverbs-providers libibverbs-dev
	ndctl xfsprogs e2fsprogs iproute2 kmod strace sparse coccinelle gnuplot-nox
	$*"
missing=()
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# The base at the version the patches and figures are for, not just any.
[ "$(dpkg-query -W -f='${Version}' "$BASE_PKG" 2>/dev/null)" = "$BASE_DEB_VERSION" ] ||
	missing+=("$BASE_PKG=$BASE_DEB_VERSION")
[ ${#missing[@]} = 0 ] && exit 0
echo "setup: installing Debian packages: ${missing[*]}"
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends --allow-downgrades "${missing[@]}"
