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
ROOT_ENV=(PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1)
# shellcheck source=deploy/chroot-lib.sh
. "$(dirname "$0")/chroot-lib.sh"
preflight debootstrap:debootstrap

make_root

stage "python3 python3-venv make from Debian $SUITE"
root_apt_install python3 python3-venv make ca-certificates
in_root python3 -VV

unpack_code /root/gongjian

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
