"""Right after a report, the project page shows the light of the figures beside it — assessed in
the request when the project is due for review, not a second later by the worker — and keeps
the page only once the light is current."""

import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from campaign.models import Campaign
from projects import figures
from projects.models import Project
from supervision import scan
from supervision.models import Flag
from supervision.scan import scan_project
from tests import factories

pytestmark = pytest.mark.django_db


def _report_behind(client, project, points):
    """A report `points` behind today's plan, made through the form as a user makes it; no
    Celery worker or task runs (the rescan it enqueues on commit never comes)."""
    plan = figures.report_form_figures(project, timezone.now())["plan_today"]
    response = client.post(reverse("report_create", args=[project.pk]), {
        "percent": str(plan - Decimal(points)), "investment_done": "100", "work_done": "完成路基",
        "next_steps": "", "problems": "", "needs_coordination": "",
        "decrease_reason": "复核后据实调整"})
    assert response.status_code == 302
    return response.url


def _light(page: str) -> str:
    return re.search(r'<h1[^>]*><span class="gj-light gj-light-(\w+)"', page).group(1)


def _body(page: str) -> str:
    """The page below its header and its messages (the report's confirmation is shown once)."""
    return page[page.index('<nav aria-label="breadcrumb"'):]


def _on_plan(project):
    """The project reported on plan an hour ago, and assessed: green, not due for review."""
    plan = figures.report_form_figures(project, timezone.now())["plan_today"]
    factories.ProgressReportFactory(project=project, percent=plan,
                                    reported_at=timezone.now() - datetime.timedelta(hours=1))
    scan_project(project.pk)
    return plan


@pytest.fixture
def assessed_green(town):
    """town.project on plan, as the scan left it: green, not due for review."""
    _on_plan(town.project)
    project = Project.objects.get(pk=town.project.pk)
    assert project.health == Project.Health.GREEN and project.review_at > timezone.now()
    return project


@pytest.mark.parametrize("cache", ["none", "shared"])
def test_the_page_after_a_report_shows_the_yellow_light_of_its_lag_without_any_worker(
        request, client, town, assessed_green, cache):
    if cache == "shared":
        request.getfixturevalue("shared_cache")
    client.force_login(town.team_member)
    first_look = client.get(reverse("project_detail", args=[town.project.pk])).content.decode()
    assert _light(first_look) == "green"

    after = _report_behind(client, town.project, 6)
    page = client.get(after).content.decode()

    assert _light(page) == "yellow"
    assert "无未解除的预警" not in page
    assert "达到黄灯标准" in page, "the warning that makes the light, beside it"
    assert Flag.objects.filter(project=town.project, resolved_at__isnull=True,
                               severity="yellow").exists()
    again = client.get(after).content.decode()
    assert _body(again) == _body(page), "a second look shows the same"


def test_with_the_shared_cache_the_second_look_after_the_report_is_served_from_it(
        client, town, assessed_green, shared_cache, django_assert_max_num_queries):
    client.force_login(town.team_member)
    after = _report_behind(client, town.project, 6)
    assert _light(client.get(after).content.decode()) == "yellow"  # assessed here, kept
    client.get(after)  # the project's own entry, read afresh once after the scan's bump
    with django_assert_max_num_queries(1):  # the user row: the page is the kept one
        assert _light(client.get(after).content.decode()) == "yellow"


def test_a_project_not_due_for_review_is_not_scanned_by_its_page(
        client, town, assessed_green, django_assert_num_queries):
    client.force_login(town.team_member)
    # As pinned in test_project_detail: the session, the user, the project, its lists.
    with django_assert_num_queries(4):
        client.get(reverse("project_detail", args=[town.project.pk]))


def test_the_dashboard_and_my_projects_show_the_new_light_too(client, town, assessed_green):
    client.force_login(town.team_member)
    _report_behind(client, town.project, 6)
    dashboard = client.get(reverse("dashboard"))
    row = next(r for r in dashboard.context["rows"] if r["pk"] == town.project.pk)
    assert row["health"] == "yellow" and row["warnings"]
    assert Project.objects.get(pk=town.project.pk).review_at > timezone.now()

    _report_behind(client, town.project, 16)
    mine = client.get(reverse("my_projects")).content.decode()
    assert "gj-light-red" in mine and "达到红灯标准" in mine


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_campaign_another_scan_holds_waits_briefly_then_shows_what_is_stored(
        client, town, shared_cache, monkeypatch):
    plan = _on_plan(town.project)
    # A report 6 points behind, made due as the service makes it (committed here: no service,
    # so that no task is sent to a broker).
    factories.ProgressReportFactory(project=town.project, percent=plan - 6)
    Project.review_now([town.project.pk])
    client.force_login(town.team_member)
    after = reverse("project_detail", args=[town.project.pk])

    holding, release = threading.Event(), threading.Event()

    def another_scan():  # holds the campaign's row lock as a scan does
        try:
            with transaction.atomic():
                Campaign.objects.select_for_update().get(pk=town.campaign.pk)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=another_scan)
    holder.start()
    try:
        assert holding.wait(10)
        monkeypatch.setattr(scan, "PAGE_LOCK_WAIT_MS", 50)
        page = client.get(after)
        assert page.status_code == 200, "the page is not failed by the lock"
        assert _light(page.content.decode()) == "green", "the light as stored, until assessed"
        assert Project.objects.get(pk=town.project.pk).review_at is None, "nothing written"
    finally:
        release.set()
        holder.join()
    assert _light(client.get(after).content.decode()) == "yellow"
