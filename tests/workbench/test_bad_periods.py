"""Bulletin periods and response dates a typo makes, and the same bulletin drafted by several
requests at once: a message beside the field or the one bulletin, never a 500."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.dates import local_date
from supervision.models import Bulletin, Notice

from .conftest import make_notice

pytestmark = pytest.mark.django_db


def test_a_bulletin_period_in_year_1_is_refused_in_chinese_beside_the_field(client, campaign,
                                                                           supervisor):
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"  # this page in Chinese
    response = client.post(reverse("bulletin_generate"), {
        "campaign": campaign.pk, "period_start": "0001-01-01", "period_end": "2026-11-10",
        "title": "第六周通报"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "之间" in " ".join(form.errors["period_start"])
    assert "第六周通报" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_a_bulletin_longer_than_a_year_is_refused(client, campaign, supervisor):
    client.force_login(supervisor)
    today = local_date()
    response = client.post(reverse("bulletin_generate"), {
        "campaign": campaign.pk, "period_start": (today - datetime.timedelta(days=400)).isoformat(),
        "period_end": today.isoformat(), "title": ""})
    assert response.status_code == 400
    assert "A bulletin covers at most 366 days." in response.context["form"].errors["period_end"]


@pytest.mark.django_db(transaction=True)
def test_four_requests_for_the_same_new_period_all_answer_the_one_bulletin(postgres, campaign,
                                                                          supervisor):
    """Concurrent requests need a real database server (SQLite locks the whole table)."""
    today = local_date()
    data = {"campaign": campaign.pk, "period_start": (today - datetime.timedelta(days=6)).isoformat(),
            "period_end": today.isoformat(), "title": ""}
    clients = [Client() for _ in range(4)]
    for c in clients:
        c.force_login(supervisor)
    barrier = threading.Barrier(len(clients))
    answers, failures = [], []

    def draft(c):
        try:
            barrier.wait(timeout=10)
            answers.append(c.post(reverse("bulletin_generate"), data))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure, a 500 included
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draft, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    bulletin = Bulletin.objects.get()
    assert [a.status_code for a in answers] == [302] * 4
    assert {a.url for a in answers} == {reverse("bulletin_detail", args=[bulletin.pk])}


def test_a_response_date_in_9999_is_refused_beside_its_field(client, project, supervisor):
    notice = make_notice(project, supervisor, "draft")
    client.force_login(supervisor)
    response = client.post(reverse("notice_step", args=[notice.pk, "issue"]),
                           {"issue-respond_by": "9999-12-31"})
    assert response.status_code == 400
    form = response.context["step_forms"]["issue"]
    last = max(project.campaign.end_date,
               local_date() + datetime.timedelta(days=project.campaign.notice_response_days))
    assert form.errors["respond_by"] == [
        f"The response date must fall within the campaign: {last.isoformat()} at the latest."]
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
