"""/healthz tells the truth about the database and the broker."""

import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from config.celery import app as celery_app
from web import health


def call():
    response = health.healthz(RequestFactory().get("/healthz"))
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_healthy_when_the_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"


@pytest.mark.django_db
def test_503_naming_the_broker_when_it_is_unreachable(monkeypatch):
    original = celery_app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        status, body = call()
    finally:
        celery_app.conf.broker_url = original
    assert status == 503
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_503_naming_the_database_when_it_is_unreachable(postgres):
    # A real connection attempt to a port nothing listens on (an in-memory SQLite cannot fail).
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        status, body = call()
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert status == 503
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["broker"]["status"] == "ok"


def test_no_login_is_needed_and_nothing_is_cached(client, db):
    response = client.get("/healthz")
    assert response.status_code in (200, 503)
    assert "no-cache" in response["Cache-Control"]
