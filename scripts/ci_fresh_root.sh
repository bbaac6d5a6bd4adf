#!/usr/bin/env bash
# Runs .ci/run, as CI does, from a fresh clone of this repository's main
# inside a new minimal Debian bookworm root (debootstrap --variant=minbase:
# no compiler, git, Python, BLAS or certificates), so that a package the
# script forgets to install shows up here rather than on CI's fresh machine.
# Only the Go toolchain is bind-mounted, read-only; the CA certificates this
# machine trusts locally (/usr/local/share/ca-certificates) are copied in,
# as a machine of the same image has them.
#
# Usage, as root: scripts/ci_fresh_root.sh [ROOT_DIR]   (default /var/tmp/fpfind-fresh)
# Needs debootstrap (apt-get install debootstrap) and Debian's package
# mirror; takes about 4-8 minutes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/fpfind-fresh}
goroot=$(go env GOROOT)

unmount() {
  for m in dev/pts dev proc sys/fs/cgroup sys usr/local/go; do umount -l "$root/$m" 2>/dev/null || true; done
}
trap unmount EXIT
unmount
rm -rf "$root"
debootstrap --variant=minbase bookworm "$root" >/dev/null
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null && rm -f "$root/etc/apt/sources.list" || true
cp /etc/resolv.conf "$root/etc/"
mkdir -p "$root/usr/local/share/ca-certificates" "$root/usr/local/go"
cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
# The control groups, as a machine has them mounted (slurmd refuses to start
# without them, for the Slurm tests).
mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
mount --bind "$goroot" "$root/usr/local/go"
mount -o remount,bind,ro "$root/usr/local/go"
git clone -q --branch main "$repo" "$root/root/fpfind"
chroot "$root" /usr/bin/env -i PATH=/usr/local/go/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root CI=true TERM=dumb \
  bash -c 'cd /root/fpfind && bash .ci/run < /dev/null'
