"""deploy/install.sh: shellcheck-clean, and its dry run lists every step of a complete install in
order (user, directories with owners and modes, the secret, the env file, PostgreSQL role and
database, the locked dependencies, migrate, collectstatic, the units) while changing nothing."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Every shell script, as `make lint` checks them: together, so a sourced library (deploy/
#: chroot-lib.sh) is read with the scripts that source it.
SCRIPTS = sorted([*ROOT.glob("deploy/*.sh"), *ROOT.glob("scripts/*.sh")])


def test_the_shell_scripts_are_shellcheck_clean():
    if not shutil.which("shellcheck"):
        pytest.fail("shellcheck is needed (Debian: apt-get install shellcheck)")
    result = subprocess.run(["shellcheck", *map(str, SCRIPTS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_dry_run_lists_a_complete_install_and_changes_nothing(tmp_path):
    places = {"GONGJIAN_APP_DIR": tmp_path / "opt", "GONGJIAN_ETC_DIR": tmp_path / "etc",
              "GONGJIAN_VAR_DIR": tmp_path / "var", "GONGJIAN_SYSTEMD_DIR": tmp_path / "units",
              "GONGJIAN_USER": "gongjian-test-nobody"}
    env = {**os.environ, **{k: str(v) for k, v in places.items()}}
    result = subprocess.run([str(ROOT / "deploy/install.sh"), "--dry-run"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    steps = [
        "useradd --system",
        f"install -d -o root -g gongjian-test-nobody -m 750 {tmp_path}/etc",
        f"install -d -o gongjian-test-nobody -g gongjian-test-nobody -m 750 {tmp_path}/var/media",
        f"chown gongjian-test-nobody:gongjian-test-nobody {tmp_path}/etc/secret_key",
        f"chmod 600 {tmp_path}/etc/secret_key",
        f"chmod 600 {tmp_path}/etc/gongjian.env",
        "runuser -u postgres -- createuser -h /var/run/postgresql -p",
        "createdb -h /var/run/postgresql -p",
        "--require-hashes -r",
        "manage.py migrate --no-input",
        "manage.py collectstatic --no-input",
        "gongjian-beat.service",
        # Under systemd the units are started; elsewhere (a container, a chroot) the script says
        # that it did not start them (deploy/test-install-chroot.sh runs that case for real).
        "systemctl restart gongjian-web gongjian-worker gongjian-beat"
        if Path("/run/systemd/system").is_dir() else f"installed in {tmp_path}/units but NOT started",
    ]
    positions = [out.find(step) for step in steps]
    assert -1 not in positions, [s for s, p in zip(steps, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    url = re.search(r"\|DATABASE_URL=(\S+?)\|", out).group(1)
    database = dj_database_url.parse(url)
    assert (database["HOST"], database["USER"], database["PASSWORD"]) == (
        "/var/run/postgresql", "gongjian-test-nobody", "")
    # The role and database are made where the env file points, on the same port.
    port = database["PORT"]
    assert f"createuser -h /var/run/postgresql -p {port} gongjian-test-nobody\n" in out
    assert f"createdb -h /var/run/postgresql -p {port} --owner gongjian-test-nobody gongjian\n" in out
    assert not any(path.exists() for path in places.values() if isinstance(path, Path))


def test_the_install_records_the_commit_it_copies_as_the_release(tmp_path):
    """The copy in /opt/gongjian has no .git: the commit goes into its RELEASE file, which the
    settings read, so each installed release has its own cache key prefix."""
    commit = subprocess.run(["git", "--git-dir", str(ROOT / ".git"), "rev-parse", "HEAD"],
                            capture_output=True, text=True, check=True).stdout.strip()
    env = {**os.environ, "GONGJIAN_APP_DIR": str(tmp_path / "opt"),
           "GONGJIAN_ETC_DIR": str(tmp_path / "etc"), "GONGJIAN_VAR_DIR": str(tmp_path / "var"),
           "GONGJIAN_SYSTEMD_DIR": str(tmp_path / "units"), "GONGJIAN_USER": "gongjian-test-nobody"}
    result = subprocess.run([str(ROOT / "deploy/install.sh"), "--dry-run"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    recorded = f"printf '%s\\n' '{commit}' > '{tmp_path}/opt/RELEASE'"
    assert recorded in out
    assert out.index("rsync -a --delete") < out.index(recorded) < out.index("manage.py migrate")
