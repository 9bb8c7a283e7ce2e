#!/usr/bin/env bash
# Installs the host prerequisites of vblk-bench from Debian 12's own packages.
# This is the explicit setup step: `vblk-bench run` never calls apt itself,
# because it runs on shared KVM hosts where installing is an administrator's call.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-host.sh: run as root (it installs Debian packages)" >&2
  exit 2
fi

export DEBIAN_FRONTEND=noninteractive

# `apt-get source fio` (the guest's static fio is built from Debian's source
# package) needs a deb-src entry. Add one for the configured mirror if absent.
SRC_LIST=/etc/apt/sources.list.d/vblk-bench-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  cat > "$SRC_LIST" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  qemu-system-x86 qemu-utils qemu-system-common \
  fio zstd xz-utils cpio kmod util-linux procps iproute2 \
  dpkg-dev gcc make libc6-dev libaio-dev zlib1g-dev \
  genisoimage e2fsprogs ca-certificates dropbear-bin chromium >/dev/null
echo "setup-host.sh: host packages installed"
