"""Start-up refuses a bad environment with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(env_changes: dict[str, str | None]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update({"SECRET_KEY": "a-long-enough-secret-for-the-settings-tests-" + "y" * 20,
                "DEBUG": "0", "DATABASE_URL": "sqlite:///:memory:"})
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.TIME_ZONE)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "not-a-database://x"),
        ("CELERY_BROKER_URL", "kafka://localhost"),
        ("REDIS_URL", "http://localhost:6379"),
        ("EMAIL_PORT", "twenty-five"),
        ("EMAIL_USE_TLS", "sometimes"),
        ("LOG_LEVEL", "LOUD"),
        # Found by the IT operator's walk: both started, then refused every form / request.
        ("CSRF_TRUSTED_ORIGINS", "gongjian.example.gov.cn"),
        ("ALLOWED_HOSTS", ""),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = start({variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_origins_with_their_scheme_start():
    result = start({"CSRF_TRUSTED_ORIGINS": "https://gongjian.example.gov.cn,http://10.0.0.5"})
    assert result.returncode == 0, result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = start({"SECRET_KEY": None, "SECRET_KEY_FILE": None, "DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.splitlines()[-1]


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "z" * 40)
    result = start({"SECRET_KEY": None, "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr


def test_an_unreadable_secret_file_is_named():
    result = start({"SECRET_KEY": None, "SECRET_KEY_FILE": "/nonexistent/secret"})
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr.splitlines()[-1]


def test_a_fresh_environment_starts_with_debug_on_and_no_other_variable(tmp_path):
    result = start({"SECRET_KEY": None, "DEBUG": "1", "DATABASE_URL": None,
                    "CELERY_BROKER_URL": None, "GONGJIAN_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Asia/Shanghai"


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_celery_is_json_only_with_late_acks(settings):
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_TASK_IGNORE_RESULT is True


def test_manage_py_on_a_fresh_checkout_makes_its_own_local_secret(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "DJANGO_SETTINGS_MODULE",
                        "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["GONGJIAN_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    secret = tmp_path / "secret_key"
    assert len(secret.read_text().strip()) >= 50
    assert secret.stat().st_mode & 0o777 == 0o600
