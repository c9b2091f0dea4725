"""Pages are in Chinese unless the user picks English with the switch."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_chinese(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in body


def test_the_switch_chooses_english_and_back(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert '<html lang="zh-hans">' in client.get(reverse("login")).content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "fr"
    assert '<html lang="zh-hans">' in client.get(reverse("login")).content.decode()
