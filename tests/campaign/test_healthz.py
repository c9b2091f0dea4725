"""/healthz tells the truth about the database and the broker."""


import json
import socket
import threading
import time
from contextlib import contextmanager

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


@contextmanager
def database_at(**address):
    """The default connection pointed elsewhere for the block (HOST, PORT), then back."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(address)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_503_naming_the_database_when_it_is_unreachable(postgres):
    # A real connection attempt to a port nothing listens on (an in-memory SQLite cannot fail).
    with database_at(PORT="1"):
        status, body = call()
    assert status == 503
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["broker"]["status"] == "ok"


def test_no_login_is_needed_and_nothing_is_cached(client, db):
    response = client.get("/healthz")
    assert response.status_code in (200, 503)
    assert "no-cache" in response["Cache-Control"]


@contextmanager
def silent_server():
    """A local TCP port that accepts connections and never answers: a hung database or broker."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for peer in accepted:
            peer.close()
        listener.close()


@pytest.mark.django_db
def test_503_within_seconds_naming_the_broker_when_it_accepts_and_never_answers(monkeypatch):
    original = celery_app.conf.broker_url
    with silent_server() as port:
        monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{port}/0")
        celery_app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
        started = time.monotonic()
        try:
            status, body = call()
        finally:
            celery_app.conf.broker_url = original
        took = time.monotonic() - started
    assert status == 503
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"
    assert took < 3 * health.CHECK_TIMEOUT, took


@pytest.mark.django_db(transaction=True)
def test_503_within_seconds_naming_the_database_when_it_accepts_and_never_answers(postgres):
    with silent_server() as port, database_at(HOST="127.0.0.1", PORT=str(port)):
        started = time.monotonic()
        status, body = call()
        took = time.monotonic() - started
    assert status == 503
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["broker"]["status"] == "ok"
    assert took < 10, took  # the database's connect_timeout (5 s) and the broker's answer


def test_the_database_and_broker_connections_give_up_on_a_silent_peer(settings):
    """Settings, not the test: a PostgreSQL that never answers times out in connecting, a Redis
    broker that never answers times out in reading."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        assert 0 < settings.DATABASES["default"]["OPTIONS"]["connect_timeout"] <= 10
    if settings.CELERY_BROKER_URL.startswith("redis"):
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 10
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 10
