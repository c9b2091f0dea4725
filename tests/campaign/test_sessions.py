"""Sessions read from Redis and kept in the database (Django's cached_db on django-redis with
IGNORE_EXCEPTIONS): no login is lost with Redis, a logout ends the session everywhere, and with
Redis away nobody sees an error."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_session_is_written_to_the_database_and_survives_an_emptied_cache(client, town,
                                                                            shared_cache):
    key = _login(client, town.team_member)
    assert Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("dashboard")).status_code == 200
    cache.delete_pattern("*")  # Redis restarted empty
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_logout_ends_the_session_in_the_cache_too(client, town, shared_cache):
    key = _login(client, town.team_member)
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(KEY_PREFIX + key) is None
    client.cookies[settings.SESSION_COOKIE_NAME] = key  # someone kept the old cookie
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_without_redis_people_log_in_read_pages_and_log_out(client, town, redis_down, caplog):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(reverse("login"), {"username": "cadre1", "password": "pw-for-tests-1"})
    assert response.status_code == 302, "logged in"
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("project_detail", args=[town.project.pk])).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert client.get(reverse("dashboard")).status_code == 302
    assert "Exception ignored" in caplog.text  # django-redis, logged to gongjian.cache
