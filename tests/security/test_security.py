"""The deploy checks, the content security policy, login lockout and session rotation."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests-1"  # tests/factories.py


def test_the_deploy_checks_pass_with_debug_off():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    # The browser tests allow Django's ORM inside Playwright's event loop; a deployment never does.
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS",
                 "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert not offenders


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'self'" in script
    assert "unsafe-inline" not in script and "unsafe-eval" not in script
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_sent_to_https_when_the_redirect_is_on(client):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_answers_on_plain_http_for_the_load_balancer(client):
    assert client.get(reverse("healthz")).status_code in (200, 503)


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_login_out_and_are_logged(client, caplog):
    factories.UserFactory(username="locked")
    caplog.set_level(logging.WARNING, logger="axes")
    for _ in range(2):
        response = client.post(reverse("login"), {"username": "locked", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "locked", "password": "wrong"})
    assert response.status_code == 429
    # Locked out: even the right password is refused until the cool-off ends.
    response = client.post(reverse("login"), {"username": "locked", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert any("Locking out" in r.getMessage() and "locked" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_the_session_id_changes_at_login(client):
    factories.UserFactory(username="rotating")
    session = client.session
    session["before"] = "login"
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    response = client.post(reverse("login"), {"username": "rotating", "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != before


def test_passwords_are_validated():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678", "password", "abc"):
        with pytest.raises(ValidationError):
            validate_password(weak)


def _lock_out(client, username, **headers):
    for _ in range(3):
        client.post(reverse("login"), {"username": username, "password": "wrong"}, **headers)


@pytest.mark.django_db
def test_behind_one_proxy_the_lockout_is_keyed_and_logged_by_the_client_address(client, caplog):
    from config.settings import client_address_settings

    factories.UserFactory(username="leader8")
    caplog.set_level(logging.WARNING, logger="axes")
    # nginx connects from 127.0.0.1 and appends the client's address; the client wrote the rest.
    with override_settings(AXES_FAILURE_LIMIT=3, **client_address_settings(1)):
        _lock_out(client, "leader8", REMOTE_ADDR="127.0.0.1",
                  HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
        locked = client.post(reverse("login"), {"username": "leader8", "password": PASSWORD},
                             REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert locked.status_code == 429
        # Another office behind the same proxy still signs in.
        other = client.post(reverse("login"), {"username": "leader8", "password": PASSWORD},
                            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
        assert other.status_code == 302
    lockouts = [r.getMessage() for r in caplog.records if "Locking out" in r.getMessage()]
    assert lockouts and "203.0.113.7" in lockouts[0]
    assert "127.0.0.1" not in lockouts[0] and "9.9.9.9" not in lockouts[0]


@pytest.mark.django_db
def test_without_a_proxy_a_forwarded_header_is_ignored(client, caplog):
    from config.settings import client_address_settings

    factories.UserFactory(username="leader9")
    caplog.set_level(logging.WARNING, logger="axes")
    with override_settings(AXES_FAILURE_LIMIT=3, **client_address_settings(0)):
        # An attacker changing the header on every try is still one address.
        for number in range(3):
            client.post(reverse("login"), {"username": "leader9", "password": "wrong"},
                        REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
        locked = client.post(reverse("login"), {"username": "leader9", "password": PASSWORD},
                             REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.99")
        assert locked.status_code == 429
    lockouts = [r.getMessage() for r in caplog.records if "Locking out" in r.getMessage()]
    assert lockouts and "192.0.2.50" in lockouts[0] and "203.0.113" not in lockouts[0]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_a_login_name_over_255_characters_is_refused_beside_the_field(client, page):
    response = client.post(reverse(page), {"username": "官" * 300, "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "最多150个字" in body
    assert "官" * 300 in body


def test_the_lockout_records_at_most_255_characters_of_a_name():
    from web.auth import lockout_username

    assert lockout_username(None, {"username": "x" * 1000}) == "x" * 255



@pytest.mark.django_db
def test_signed_in_pages_and_downloads_are_private_and_not_stored(client):
    from campaign.models import Role

    campaign = factories.CampaignFactory()
    user = factories.UserFactory(username="nocache", roles=[Role.SUPERVISOR])
    user.profile.unit = campaign.unit
    user.profile.save(update_fields=["unit"])
    client.force_login(user)
    for name in ("dashboard", "dashboard_export", "my_projects"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-store", name
