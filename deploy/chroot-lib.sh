# shellcheck shell=bash
# What deploy/test-install-chroot.sh and deploy/test-python-chroot.sh share: a throwaway Debian
# root (debootstrap minbase) made from the cache, commands run in it, and on exit every process
# started in it stopped, everything mounted in it unmounted and the root removed.
#
# Sourced by a script that has set SUITE (a Debian suite) and ROOT (a directory under /var/tmp),
# and ROOT_ENV (VAR=VALUE words every command in the root gets) where it wants more than the
# usual environment:
#
#   . "$(dirname "$0")/chroot-lib.sh"
#
# Cached in /var/cache/gongjian-ci (GJ_CACHE), per suite: debootstrap's package tarball
# ($SUITE-minbase-debs.tgz), the unpacked root as a tar ($SUITE-minbase-root.tar), the .debs and
# package lists apt fetches (apt-$SUITE/), pip's cache (pip-$SUITE/). The root is kept when GJ_KEEP=1.

CACHE=${GJ_CACHE:-/var/cache/gongjian-ci}
MIRROR=${GJ_MIRROR:-http://deb.debian.org/debian}
KEEP=${GJ_KEEP:-0}
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -n "${ROOT_ENV+set}" ] || ROOT_ENV=()

# COMMAND:PACKAGE...: stop unless ROOT is under /var/tmp and this runs as root; then install from
# Debian the package of each command that is missing here.
preflight() {
  local need missing=()
  case "$ROOT" in
    /var/tmp/?*) ;;
    *) echo "GJ_CHROOT must be a directory under /var/tmp, not $ROOT" >&2; exit 2 ;;
  esac
  if [ "$(id -u)" -ne 0 ]; then
    echo "${0##*/}: run as root (debootstrap, chroot and mount need it)" >&2
    exit 2
  fi
  for need in "$@"; do
    command -v "${need%%:*}" >/dev/null || missing+=("${need#*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

STARTED=$SECONDS
stage() { printf '\n## %s (at %ds)\n' "$*" "$((SECONDS - STARTED))"; }

in_root() {
  chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ${ROOT_ENV[@]+"${ROOT_ENV[@]}"} "$@"
}

# PACKAGE...: from the root's Debian suite, with fresh package lists.
root_apt_install() {
  in_root apt-get update -qq
  in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The process ids of the processes whose root is the root, one a line.
root_pids() {
  local pid
  for pid in /proc/[0-9]*; do
    if [ "$(readlink "$pid/root" 2>/dev/null)" = "$ROOT" ]; then echo "${pid#/proc/}"; fi
  done
}

mounted_under_root() { findmnt -rn -o TARGET | grep -q "^$ROOT/"; }

stop_root_processes() {
  local pid pids signal alive
  for signal in TERM KILL; do
    mapfile -t pids < <(root_pids)
    [ "${#pids[@]}" -gt 0 ] || return 0
    kill "-$signal" "${pids[@]}" 2>/dev/null || true
    [ "$signal" = KILL ] || for _ in $(seq 20); do  # up to 10 s for them to end
      alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" -eq 1 ] || return 0
      sleep 0.5
    done
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
    echo "still mounted under $ROOT, left in place:" >&2
    findmnt -rn -o TARGET | grep "^$ROOT/" >&2
  elif [ "$KEEP" != 1 ]; then
    rm -rf --one-file-system "$ROOT"
  fi
  echo "stopped, unmounted and cleaned up: $((SECONDS - STARTED))s in all"
  exit "$status"
}

# A clean Debian $SUITE root in $ROOT, from the cache when it is there, with /proc, /dev and the
# caches mounted, this machine's DNS and certificate authorities, and no daemon started by a
# package's scripts (policy-rc.d, as in Debian's container images). Cleaned up on exit.
make_root() {
  local debs_tarball=$CACHE/$SUITE-minbase-debs.tgz root_tarball=$CACHE/$SUITE-minbase-root.tar
  stage "a clean Debian $SUITE root in $ROOT"
  if [ -e "$ROOT" ]; then
    stop_root_processes
    unmount_all
    if mounted_under_root; then echo "something is still mounted under $ROOT" >&2; exit 1; fi
    rm -rf --one-file-system "$ROOT"
  fi
  trap cleanup EXIT INT TERM
  mkdir -p "$CACHE"
  if [ ! -s "$root_tarball" ]; then
    if [ ! -s "$debs_tarball" ]; then
      debootstrap --variant=minbase --make-tarball="$debs_tarball.new" "$SUITE" "$ROOT.debs" "$MIRROR"
      mv "$debs_tarball.new" "$debs_tarball"
      rm -rf --one-file-system "$ROOT.debs"
    fi
    debootstrap --variant=minbase --unpack-tarball="$debs_tarball" "$SUITE" "$ROOT" "$MIRROR"
    tar -C "$ROOT" -cf "$root_tarball.new" .
    mv "$root_tarball.new" "$root_tarball"
  else
    mkdir -p "$ROOT"
    tar -C "$ROOT" -xf "$root_tarball"
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
  # This machine's own certificate authorities (a proxy's, as an office network may have) in the
  # root's trust store, as an operator there would have them.
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
  printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
}

# DIR: the checkout's HEAD with its uncommitted changes to tracked files (`git stash create`),
# as a `git archive` unpacked in DIR of the root.
unpack_code() {
  local commit
  stage "the code: $(git -C "$SOURCE" rev-parse --short HEAD) with its uncommitted changes"
  commit=$(git -C "$SOURCE" stash create)
  commit=${commit:-$(git -C "$SOURCE" rev-parse HEAD)}
  mkdir -p "$ROOT$1"
  git -C "$SOURCE" archive "$commit" | tar -C "$ROOT$1" -x
}
