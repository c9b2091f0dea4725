#!/usr/bin/env python
import os
import secrets
import sys
from pathlib import Path


def local_secret_key_file() -> str:
    """A development checkout's own secret (var/secret_key, made once), so `manage.py check` and
    friends run on a fresh clone. Production passes SECRET_KEY or SECRET_KEY_FILE; the WSGI
    entry point never makes one."""
    var = Path(os.environ.get("GONGJIAN_VAR_DIR", Path(__file__).resolve().parent / "var"))
    key_file = var / "secret_key"
    if not key_file.exists():
        var.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")
        key_file.chmod(0o600)
    return str(key_file)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
        os.environ["SECRET_KEY_FILE"] = local_secret_key_file()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
