"""Obstacles (问题清单): create, update and resolve (销号), for the project's writers only."""

import datetime

import pytest
from django.urls import reverse

from core.dates import local_date
from projects.models import Obstacle
from tests import factories
from tests.projects.conftest import REFUSED_WRITERS, WRITERS

pytestmark = pytest.mark.django_db

#: A new obstacle's deadline is today or later (ObstacleForm).
DUE = local_date() + datetime.timedelta(days=10)
NEW = {"title": "杆线迁改滞后", "category": "pole_relocation", "description": "需供电公司配合",
       "due_date": DUE.isoformat()}


@pytest.mark.parametrize("role", WRITERS)
def test_writers_add_update_and_resolve_an_obstacle(client, town, role):
    client.force_login(town.user(role))
    response = client.post(reverse("obstacle_create", args=[town.project.pk]), NEW)
    assert response.status_code == 302
    obstacle = Obstacle.objects.get(project=town.project)
    assert obstacle.raised_by == town.user(role) and obstacle.due_date == DUE

    # Editing keeps any deadline, one now past included (the problem was raised earlier).
    response = client.post(reverse("obstacle_update", args=[obstacle.pk]),
                           {**NEW, "status": "coordinating", "due_date": "2026-12-05"})
    assert response.status_code == 302
    obstacle.refresh_from_db()
    assert obstacle.status == "coordinating" and obstacle.due_date == datetime.date(2026, 12, 5)

    response = client.post(reverse("obstacle_resolve", args=[obstacle.pk]),
                           {"resolution": "杆线已迁移", "resolved_on": local_date().isoformat()})
    assert response.status_code == 302
    obstacle.refresh_from_db()
    assert obstacle.status == "resolved" and obstacle.resolved_on == local_date()
    assert obstacle.history.count() == 3


@pytest.mark.parametrize("role", REFUSED_WRITERS)
def test_others_of_the_campaign_get_a_403(client, town, role):
    obstacle = factories.ObstacleFactory(project=town.project)
    client.force_login(town.user(role))
    assert client.post(reverse("obstacle_create", args=[town.project.pk]), NEW).status_code == 403
    assert client.post(reverse("obstacle_update", args=[obstacle.pk]), NEW).status_code == 403
    assert client.post(reverse("obstacle_resolve", args=[obstacle.pk]),
                       {"resolution": "x", "resolved_on": "2026-11-25"}).status_code == 403
    obstacle.refresh_from_db()
    assert obstacle.status == "open"


def test_a_user_of_another_town_gets_a_404(client, town):
    obstacle = factories.ObstacleFactory(project=town.project)
    client.force_login(town.outsider)
    assert client.get(reverse("obstacle_create", args=[town.project.pk])).status_code == 404
    assert client.get(reverse("obstacle_update", args=[obstacle.pk])).status_code == 404
    assert client.get(reverse("obstacle_resolve", args=[obstacle.pk])).status_code == 404


def test_a_resolved_obstacle_cannot_be_resolved_twice(client, town):
    obstacle = factories.ObstacleFactory(project=town.project, status="resolved",
                                         resolved_on=local_date(), resolution="已解决")
    client.force_login(town.leader)
    response = client.post(reverse("obstacle_resolve", args=[obstacle.pk]),
                           {"resolution": "再次", "resolved_on": "2026-11-25"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    obstacle.refresh_from_db()
    assert obstacle.resolution == "已解决"


def test_missing_fields_are_shown_beside_them(client, town):
    client.force_login(town.leader)
    response = client.post(reverse("obstacle_create", args=[town.project.pk]), {"title": "只填了标题"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"category", "due_date"}
    assert "只填了标题" in response.content.decode()


def test_the_responsible_unit_is_chosen_among_our_town_and_the_departments_above_it(client, town):
    city = town.campaign.unit.parent
    village = factories.UnitFactory(name="湖南村", kind="village", parent=town.campaign.unit)
    bureau = factories.UnitFactory(name="长乐市自然资源和规划局", kind="department", parent=city)
    power = factories.UnitFactory(name="长乐供电公司", kind="company", parent=city)
    other_town = factories.UnitFactory(name="潭头镇", kind="town", parent=city)
    other_village = factories.UnitFactory(name="潭头村", kind="village", parent=other_town)
    other_office = factories.UnitFactory(name="潭头镇财政所", kind="department", parent=other_town)
    client.force_login(town.team_member)
    choices = client.get(reverse("obstacle_create", args=[town.project.pk])).context["form"][
        "responsible_unit"].field.queryset
    assert {village, bureau, power, town.campaign.unit} <= set(choices)
    assert not {other_town, other_village, other_office, city} & set(choices)
    # Another town's unit cannot be posted either.
    response = client.post(reverse("obstacle_create", args=[town.project.pk]),
                           {**NEW, "responsible_unit": other_office.pk})
    assert response.status_code == 200 and not Obstacle.objects.exists()
    response = client.post(reverse("obstacle_create", args=[town.project.pk]),
                           {**NEW, "responsible_unit": bureau.pk})
    assert Obstacle.objects.get().responsible_unit == bureau


def test_an_obstacle_cannot_be_closed_out_on_a_day_still_to_come(client, town):
    obstacle = factories.ObstacleFactory(project=town.project)
    tomorrow = local_date() + datetime.timedelta(days=1)
    client.force_login(town.team_member)
    response = client.post(reverse("obstacle_resolve", args=[obstacle.pk]),
                           {"resolution": "已完成迁改", "resolved_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["resolved_on"] == ["日期不能晚于今天。"]
    assert "已完成迁改" in response.content.decode()  # what was typed is kept
    obstacle.refresh_from_db()
    assert obstacle.status != Obstacle.Status.RESOLVED and obstacle.resolved_on is None


def test_a_new_obstacle_due_before_today_is_refused_beside_the_field(client, town):
    """Raised today and already past its deadline, it would turn the project red on saving."""
    client.force_login(town.team_member)
    response = client.post(reverse("obstacle_create", args=[town.project.pk]), {
        **NEW, "due_date": (local_date() - datetime.timedelta(days=37)).isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["due_date"] == ["完成时限不能早于今天（问题今天提出）。"]
    assert "需供电公司配合" in response.content.decode()
    assert not Obstacle.objects.exists()
