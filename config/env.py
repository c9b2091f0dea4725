"""The small typed readers of environment variables that the settings and gunicorn.conf.py share:
a bad value raises ImproperlyConfigured naming the variable. Imports nothing of the project."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

#: The levels LOG_LEVEL may name.
LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    """True/false from 1/0, true/false, yes/no, on/off; anything else is a start-up error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def envint(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envorigins(name: str) -> list[str]:
    """Origins, comma-separated, each with its scheme (https://gongjian.example.gov.cn), as
    Django's CSRF check needs them: a bare host would pass start-up and refuse every form."""
    origins = envlist(name, [])
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(
                f"{name} must list origins with their scheme, as https://gongjian.example.gov.cn;"
                f" got {origin!r}")
    return origins


def envsecret(name: str) -> str:
    """The value of NAME, or the contents of the file named by NAME_FILE (for mounted secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points at {path!r}, which cannot be read: {exc}") from None
    return os.environ.get(name, "")


def envurl(name: str, default: str, schemes: set[str]) -> str:
    raw = os.environ.get(name) or default
    scheme = urlsplit(raw).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must be a URL with a scheme in ({allowed}); got {raw!r}")
    return raw


def envchoice(name: str, default: str, choices: set[str]) -> str:
    """One of CHOICES (compared in upper case), else a start-up error naming the variable."""
    value = os.environ.get(name, default).strip().upper() or default
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(sorted(choices))}; got {value!r}")
    return value
