#!/usr/bin/env bash
# `make install-dev` and a part of the suite (SQLite) under another Debian's Python, in a throwaway
# root: Debian 13 (trixie) has Python 3.13. As root:
#
#   deploy/test-python-chroot.sh [SUITE [PYTEST ARGS...]]
#       default: trixie tests/supervision/test_rules.py tests/test_constraints.py
#
# What runs is the checkout's HEAD with its uncommitted changes to tracked files. The Debian
# root and the downloads are cached in /var/cache/gongjian-ci (GJ_CACHE) as for
# deploy/test-install-chroot.sh; everything it mounts is unmounted, everything it started in the
# root is stopped, and the root is removed (unless GJ_KEEP=1). Exit status: pytest's.
set -euo pipefail

SUITE=${1:-trixie}
shift || true
if [ "$#" -eq 0 ]; then set -- tests/supervision/test_rules.py tests/test_constraints.py; fi
ROOT=${GJ_CHROOT:-/var/tmp/gj-root-$SUITE}
CACHE=${GJ_CACHE:-/var/cache/gongjian-ci}
MIRROR=${GJ_MIRROR:-http://deb.debian.org/debian}
KEEP=${GJ_KEEP:-0}
SOURCE=$(cd "$(dirname "$0")/.." && pwd)
STARTED=$SECONDS

case "$ROOT" in
  /var/tmp/?*) ;;
  *) echo "GJ_CHROOT must be a directory under /var/tmp, not $ROOT" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
  echo "test-python-chroot.sh: run as root (debootstrap, chroot and mount need it)" >&2
  exit 2
fi

stage() { printf '\n## %s (at %ds)\n' "$*" "$((SECONDS - STARTED))"; }
in_root() {
  chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1 "$@"
}
mounted_under_root() { findmnt -rn -o TARGET | grep -q "^$ROOT/"; }
stop_root_processes() {
  local pid pids signal
  for signal in TERM KILL; do
    pids=()
    for pid in /proc/[0-9]*; do
      [ "$(readlink "$pid/root" 2>/dev/null)" = "$ROOT" ] && pids+=("${pid#/proc/}")
    done
    [ "${#pids[@]}" -gt 0 ] || return 0
    kill "-$signal" "${pids[@]}" 2>/dev/null || true
    [ "$signal" = KILL ] || sleep 2
  done
}
unmount_all() {
  local target
  for target in dev/shm dev/pts dev proc root/.cache/pip var/cache/apt/archives var/lib/apt/lists; do
    if mountpoint -q "$ROOT/$target" 2>/dev/null; then
      umount "$ROOT/$target" || umount -l "$ROOT/$target"
    fi
  done
}
# shellcheck disable=SC2317  # run by the trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ -d "$ROOT" ] || exit "$status"
  stop_root_processes
  unmount_all
  if mounted_under_root; then
    echo "still mounted under $ROOT, left in place" >&2
  elif [ "$KEEP" != 1 ]; then
    rm -rf --one-file-system "$ROOT"
  fi
  echo "$((SECONDS - STARTED))s in all"
  exit "$status"
}

stage "a clean Debian $SUITE root in $ROOT"
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
if [ -e "$ROOT" ]; then
  stop_root_processes
  unmount_all
  if mounted_under_root; then echo "something is still mounted under $ROOT" >&2; exit 1; fi
  rm -rf --one-file-system "$ROOT"
fi
trap cleanup EXIT INT TERM
mkdir -p "$CACHE"
DEBS_TARBALL=$CACHE/$SUITE-minbase-debs.tgz
ROOT_TARBALL=$CACHE/$SUITE-minbase-root.tar
if [ ! -s "$ROOT_TARBALL" ]; then
  if [ ! -s "$DEBS_TARBALL" ]; then
    debootstrap --variant=minbase --make-tarball="$DEBS_TARBALL.new" "$SUITE" "$ROOT.debs" "$MIRROR"
    mv "$DEBS_TARBALL.new" "$DEBS_TARBALL"
    rm -rf --one-file-system "$ROOT.debs"
  fi
  debootstrap --variant=minbase --unpack-tarball="$DEBS_TARBALL" "$SUITE" "$ROOT" "$MIRROR"
  tar -C "$ROOT" -cf "$ROOT_TARBALL.new" .
  mv "$ROOT_TARBALL.new" "$ROOT_TARBALL"
else
  mkdir -p "$ROOT"
  tar -C "$ROOT" -xf "$ROOT_TARBALL"
fi
mkdir -p "$CACHE/apt-$SUITE/archives/partial" "$CACHE/apt-$SUITE/lists/partial" "$CACHE/pip-$SUITE" \
  "$ROOT/root/.cache/pip" "$ROOT/usr/local/share/ca-certificates"
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$ROOT/dev/shm"
mount --bind "$CACHE/apt-$SUITE/archives" "$ROOT/var/cache/apt/archives"
mount --bind "$CACHE/apt-$SUITE/lists" "$ROOT/var/lib/apt/lists"
mount --bind "$CACHE/pip-$SUITE" "$ROOT/root/.cache/pip"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# This machine's own certificate authorities (a proxy's) in the root's trust store.
cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"

stage "python3 python3-venv make from Debian $SUITE"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv make \
  ca-certificates >/dev/null
in_root python3 -VV

stage "the code: $(git -C "$SOURCE" rev-parse --short HEAD) with its uncommitted changes"
COMMIT=$(git -C "$SOURCE" stash create)
COMMIT=${COMMIT:-$(git -C "$SOURCE" rev-parse HEAD)}
mkdir -p "$ROOT/root/gongjian"
git -C "$SOURCE" archive "$COMMIT" | tar -C "$ROOT/root/gongjian" -x

stage "make install-dev"
in_root make -C /root/gongjian install-dev
in_root /root/gongjian/.venv/bin/python -VV

stage "pytest $* (SQLite)"
set +e
in_root sh -c 'cd /root/gongjian && exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"' \
  sh "$@"
status=$?
set -e
stage "done: pytest exit status $status"
exit "$status"
