"""deploy/install.sh run for real: deploy/test-install-chroot.sh installs the checkout twice in a
throwaway Debian 12 root, and again in a Debian 13 root (debootstrap, cached in
/var/cache/gongjian-ci), and checks the result from outside — user, directories and modes, the
secret, the env file, the PostgreSQL role and database, migrations, static files, gunicorn as
gongjian answering /healthz, the Celery worker and beat, the first operator, and a second run
that changes nothing.

It needs root, Debian's mirror and PyPI, and minutes (docs/notes/install-run.log has the
figures), so it runs when GONGJIAN_TEST_INSTALL=1. Likewise `make install-dev` and a part of the
suite under Debian 13's Python 3.13 (deploy/test-python-chroot.sh), with GONGJIAN_TEST_PYTHON=1."""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# Checks the script must have made and passed, so that a script that checks less fails here.
REQUIRED = [
    "install.sh (first run) exits 0",
    "secret key: gongjian:gongjian 600",
    "PostgreSQL database gongjian owned by gongjian",
    "migrations: every one applied",
    "static files: the manifest there, every file owned by gongjian",
    "gunicorn answers /healthz with 200",
    "gunicorn runs as gongjian",
    "gunicorn listens on 127.0.0.1:",
    "the worker answers a ping through the broker",
    "nothing started in the root listens on 5432 or 6379",
    "install.sh (second run) exits 0",
    "the second run changed nothing",
]


@pytest.mark.skipif(os.environ.get("GONGJIAN_TEST_INSTALL") != "1",
                    reason="the real install in a Debian root runs with GONGJIAN_TEST_INSTALL=1")
# Debian 12 (PostgreSQL 15, Python 3.11) and Debian 13 (PostgreSQL 17, Python 3.13): the two a
# county's server may run.
@pytest.mark.parametrize("suite", ["bookworm", "trixie"])
def test_install_sh_installs_a_clean_debian_root_and_a_second_run_changes_nothing(suite):
    env = {**os.environ, "GJ_SUITE": suite, "GJ_CHROOT": f"/var/tmp/gj-root-install-{suite}"}
    result = subprocess.run([str(ROOT / "deploy/test-install-chroot.sh")], capture_output=True,
                            text=True, timeout=1800, stdin=subprocess.DEVNULL, env=env)
    out = result.stdout
    failures = [line for line in out.splitlines() if line.startswith("FAIL:")]
    assert result.returncode == 0, "\n".join(failures) or result.stderr[-3000:]
    assert not failures
    passes = [line for line in out.splitlines() if line.startswith("PASS:")]
    missing = [check for check in REQUIRED if not any(check in line for line in passes)]
    assert not missing, missing
    summary = re.search(r"^install-chroot: (\d+) passed, (\d+) failed$", out, re.MULTILINE)
    assert summary and int(summary.group(2)) == 0 and int(summary.group(1)) == len(passes)


@pytest.mark.skipif(os.environ.get("GONGJIAN_TEST_PYTHON") != "1",
                    reason="make install-dev under Debian 13's Python 3.13 runs with GONGJIAN_TEST_PYTHON=1")
def test_make_install_dev_and_part_of_the_suite_under_python_3_13():
    result = subprocess.run([str(ROOT / "deploy/test-python-chroot.sh"), "trixie"],
                            capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"^Python 3\.13\.", result.stdout, re.MULTILINE)  # the venv's, not the host's
    summary = re.search(r"^(\d+) passed", result.stdout, re.MULTILINE)
    assert summary and int(summary.group(1)) >= 40
