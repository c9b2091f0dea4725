"""scripts/backup.sh and scripts/restore.sh: the database and the uploads, found where the app's
own settings put them (the production layout: GONGJIAN_VAR_DIR set, no MEDIA_ROOT), with relative
paths, restored into an empty database and an empty uploads folder; the restore drops the site's
cached pages and sessions and moves the uploads it replaces aside; a database not there yet is
created. Redis: database 5 only, under a prefix of each test's own."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
import redis
from django.db import connection

from tests import factories

ROOT = Path(__file__).resolve().parents[1]
OPS_REDIS = "redis://127.0.0.1:6379/5"
#: Each run's own release, so the scripts' cache key prefix (gj:RELEASE) is this run's alone.
RELEASE = f"gj_ops_{uuid.uuid4().hex[:8]}"
PREFIX = f"gj:{RELEASE}"


def _url(settings_dict, name):
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgresql://{auth}{host}:{port}/{name}"


def _app_env(database_url: str, var_dir: Path) -> dict:
    """The environment of a production install: its settings module, its variables."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"MEDIA_ROOT", "DJANGO_SETTINGS_MODULE", "GONGJIAN_VAR_DIR"}}
    return {**env, "DATABASE_URL": database_url, "GONGJIAN_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "b" * 60,
            "REDIS_URL": OPS_REDIS, "GONGJIAN_RELEASE": RELEASE}


@pytest.fixture
def ops_redis(redis_url):
    raw = redis.Redis.from_url(OPS_REDIS)
    yield raw
    for key in raw.scan_iter(match=f"{PREFIX}*"):
        raw.delete(key)
    raw.close()


def _admin():
    admin = psycopg2.connect(_url(connection.settings_dict, "postgres"))
    admin.autocommit = True
    return admin


@pytest.fixture
def empty_database():
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")
    name = f"gj_ops_restore_{uuid.uuid4().hex[:8]}"
    admin = _admin()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _url(connection.settings_dict, name)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_the_production_layout_restores_rows_and_uploads(postgres, tmp_path,
                                                                    empty_database, ops_redis):
    project = factories.ProjectFactory(name="备份恢复测试项目")
    source = _url(connection.settings_dict, connection.settings_dict["NAME"])
    var = tmp_path / "var-lib-gongjian"
    photo = var / "media" / "reports" / "2026" / "12" / "site.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\x89PNG\r\n\x1a\n-photo-bytes")

    # Started from tmp_path with a relative folder, as an operator types it.
    result = subprocess.run([str(ROOT / "scripts/backup.sh"), "backups"], cwd=tmp_path,
                            env=_app_env(source, var), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    dump, media = result.stdout.strip().splitlines()[-2:]
    assert Path(dump).parent == tmp_path / "backups" and Path(dump).stat().st_size > 0
    assert Path(media).name.startswith("gongjian-media-")

    # A fresh machine: an empty database and an empty /var/lib/gongjian; relative paths again.
    new_var = tmp_path / "new-var"
    result = subprocess.run(
        [str(ROOT / "scripts/restore.sh"), os.path.relpath(dump, tmp_path),
         os.path.relpath(media, tmp_path)],
        cwd=tmp_path, env=_app_env(empty_database, new_var), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    restored_photo = new_var / "media" / "reports" / "2026" / "12" / "site.png"
    assert restored_photo.read_bytes() == photo.read_bytes()
    with psycopg2.connect(empty_database) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT code, name FROM projects_project WHERE id = %s", [project.pk])
        assert cursor.fetchone() == (project.code, "备份恢复测试项目")
        cursor.execute("SELECT count(*) FROM auth_group WHERE name = 'town_admin'")
        assert cursor.fetchone() == (1,)
    restored.close()


def _backup(tmp_path, var) -> tuple[Path, Path]:
    source = _url(connection.settings_dict, connection.settings_dict["NAME"])
    result = subprocess.run([str(ROOT / "scripts/backup.sh"), str(tmp_path / "backups")],
                            cwd=tmp_path, env=_app_env(source, var), capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    dump, media = result.stdout.strip().splitlines()[-2:]
    return Path(dump), Path(media)


@pytest.mark.django_db
def test_a_backup_before_anything_was_uploaded_saves_the_database_and_says_so(postgres,
                                                                               tmp_path):
    source = _url(connection.settings_dict, connection.settings_dict["NAME"])
    result = subprocess.run([str(ROOT / "scripts/backup.sh"), str(tmp_path / "backups")],
                            cwd=tmp_path, env=_app_env(source, tmp_path / "no-uploads-yet"),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no uploads folder" in result.stderr and "database only" in result.stderr
    [dump] = result.stdout.strip().splitlines()
    assert Path(dump).name.endswith(".dump") and Path(dump).stat().st_size > 0
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [Path(dump).name]


@pytest.mark.django_db
def test_the_backup_files_are_readable_by_their_owner_only(postgres, tmp_path):
    var = tmp_path / "var"
    (var / "media").mkdir(parents=True)
    for path in _backup(tmp_path, var):
        assert path.stat().st_mode & 0o777 == 0o600, path


@pytest.mark.django_db(transaction=True)
def test_a_restore_forgets_cached_pages_and_sessions_and_sets_later_uploads_aside(
        postgres, tmp_path, empty_database, ops_redis):
    var = tmp_path / "var"
    (var / "media" / "reports").mkdir(parents=True)
    (var / "media" / "reports" / "before.png").write_bytes(b"before the backup")
    dump, media = _backup(tmp_path, var)

    # After the backup: a file uploaded, pages and a session cached, another site's key beside.
    (var / "media" / "reports" / "after.png").write_bytes(b"after the backup")
    ops_redis.set(f"{PREFIX}:1:page:dashboard", b"stale page")
    ops_redis.set(f"{PREFIX}:1:django.contrib.sessions.cached_dbabc", b"stale session")
    neighbour = f"{PREFIX}-another-site:1:page"
    ops_redis.set(neighbour, b"kept")

    result = subprocess.run([str(ROOT / "scripts/restore.sh"), str(dump), str(media)],
                            cwd=tmp_path, env=_app_env(empty_database, var),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not list(ops_redis.scan_iter(match=f"{PREFIX}:*"))
    assert ops_redis.get(neighbour) == b"kept"
    restored = sorted(p.name for p in (var / "media" / "reports").iterdir())
    assert restored == ["before.png"]
    [aside] = var.glob("media.before-restore-*")
    assert (aside / "reports" / "after.png").read_bytes() == b"after the backup"
    assert str(aside) in result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_a_database_not_there_yet_creates_it(postgres, tmp_path, ops_redis):
    var = tmp_path / "var"
    (var / "media").mkdir(parents=True)
    dump, _media = _backup(tmp_path, var)
    name = f"gj_ops_new_{uuid.uuid4().hex[:8]}"
    target = _url(connection.settings_dict, name)
    try:
        result = subprocess.run([str(ROOT / "scripts/restore.sh"), str(dump), "--no-media"],
                                cwd=tmp_path, env=_app_env(target, tmp_path / "new-var"),
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert f"created the database {name}" in result.stdout
        with psycopg2.connect(target) as restored, restored.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM auth_group WHERE name = 'town_admin'")
            assert cursor.fetchone() == (1,)
        restored.close()
    finally:
        admin = _admin()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_restore_without_the_uploads_archive_is_refused(tmp_path):
    dump = tmp_path / "gongjian.dump"
    dump.write_bytes(b"PGDMP")
    result = subprocess.run([str(ROOT / "scripts/restore.sh"), str(dump)], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "usage" in result.stderr
    result = subprocess.run([str(ROOT / "scripts/restore.sh"), str(dump), "missing.tar.gz"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0 and "no uploads archive" in result.stderr
