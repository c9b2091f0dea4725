"""An operator's edit in the admin goes around the services: it still makes the projects whose
inputs it changed due for review (NULL review moment), as the services do, so the hourly scan
assesses them instead of leaving it to the nightly safety net."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Milestone, Obstacle, Project
from projects.services import submit_report
from tests import factories

from .test_admin_project import change

pytestmark = pytest.mark.django_db

LATER = timezone.now() + datetime.timedelta(days=30)


def _reviewed(*projects):
    """As after a scan: each project's next review lies a month ahead."""
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(review_at=LATER)


def _as_posted(admin_client, url) -> dict:
    """The admin change form's fields as a browser would post them unchanged (a date and time
    in two boxes, an unticked box left out)."""
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        widget = form.fields[name].widget
        if value is None or value is False:
            continue
        if hasattr(widget, "widgets"):  # split into boxes: name_0, name_1
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else part
        else:
            data[name] = value
    return data


def _due(project) -> bool:
    return Project.objects.get(pk=project.pk).review_at is None


def test_a_milestone_added_in_the_project_admin_makes_the_project_due(admin_client):
    project, other = factories.ProjectFactory(), factories.ProjectFactory()
    _reviewed(project, other)
    response = change(admin_client, project,
                      milestones=[("主体封顶", datetime.date(2026, 12, 20), "60")])
    assert response.status_code == 302
    assert Milestone.objects.filter(project=project).count() == 1
    assert _due(project)
    assert not _due(other)  # only the project edited


def test_an_obstacle_moved_to_another_project_makes_both_due(admin_client):
    first = factories.ProjectFactory()
    second = factories.ProjectFactory(campaign=first.campaign)
    untouched = factories.ProjectFactory(campaign=first.campaign)
    obstacle = factories.ObstacleFactory(project=first)
    _reviewed(first, second, untouched)
    url = reverse("admin:projects_obstacle_change", args=[obstacle.pk])
    data = _as_posted(admin_client, url)
    data.update({"project": second.pk, "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Obstacle.objects.get(pk=obstacle.pk).project_id == second.pk
    assert _due(first) and _due(second)
    assert not _due(untouched)


def test_a_report_deleted_in_the_admin_makes_its_project_due(admin_client, project):
    report = submit_report(project, project.leader, percent=Decimal("10"),
                           investment_done=Decimal("5"), work_done="桩基")
    _reviewed(project)
    url = reverse("admin:projects_progressreport_delete", args=[report.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert _due(project)


def test_reports_deleted_in_bulk_make_each_of_their_projects_due(admin_client, project):
    other = factories.ProjectFactory(campaign=project.campaign)
    reports = [submit_report(p, p.leader, percent=Decimal("10"), investment_done=Decimal("5"),
                             work_done="桩基") for p in (project, other)]
    _reviewed(project, other)
    response = admin_client.post(reverse("admin:projects_progressreport_changelist"), {
        "action": "delete_selected", "_selected_action": [r.pk for r in reports], "post": "yes"})
    assert response.status_code == 302
    assert _due(project) and _due(other)


def test_a_campaigns_thresholds_changed_in_the_admin_make_all_its_projects_due(admin_client):
    project = factories.ProjectFactory()
    sibling = factories.ProjectFactory(campaign=project.campaign)
    elsewhere = factories.ProjectFactory()
    _reviewed(project, sibling, elsewhere)
    campaign = project.campaign
    url = reverse("admin:campaign_campaign_change", args=[campaign.pk])
    data = _as_posted(admin_client, url)
    data["red_lag_points"] = 10
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert campaign.red_lag_points == 10
    assert _due(project) and _due(sibling)
    assert not _due(elsewhere)
