"""manage.py forget_cache drops this site's own cache entries (pages, sessions) and nothing else
in the same Redis database."""

import io
import uuid

import pytest
import redis
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
from django.core.management import CommandError, call_command

#: The database these tests may use, each run under a prefix of its own; never FLUSHDB.
OPS_REDIS = "redis://127.0.0.1:6379/5"


@pytest.fixture
def shared_cache(settings, redis_url):
    prefix = f"gj_ops_{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": OPS_REDIS, "KEY_PREFIX": prefix,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
    }}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    raw = redis.Redis.from_url(OPS_REDIS)
    yield prefix, raw
    for key in raw.scan_iter(match=f"{prefix}*"):
        raw.delete(key)
    raw.close()


@pytest.mark.django_db
def test_the_sites_pages_and_sessions_are_forgotten_and_other_keys_kept(shared_cache):
    prefix, raw = shared_cache
    neighbour = f"{prefix}-other-site:1:page"
    raw.set(neighbour, b"kept")
    cache.set("page:dashboard:1", "<html>stale</html>")
    session = SessionStore()
    session["note"] = "before the backup"
    session.create()
    assert raw.exists(f"{prefix}:1:page:dashboard:1")

    out = io.StringIO()
    call_command("forget_cache", stdout=out)

    assert cache.get("page:dashboard:1") is None
    assert not list(raw.scan_iter(match=f"{prefix}:*"))
    assert raw.get(neighbour) == b"kept"
    assert "forgot 2 cache entries" in out.getvalue() and prefix in out.getvalue()


def test_an_unreachable_redis_is_an_error_not_an_empty_cache(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/5",
        "KEY_PREFIX": "gj_ops_unreachable",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
    }}
    with pytest.raises(CommandError, match="cannot reach Redis"):
        call_command("forget_cache", stdout=io.StringIO())


def test_without_a_shared_cache_there_is_nothing_to_forget():
    out = io.StringIO()
    call_command("forget_cache", stdout=out)
    assert "nothing to forget" in out.getvalue()
