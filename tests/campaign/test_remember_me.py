"""记住我: a phone that asks stays signed in for 30 days; otherwise the session ends after 12 h."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # tests/factories.py


def _session_expiry(client) -> datetime.timedelta:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date - timezone.now()


def test_the_login_page_offers_remember_me_in_chinese(client):
    body = client.get(reverse("login")).content.decode()
    assert 'name="remember"' in body and "记住我" in body and "30" in body


def test_remember_me_keeps_the_session_for_30_days(client, town):
    response = client.post(reverse("login"), {"username": "cadre1", "password": PASSWORD,
                                              "remember": "on"})
    assert response.status_code == 302
    left = _session_expiry(client)
    assert datetime.timedelta(days=29, hours=23) < left <= datetime.timedelta(days=30)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert 30 * 24 * 60 * 60 - 5 <= int(cookie["max-age"]) <= 30 * 24 * 60 * 60
    assert client.get(reverse("todo")).status_code == 200


def test_without_remember_me_the_session_ends_after_12_hours(client, town):
    client.post(reverse("login"), {"username": "cadre1", "password": PASSWORD})
    left = _session_expiry(client)
    assert datetime.timedelta(hours=11, minutes=59) < left <= datetime.timedelta(hours=12)


def test_a_wrong_password_with_remember_me_still_fails(client, town):
    response = client.post(reverse("login"), {"username": "cadre1", "password": "nope",
                                              "remember": "on"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert settings.SESSION_COOKIE_NAME not in client.cookies or not client.cookies[
        settings.SESSION_COOKIE_NAME].value
