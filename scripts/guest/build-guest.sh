#!/usr/bin/env bash
# Builds the vblk-bench built-in guest from Debian 12 packages:
#   OUTDIR/vmlinuz             Debian's bzImage
#   OUTDIR/vmlinux             the same kernel, uncompressed ELF (QEMU boots it via PVH)
#   OUTDIR/initramfs.cpio.zst  busybox, static fio, dropbear, virtio modules, /init
#   OUTDIR/id_ed25519[.pub]    SSH client key pair (OpenSSH format)
#   OUTDIR/host_key.pub        the guest's ed25519 host public key (one line)
#   OUTDIR/manifest.json       versions, fio build flags, sha256 of every file above
#
# Usage: scripts/guest/build-guest.sh OUTDIR
# Needs: Debian's apt mirror (binary + deb-src), the packages of scripts/setup-host.sh.
# Never installs anything into the host root: packages are only `dpkg -x`-ed into a
# temporary work dir. OUTDIR is written atomically (built as OUTDIR.tmp-PID, renamed).
#
# Environment: VBLK_GUEST_JOBS (make -j, default nproc), VBLK_GUEST_KEEP_WORK=1 (keep
# the work dir for debugging), VBLK_GUEST_INPUTS_HASH (recorded in the manifest),
# TMPDIR (where the work dir goes).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
START_EPOCH=$(date +%s)

say() { printf '[build-guest %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[build-guest] ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
OUTDIR_ARG=$1
[ "$(uname -m)" = x86_64 ] || die "only x86_64 hosts are supported (got $(uname -m))"

# ---------------------------------------------------------------- preflight
missing=()
for tool in apt-get apt-cache dpkg-deb dpkg-source gcc make strip readelf modinfo depmod \
            cpio zstd xz od dd sha256sum find sort install; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || die "missing host tools: ${missing[*]} (run scripts/setup-host.sh as root)"
for lib in libaio.a libz.a; do
  [ -e "/usr/lib/x86_64-linux-gnu/$lib" ] || die "missing /usr/lib/x86_64-linux-gnu/$lib (run scripts/setup-host.sh: libaio-dev zlib1g-dev)"
done

mkdir -p "$(dirname "$OUTDIR_ARG")"
OUTDIR=$(cd "$(dirname "$OUTDIR_ARG")" && pwd)/$(basename "$OUTDIR_ARG")
STAGE="$OUTDIR.tmp-$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vblk-guest-build.XXXXXX")

cleanup() {
  local rc=$?
  rm -rf "$STAGE"
  if [ "${VBLK_GUEST_KEEP_WORK:-0}" = 1 ]; then
    say "work dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
set -E
trap 'echo "[build-guest] ERROR: exit $? at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$STAGE"
mkdir -p "$STAGE"
say "work dir $WORK, staging $STAGE"

# As root, apt drops privileges to _apt, which cannot write into our work dir.
APT_OPTS=(-o APT::Sandbox::User=root -q)

# ---------------------------------------------------------------- packages
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null \
  | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
[ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 to a linux-image-6.1.0-N-amd64 package (apt-get update?)"
say "kernel package: $KPKG"

# dropbear's shared libraries: libtomcrypt1 (needs libgmp10), libtommath1, zlib1g,
# libcrypt1, libc6. The NEEDED closure is re-checked below against what is extracted.
PKGS=("$KPKG" busybox-static dropbear-bin libgmp10 libtomcrypt1 libtommath1 zlib1g libcrypt1 libc6)
mkdir -p "$WORK/debs"
( cd "$WORK/debs" && apt-get "${APT_OPTS[@]}" download "${PKGS[@]}" ) \
  || die "apt-get download failed for: ${PKGS[*]}"

deb_of() { ls "$WORK"/debs/"$1"_*.deb 2>/dev/null | head -n 1; }
pkg_version() { dpkg-deb -f "$(deb_of "$1")" Version; }

KDIR="$WORK/kernel"   # the kernel package, extracted
XDIR="$WORK/userland" # busybox, dropbear and its libraries, extracted
for p in "${PKGS[@]}"; do
  deb=$(deb_of "$p")
  [ -n "$deb" ] || die "apt-get download produced no .deb for $p"
  if [ "$p" = "$KPKG" ]; then dpkg -x "$deb" "$KDIR"; else dpkg -x "$deb" "$XDIR"; fi
done

KVER=$(ls "$KDIR/lib/modules" | head -n 1)
[ -n "$KVER" ] && [ -f "$KDIR/boot/vmlinuz-$KVER" ] || die "kernel package $KPKG has no vmlinuz/modules"
say "kernel $KVER ($(pkg_version "$KPKG"))"

# ---------------------------------------------------------------- static fio
say "building static fio from Debian's source package"
FIO_FLAGS=(--build-static --disable-native --disable-numa --disable-rdma --disable-rados
  --disable-rbd --disable-http --disable-gfapi --disable-pmem --disable-xnvme
  --disable-libzbc --disable-tcmalloc --disable-dfs --disable-shm)
mkdir -p "$WORK/src"
( cd "$WORK/src" && apt-get "${APT_OPTS[@]}" source fio >"$WORK/fio-source.log" 2>&1 ) \
  || { tail -n 20 "$WORK/fio-source.log" >&2; die "apt-get source fio failed (needs a deb-src entry: run scripts/setup-host.sh)"; }
FIO_SRC=$(find "$WORK/src" -maxdepth 1 -mindepth 1 -type d -name 'fio-*' | head -n 1)
[ -n "$FIO_SRC" ] || die "apt-get source fio left no fio-* directory"
FIO_SRC_VERSION=$(sed -n '1s/^fio (\([^)]*\)).*/\1/p' "$FIO_SRC/debian/changelog")
(
  cd "$FIO_SRC"
  ./configure "${FIO_FLAGS[@]}" >"$WORK/fio-configure.log" 2>&1
) || { tail -n 20 "$WORK/fio-configure.log" >&2; die "fio configure failed"; }
grep -Eq '^Static build +yes' "$WORK/fio-configure.log" || die "fio configure: static build not enabled"
grep -Eq '^Linux AIO support +yes' "$WORK/fio-configure.log" || die "fio configure: no libaio (install libaio-dev)"
( cd "$FIO_SRC" && make -j"${VBLK_GUEST_JOBS:-$(nproc)}" fio >"$WORK/fio-make.log" 2>&1 ) \
  || { tail -n 30 "$WORK/fio-make.log" >&2; die "fio build failed"; }
install -m 0755 "$FIO_SRC/fio" "$WORK/fio"
strip "$WORK/fio"
FIO_ELF=$(readelf -lW "$WORK/fio"; readelf -dW "$WORK/fio" 2>/dev/null || true)
if grep -q -e 'INTERP' -e '(NEEDED)' <<<"$FIO_ELF"; then
  die "fio is not statically linked"
fi
FIO_VERSION=$("$WORK/fio" --version)
ENGINES=$("$WORK/fio" --enghelp)
for e in libaio io_uring psync; do
  grep -qx "[[:space:]]*$e" <<<"$ENGINES" || die "static fio lacks the $e engine"
done
say "$FIO_VERSION: $(stat -c %s "$WORK/fio") bytes, static, engines libaio io_uring psync"

# ---------------------------------------------------------------- root filesystem
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,lib/x86_64-linux-gnu,lib64,etc/dropbear,root/.ssh,dev,proc,sys,run,tmp,var/log,var/run,mnt}
chmod 700 "$ROOT/root" "$ROOT/root/.ssh"
chmod 1777 "$ROOT/tmp"

# busybox + applet symlinks (the static binary runs on the host to list them)
install -m 0755 "$XDIR/bin/busybox" "$ROOT/bin/busybox"
BUSYBOX_VERSION=$("$ROOT/bin/busybox" 2>/dev/null | sed -n '1s/^BusyBox \(v[^ ]*\).*/\1/p')
while read -r applet; do
  case "$applet" in ''|linuxrc|bin/busybox) continue ;; esac
  [ -e "$ROOT/$applet" ] || [ -L "$ROOT/$applet" ] || ln -s /bin/busybox "$ROOT/$applet"
done < <("$ROOT/bin/busybox" --list-full)

install -m 0755 "$WORK/fio" "$ROOT/usr/bin/fio"
install -m 0755 "$XDIR/usr/sbin/dropbear" "$ROOT/usr/sbin/dropbear"
DROPBEAR_VERSION=$(pkg_version dropbear-bin)

# Shared-library closure of dropbear, resolved inside the extracted packages only.
LIBDIRS=("$XDIR/lib/x86_64-linux-gnu" "$XDIR/usr/lib/x86_64-linux-gnu")
find_lib() {
  local d
  for d in "${LIBDIRS[@]}"; do
    if [ -e "$d/$1" ]; then echo "$d/$1"; return 0; fi
  done
  return 1
}
declare -A SEEN=()
copy_needed() {
  local f=$1 n p
  for n in $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [ -n "${SEEN[$n]:-}" ] && continue
    SEEN[$n]=1
    p=$(find_lib "$n") || die "dropbear needs $n, which no downloaded package provides"
    cp -L "$p" "$ROOT/lib/x86_64-linux-gnu/$n"
    copy_needed "$p"
  done
}
copy_needed "$XDIR/usr/sbin/dropbear"
LD_SO="$XDIR/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
[ -e "$LD_SO" ] || die "libc6 has no ld-linux-x86-64.so.2"
cp -L "$LD_SO" "$ROOT/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$ROOT/lib64/ld-linux-x86-64.so.2"
say "dropbear $DROPBEAR_VERSION libraries: $(ls "$ROOT/lib/x86_64-linux-gnu" | tr '\n' ' ')"

# Kernel modules and their dependencies (from the modules' own `depends` field).
MODDIR="lib/modules/$KVER"
WANT_MODS=(virtio_pci virtio_blk virtio_net bfq kyber-iosched virtio_mmio)
declare -A MODSEEN=()
add_module() {
  local name=$1 f deps d
  [ -n "${MODSEEN[$name]:-}" ] && return 0
  MODSEEN[$name]=1
  f=$(find "$KDIR/$MODDIR/kernel" -name "$name.ko*" | head -n 1)
  if [ -z "$f" ]; then
    f=$(find "$KDIR/$MODDIR/kernel" -name "${name//_/-}.ko*" -o -name "${name//-/_}.ko*" | head -n 1)
  fi
  [ -n "$f" ] || die "kernel $KVER has no module $name"
  mkdir -p "$ROOT/$(dirname "${f#"$KDIR"/}")"
  cp "$f" "$ROOT/${f#"$KDIR"/}"
  deps=$(modinfo -F depends "$f")
  for d in ${deps//,/ }; do add_module "$d"; done
}
for m in "${WANT_MODS[@]}"; do add_module "$m"; done
for f in modules.builtin modules.builtin.modinfo modules.order; do
  [ -e "$KDIR/$MODDIR/$f" ] && cp "$KDIR/$MODDIR/$f" "$ROOT/$MODDIR/$f"
done
depmod -b "$ROOT" "$KVER"
[ -s "$ROOT/$MODDIR/modules.dep" ] || die "depmod wrote no modules.dep"
MODULES_LIST=$(cd "$ROOT/$MODDIR/kernel" && find . -name '*.ko*' -printf '%f\n' | sed 's/\.ko.*//' | sort | tr '\n' ' ')
say "modules: $MODULES_LIST"

# Users, shells, SSH keys.
cat > "$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
EOF
cat > "$ROOT/etc/shadow" <<'EOF'
root:*:19000:0:99999:7:::
EOF
chmod 600 "$ROOT/etc/shadow"
cat > "$ROOT/etc/group" <<'EOF'
root:x:0:
tty:x:5:
EOF
printf '/bin/sh\n/bin/ash\n' > "$ROOT/etc/shells"
echo vblk-guest > "$ROOT/etc/hostname"
printf 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n' > "$ROOT/etc/profile"

# Host tools: run the extracted dropbearkey/dropbearconvert with the extracted loader
# and libc, so a host libc of another version cannot get in the way.
LIBPATH="$XDIR/lib/x86_64-linux-gnu:$XDIR/usr/lib/x86_64-linux-gnu"
dbtool() { "$LD_SO" --library-path "$LIBPATH" "$@"; }
pubkey_of() { # prints `ssh-ed25519 AAAA...` of a dropbear key file
  dbtool "$XDIR/usr/bin/dropbearkey" -y -f "$1" | awk '$1 == "ssh-ed25519" && !done { print $1 " " $2; done = 1 }'
}
KEYS="$WORK/keys"
mkdir -p "$KEYS"
dbtool "$XDIR/usr/bin/dropbearkey" -t ed25519 -f "$KEYS/host.dropbear" >/dev/null 2>&1 \
  || die "dropbearkey (host key) failed"
dbtool "$XDIR/usr/bin/dropbearkey" -t ed25519 -f "$KEYS/client.dropbear" >/dev/null 2>&1 \
  || die "dropbearkey (client key) failed"
dbtool "$XDIR/usr/bin/dropbearconvert" dropbear openssh "$KEYS/client.dropbear" "$KEYS/id_ed25519" >/dev/null 2>&1 \
  || die "dropbearconvert failed"
grep -q 'BEGIN OPENSSH PRIVATE KEY' "$KEYS/id_ed25519" || die "client key is not in OpenSSH format"
HOST_PUB=$(pubkey_of "$KEYS/host.dropbear")
CLIENT_PUB=$(pubkey_of "$KEYS/client.dropbear")
[ -n "$HOST_PUB" ] && [ -n "$CLIENT_PUB" ] || die "cannot read back the generated public keys"

install -m 0600 "$KEYS/host.dropbear" "$ROOT/etc/dropbear/dropbear_ed25519_host_key"
chmod 700 "$ROOT/etc/dropbear"
printf '%s vblk-bench-client\n' "$CLIENT_PUB" > "$ROOT/root/.ssh/authorized_keys"
chmod 600 "$ROOT/root/.ssh/authorized_keys"

install -m 0755 "$SCRIPT_DIR/init" "$ROOT/init"
cat > "$ROOT/etc/vblk-guest-release" <<EOF
KERNEL=$KVER
KERNEL_PACKAGE=$KPKG $(pkg_version "$KPKG")
BUSYBOX=$BUSYBOX_VERSION
DROPBEAR=$DROPBEAR_VERSION
FIO=$FIO_VERSION
EOF

# ---------------------------------------------------------------- initramfs
say "packing initramfs"
( cd "$ROOT" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort \
    | cpio --quiet -o -H newc -R 0:0 --reproducible ) > "$WORK/initramfs.cpio"
zstd -q -19 -T0 --check -o "$STAGE/initramfs.cpio.zst" "$WORK/initramfs.cpio"
say "initramfs: $(stat -c %s "$WORK/initramfs.cpio") bytes raw, $(stat -c %s "$STAGE/initramfs.cpio.zst") zstd"

# ---------------------------------------------------------------- kernel
install -m 0644 "$KDIR/boot/vmlinuz-$KVER" "$STAGE/vmlinuz"

# vmlinux: like the kernel's scripts/extract-vmlinux, but the payload is located
# exactly from the x86 boot header (setup_sects at 0x1f1, payload_offset/length at
# 0x248/0x24c, boot protocol >= 2.08), then decompressed by its magic.
u8_at() { od -An -t u1 -j "$2" -N 1 "$1" | tr -d ' '; }
u32_at() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
extract_vmlinux() {
  local img=$1 out=$2 setup_sects off len magic notes
  [ "$(dd if="$img" bs=1 skip=$((0x202)) count=4 status=none)" = HdrS ] || die "$img is not a bzImage"
  setup_sects=$(u8_at "$img" $((0x1f1)))
  [ "$setup_sects" -eq 0 ] && setup_sects=4
  off=$(( (setup_sects + 1) * 512 + $(u32_at "$img" $((0x248))) ))
  len=$(u32_at "$img" $((0x24c)))
  payload() { dd if="$img" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="${1:-$len}" status=none; }
  magic=$(dd if="$img" bs=1 skip="$off" count=6 status=none | od -An -t x1 | tr -d ' \n')
  case "$magic" in
    fd377a585a00*) payload | xz -dc --single-stream > "$out" ;;
    28b52ffd*)     payload $((len - 4)) | zstd -dcq > "$out" ;;  # drop the 4-byte size trailer
    1f8b*)         payload | gzip -dc > "$out" 2>/dev/null || true ;;     # trailer: gzip warns
    5d0000*)       payload | xz -dc --format=lzma > "$out" 2>/dev/null || true ;;
    *) die "unknown kernel payload compression (magic $magic)" ;;
  esac
  [ "$(od -An -t x1 -N 4 "$out" | tr -d ' \n')" = 7f454c46 ] || die "extracted vmlinux is not an ELF file"
  # XEN_ELFNOTE_PHYS32_ENTRY (type 0x12) is what makes QEMU take the PVH entry.
  notes=$(readelf -nW "$out")
  grep -q -e 'note type: (0x00000012)' -e 'XEN_ELFNOTE_PHYS32_ENTRY' <<<"$notes" \
    || say "warning: vmlinux has no PVH entry note; QEMU cannot boot it directly"
}
extract_vmlinux "$STAGE/vmlinuz" "$STAGE/vmlinux"
chmod 0644 "$STAGE/vmlinux"
say "vmlinux: $(stat -c %s "$STAGE/vmlinux") bytes"

# ---------------------------------------------------------------- keys, manifest
install -m 0600 "$KEYS/id_ed25519" "$STAGE/id_ed25519"
printf '%s vblk-bench-client\n' "$CLIENT_PUB" > "$STAGE/id_ed25519.pub"
printf '%s\n' "$HOST_PUB" > "$STAGE/host_key.pub"
chmod 0644 "$STAGE/id_ed25519.pub" "$STAGE/host_key.pub"

json_str() { # JSON string literal of $1
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}
json_arr() { # JSON array of strings from the arguments
  local first=1 x
  printf '['
  for x in "$@"; do
    [ $first -eq 1 ] || printf ', '
    first=0
    json_str "$x"
  done
  printf ']'
}
FILES=(vmlinuz vmlinux initramfs.cpio.zst id_ed25519 id_ed25519.pub host_key.pub)
read -r -a MODULES_ARR <<<"$MODULES_LIST"
BUILD_SECONDS=$(( $(date +%s) - START_EPOCH ))
{
  printf '{\n'
  printf '  "schemaVersion": 1,\n'
  printf '  "kernelVersion": %s,\n' "$(json_str "$KVER")"
  printf '  "kernelPackage": {"name": %s, "version": %s},\n' "$(json_str "$KPKG")" "$(json_str "$(pkg_version "$KPKG")")"
  printf '  "busybox": {"package": "busybox-static", "version": %s, "packageVersion": %s},\n' \
    "$(json_str "$BUSYBOX_VERSION")" "$(json_str "$(pkg_version busybox-static)")"
  printf '  "dropbear": {"package": "dropbear-bin", "version": %s},\n' "$(json_str "$DROPBEAR_VERSION")"
  printf '  "fio": {"version": %s, "sourcePackageVersion": %s, "static": true, "configureFlags": %s},\n' \
    "$(json_str "$FIO_VERSION")" "$(json_str "$FIO_SRC_VERSION")" "$(json_arr "${FIO_FLAGS[@]}")"
  printf '  "modules": %s,\n' "$(json_arr "${MODULES_ARR[@]}")"
  printf '  "files": {\n'
  n=${#FILES[@]}; i=0
  for f in "${FILES[@]}"; do
    i=$((i + 1))
    sum=$(sha256sum "$STAGE/$f" | cut -d' ' -f1)
    sep=','; [ $i -eq $n ] && sep=''
    printf '    %s: {"sha256": "%s", "size": %s}%s\n' "$(json_str "$f")" "$sum" "$(stat -c %s "$STAGE/$f")" "$sep"
  done
  printf '  },\n'
  if [ -n "${VBLK_GUEST_INPUTS_HASH:-}" ]; then
    printf '  "inputsHash": %s,\n' "$(json_str "$VBLK_GUEST_INPUTS_HASH")"
  fi
  printf '  "buildSeconds": %s,\n' "$BUILD_SECONDS"
  printf '  "builtAt": %s\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
  printf '}\n'
} > "$STAGE/manifest.json"

# ---------------------------------------------------------------- publish atomically
if [ -e "$OUTDIR" ]; then
  mv "$OUTDIR" "$OUTDIR.old-$$"
  mv "$STAGE" "$OUTDIR"
  rm -rf "$OUTDIR.old-$$"
else
  mv "$STAGE" "$OUTDIR"
fi
say "done in ${BUILD_SECONDS}s: $OUTDIR"
