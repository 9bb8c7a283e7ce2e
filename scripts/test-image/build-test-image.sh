#!/usr/bin/env bash
# Builds the vblk-bench test image: a small bootable qcow2 disk standing in for
# a user's own guest image ("bring your own guest"), from Debian packages and
# the built-in guest. It boots like a distribution cloud image: SeaBIOS →
# MBR → SYSLINUX → Linux + a boot initramfs → ext4 root → /sbin/init, which
# reads a cloud-init NoCloud seed (see init). Used by the end-to-end tests of
# `guest: {kind: image}`; `vblk-bench guest test-image` builds it on demand.
#
#   OUTDIR/vblk-test-image.qcow2   the disk (MBR: p1 FAT16 /boot, p2 ext4 root)
#   OUTDIR/manifest.json           what went in, sha256 and size of the qcow2
#
# Usage: scripts/test-image/build-test-image.sh GUEST_DIR OUTDIR
#   GUEST_DIR: a built-in guest image directory (vmlinuz, initramfs.cpio.zst,
#   manifest.json): its kernel, busybox, static fio and dropbear are reused.
# Environment: VBLK_TESTIMG_KPKG, VBLK_TESTIMG_KPKG_VERSION, VBLK_TESTIMG_KVER,
#   VBLK_TESTIMG_DROPBEAR_VERSION (from the guest's manifest, set by the caller),
#   VBLK_TESTIMG_INPUTS_HASH (recorded), TMPDIR.
# Never installs anything on the host and never mounts anything: packages are
# `dpkg -x`-ed, filesystems are written as files (mkfs.ext4 -d, mtools).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
START_EPOCH=$(date +%s)
say() { printf '[build-test-image %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[build-test-image] ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 GUEST_DIR OUTDIR"
GUEST_DIR=$(cd "$1" && pwd)
OUTDIR_ARG=$2
for v in VBLK_TESTIMG_KPKG VBLK_TESTIMG_KPKG_VERSION VBLK_TESTIMG_KVER VBLK_TESTIMG_DROPBEAR_VERSION; do
  [ -n "${!v:-}" ] || die "$v is not set"
done
KPKG=$VBLK_TESTIMG_KPKG
KVER=$VBLK_TESTIMG_KVER
for tool in apt-get dpkg-deb zstd cpio depmod modprobe mkfs.ext4 qemu-img sha256sum readelf dd; do
  command -v "$tool" >/dev/null 2>&1 || die "missing host tool $tool (run scripts/setup-host.sh as root)"
done
for f in vmlinuz initramfs.cpio.zst; do [ -f "$GUEST_DIR/$f" ] || die "$GUEST_DIR has no $f"; done

mkdir -p "$(dirname "$OUTDIR_ARG")"
OUTDIR=$(cd "$(dirname "$OUTDIR_ARG")" && pwd)/$(basename "$OUTDIR_ARG")
STAGE="$OUTDIR.tmp-$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vblk-test-image.XXXXXX")
cleanup() { local rc=$?; rm -rf "$STAGE" "$WORK"; exit "$rc"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rm -rf "$STAGE"
mkdir -p "$STAGE"

# ---------------------------------------------------------------- packages
APT_OPTS=(-o APT::Sandbox::User=root -q)
PKGS=("$KPKG=$VBLK_TESTIMG_KPKG_VERSION" "dropbear-bin=$VBLK_TESTIMG_DROPBEAR_VERSION" syslinux syslinux-common mtools)
mkdir -p "$WORK/debs"
( cd "$WORK/debs" && apt-get "${APT_OPTS[@]}" download "${PKGS[@]}" >"$WORK/apt.log" 2>&1 ) \
  || { tail -n 5 "$WORK/apt.log" >&2; die "apt-get download failed for: ${PKGS[*]} (if the mirror no longer has $KPKG $VBLK_TESTIMG_KPKG_VERSION, rebuild the built-in guest: vblk-bench guest build --force)"; }
KDIR="$WORK/kernel"
XDIR="$WORK/x"
for deb in "$WORK"/debs/*.deb; do
  case "$(basename "$deb")" in
    linux-image-*) dpkg -x "$deb" "$KDIR" ;;
    *) dpkg -x "$deb" "$XDIR" ;;
  esac
done
[ -d "$KDIR/lib/modules/$KVER" ] || die "$KPKG has no modules for $KVER"
say "packages: $(cd "$WORK/debs" && ls | tr '\n' ' ')"
depmod -b "$KDIR" "$KVER"

# Copies a module and everything it depends on (kmod's own resolution) from the kernel package into ROOT.
install_modules() {
  local root=$1 m line ko
  shift
  for m in "$@"; do
    while read -r line; do
      case "$line" in
        insmod\ *) ko=${line#insmod }; ko=${ko%% *} ;;
        builtin\ *) continue ;;
        *) die "modprobe --show-depends $m: unexpected line: $line" ;;
      esac
      mkdir -p "$root/$(dirname "${ko#"$KDIR"/}")"
      cp "$ko" "$root/${ko#"$KDIR"/}"
    done < <(modprobe -d "$KDIR" -S "$KVER" --show-depends "$m" || die "kernel $KVER has no module $m")
  done
  for f in modules.builtin modules.builtin.modinfo modules.order; do
    [ -e "$KDIR/lib/modules/$KVER/$f" ] && cp "$KDIR/lib/modules/$KVER/$f" "$root/lib/modules/$KVER/$f"
  done
  depmod -b "$root" "$KVER"
}

# ---------------------------------------------------------------- root filesystem
# The built-in guest's userland (busybox, static fio, dropbear and its
# libraries) becomes a real root filesystem: its own /sbin/init, no client
# key (the seed brings one), its own baked host key.
ROOT="$WORK/root"
mkdir -p "$ROOT"
zstd -dcq "$GUEST_DIR/initramfs.cpio.zst" | ( cd "$ROOT" && cpio -idm --quiet --no-absolute-filenames )
rm -f "$ROOT/init" "$ROOT/root/.ssh/authorized_keys" "$ROOT/etc/dropbear/dropbear_ed25519_host_key" "$ROOT/etc/vblk-guest-release"
rm -rf "$ROOT/lib/modules"
install_modules "$ROOT" virtio_pci virtio_blk virtio_net bfq kyber-iosched isofs ext4
install -m 0755 "$SCRIPT_DIR/init" "$ROOT/sbin/init"
install -m 0755 "$XDIR/usr/bin/dropbearconvert" "$ROOT/usr/bin/dropbearconvert"
for n in $(readelf -dW "$ROOT/usr/bin/dropbearconvert" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  [ -e "$ROOT/lib/x86_64-linux-gnu/$n" ] || die "dropbearconvert needs $n, which the guest's root does not have"
done
LD_SO="$ROOT/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
"$LD_SO" --library-path "$ROOT/lib/x86_64-linux-gnu" "$XDIR/usr/bin/dropbearkey" -t ed25519 \
  -f "$ROOT/etc/dropbear/dropbear_ed25519_host_key" >/dev/null 2>&1 || die "dropbearkey failed"
chmod 600 "$ROOT/etc/dropbear/dropbear_ed25519_host_key"
mkdir -p "$ROOT/run/seed" "$ROOT/mnt" "$ROOT/boot"
printf 'vblk-bench test image (stands in for a cloud image)\nKERNEL=%s\n' "$KVER" > "$ROOT/etc/vblk-test-image-release"

# ---------------------------------------------------------------- boot initramfs
IRD="$WORK/initrd"
mkdir -p "$IRD"/{bin,sbin,dev,proc,sys,newroot}
cp "$ROOT/bin/busybox" "$IRD/bin/busybox"
for a in sh mount umount modprobe findfs sleep mkdir switch_root echo; do ln -s busybox "$IRD/bin/$a"; done
ln -s ../bin/busybox "$IRD/sbin/modprobe"
ln -s ../bin/busybox "$IRD/sbin/switch_root"
install_modules "$IRD" virtio_pci virtio_blk ext4
install -m 0755 "$SCRIPT_DIR/initrd-init" "$IRD/init"
( cd "$IRD" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible ) \
  | zstd -q -19 > "$WORK/initrd.img"
say "boot initramfs: $(stat -c %s "$WORK/initrd.img") bytes"

# ---------------------------------------------------------------- disk: MBR, p1 FAT16 (SYSLINUX), p2 ext4
SECTOR=512
P1_START=2048; P1_SECTORS=65536     # 32 MiB
P2_START=$((P1_START + P1_SECTORS)); P2_SECTORS=196608  # 96 MiB
TOTAL=$((P2_START + P2_SECTORS))
export PATH="$XDIR/usr/bin:$PATH"   # mtools, syslinux (which runs mtools)
cat > "$WORK/syslinux.cfg" <<CFG
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  APPEND initrd=/initrd.img console=ttyS0 panic=-1 quiet loglevel=4
CFG
mformat -i "$WORK/p1.img" -C -T "$P1_SECTORS" -h 64 -s 32 -H "$P1_START" -v VBLKBOOT ::
mcopy -i "$WORK/p1.img" "$GUEST_DIR/vmlinuz" "$WORK/initrd.img" "$WORK/syslinux.cfg" ::/
syslinux --install "$WORK/p1.img"
mkfs.ext4 -q -F -L vblk-root -d "$ROOT" "$WORK/p2.img" $((P2_SECTORS * SECTOR / 1024))k

le32() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))\\x$(printf %02x $((($1 >> 16) & 255)))\\x$(printf %02x $((($1 >> 24) & 255)))"; }
partition_entry() { # boot-flag type start sectors (CHS fields: the LBA-only marker fe ff ff)
  printf "\\x$1\\xfe\\xff\\xff\\x$2\\xfe\\xff\\xff"; le32 "$3"; le32 "$4"
}
DISK="$WORK/disk.raw"
truncate -s $((TOTAL * SECTOR)) "$DISK"
dd if="$XDIR/usr/lib/syslinux/mbr/mbr.bin" of="$DISK" bs=440 count=1 conv=notrunc status=none
{ printf 'VBLK\x00\x00'; partition_entry 80 0e "$P1_START" "$P1_SECTORS"; partition_entry 00 83 "$P2_START" "$P2_SECTORS";
  head -c 32 /dev/zero; printf '\x55\xaa'; } | dd of="$DISK" bs=1 seek=440 conv=notrunc status=none
dd if="$WORK/p1.img" of="$DISK" bs=$SECTOR seek="$P1_START" conv=notrunc,sparse status=none
dd if="$WORK/p2.img" of="$DISK" bs=$SECTOR seek="$P2_START" conv=notrunc,sparse status=none
qemu-img convert -q -f raw -O qcow2 "$DISK" "$STAGE/vblk-test-image.qcow2"
chmod 0644 "$STAGE/vblk-test-image.qcow2"

# ---------------------------------------------------------------- manifest, publish
SUM=$(sha256sum "$STAGE/vblk-test-image.qcow2" | cut -d' ' -f1)
SIZE=$(stat -c %s "$STAGE/vblk-test-image.qcow2")
GUEST_HASH=$(sha256sum "$GUEST_DIR/manifest.json" | cut -d' ' -f1)
cat > "$STAGE/manifest.json" <<JSON
{
  "schemaVersion": 1,
  "image": "vblk-test-image.qcow2",
  "sha256": "$SUM",
  "size": $SIZE,
  "kernelVersion": "$KVER",
  "guestManifestSha256": "$GUEST_HASH",
  "packages": "$(cd "$WORK/debs" && ls | tr '\n' ' ' | sed 's/ $//')",
  "inputsHash": "${VBLK_TESTIMG_INPUTS_HASH:-}",
  "buildSeconds": $(( $(date +%s) - START_EPOCH )),
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
rm -rf "$OUTDIR"
mv "$STAGE" "$OUTDIR"
say "done in $(( $(date +%s) - START_EPOCH ))s: $OUTDIR/vblk-test-image.qcow2 ($SIZE bytes)"
