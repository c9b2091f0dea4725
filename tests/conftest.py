"""Shared fixtures. Tests that need the real PostgreSQL or Redis use `postgres` / `redis_url`;
with CI=true an unreachable service fails the suite instead of skipping it."""

import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from django.db import connection

from campaign.models import Role
from tests import factories

IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _unavailable(what: str):
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"needs {what}")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), 2):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres(db):
    """Skip (or fail in CI) unless the suite runs on PostgreSQL."""
    if connection.vendor != "postgresql":
        _unavailable("PostgreSQL (set DATABASE_URL to a postgres:// URL)")


@pytest.fixture(scope="session")
def redis_url():
    if not _reachable(REDIS_URL, 6379):
        _unavailable(f"Redis at {REDIS_URL}")
    return REDIS_URL


def pytest_sessionstart(session):
    if IN_CI and not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        raise pytest.UsageError("CI=true but DATABASE_URL is not PostgreSQL")


@pytest.fixture
def campaign(db):
    return factories.CampaignFactory()


@pytest.fixture
def town_admin(db):
    return factories.UserFactory(username="admin1", roles=[Role.TOWN_ADMIN])


@pytest.fixture
def supervisor(db):
    return factories.UserFactory(username="dcz1", roles=[Role.SUPERVISOR])


@pytest.fixture
def observer(db):
    return factories.UserFactory(username="observer1", roles=[Role.OBSERVER])


@pytest.fixture
def project(campaign):
    return factories.ProjectFactory(campaign=campaign)


@pytest.fixture
def team_member(project):
    return factories.AssignmentFactory(project=project).user


@pytest.fixture
def outsider(db):
    """A team member of nothing in particular."""
    return factories.UserFactory(username="outsider", roles=[Role.TEAM_MEMBER])


def _redis_cache(location: str, prefix: str) -> dict:
    return {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": location,
                        "KEY_PREFIX": prefix,
                        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1,
                                    "IGNORE_EXCEPTIONS": True}}}


@pytest.fixture
def shared_cache(settings, redis_url):
    """Django's cache on Redis and the sessions read from it, as in production. The test's keys
    carry a prefix of their own and are deleted by pattern afterwards: the Redis server is
    shared (a `make run` beside the suite keeps its broker queue there), so nothing is flushed."""
    settings.CACHES = _redis_cache(redis_url, f"gjtest-{uuid.uuid4().hex}")
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield
    from django.core.cache import cache

    cache.delete_pattern("*")


@pytest.fixture
def redis_down(settings):
    """Production's settings with REDIS_URL pointing at a Redis that cannot be reached."""
    settings.CACHES = _redis_cache("redis://127.0.0.1:1/0", "gjtest-down")  # nothing listens there
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(autouse=True)
def _empty_local_cache():
    """Each test starts with an empty in-process cache (ids repeat between tests). Only the
    in-process one: a shared cache is never emptied (shared_cache deletes its own keys)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
    yield


@pytest.fixture
def celery_eager():
    """Celery's own eager mode: a task sent on commit runs at once in this process, for real,
    so a test can see what it did without a broker or a worker (those have their own tests)."""
    from config.celery import app

    # The tasks modules, found as a worker finds them (autodiscovery runs on this signal), so a
    # test that runs alone has them too.
    app.loader.import_default_modules()
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
