"""Dates a typo makes: far past or far future, a close-out before the item existed. Each is
refused beside its field in Chinese, with what was typed kept; nothing is stored."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.dates import local_date
from projects.models import ActionItem, Hazard, Obstacle
from tests import factories

pytestmark = pytest.mark.django_db

OBSTACLE = {"title": "杆线迁改滞后", "category": "pole_relocation", "description": "需供电公司配合"}


def _field_errors(response, field):
    return " ".join(response.context["form"].errors.get(field, []))


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31"])
def test_an_obstacle_due_in_year_1_or_9999_is_refused_beside_the_field(client, town, due):
    client.force_login(town.team_member)
    response = client.post(reverse("obstacle_create", args=[town.project.pk]),
                           {**OBSTACLE, "due_date": due})
    assert response.status_code == 200
    five_years_on = local_date().replace(year=local_date().year + 5)
    assert five_years_on.isoformat() in _field_errors(response, "due_date")
    assert "之间" in _field_errors(response, "due_date")
    assert "需供电公司配合" in response.content.decode()
    assert not Obstacle.objects.exists()


def test_an_obstacle_cannot_be_resolved_before_it_was_raised(client, town):
    obstacle = factories.ObstacleFactory(project=town.project)
    raised = local_date(obstacle.raised_at)
    client.force_login(town.team_member)
    before = (raised - datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("obstacle_resolve", args=[obstacle.pk]),
                           {"resolution": "杆线已迁移", "resolved_on": before})
    assert response.status_code == 200
    assert raised.isoformat() in _field_errors(response, "resolved_on")
    assert "杆线已迁移" in response.content.decode()
    obstacle.refresh_from_db()
    assert obstacle.status != Obstacle.Status.RESOLVED


def test_a_hazard_cannot_be_rectified_before_the_check_that_found_it(client, town):
    check_day = local_date() - datetime.timedelta(days=3)
    hazard = factories.HazardFactory(
        check_record=factories.SafetyCheckFactory(project=town.project, checked_on=check_day))
    client.force_login(town.team_member)
    response = client.post(reverse("hazard_rectify", args=[hazard.pk]), {
        "rectification": "已补设临边防护", "rectified_on": (check_day - datetime.timedelta(days=1))})
    assert response.status_code == 200
    assert check_day.isoformat() in _field_errors(response, "rectified_on")
    assert Hazard.objects.get(pk=hazard.pk).rectified_on is None


def test_a_hazard_due_in_9999_is_refused(client, town):
    client.force_login(town.team_member)
    response = client.post(reverse("hazard_create", args=[town.project.pk]), {
        "checked_on": local_date().isoformat(), "description": "基坑临边防护缺失", "level": "general",
        "rectify_by": "9999-12-31"})
    assert response.status_code == 200
    assert _field_errors(response, "rectify_by")
    assert "基坑临边防护缺失" in response.content.decode()


def test_an_action_item_cannot_be_done_before_its_meeting(client, town):
    meeting = factories.MeetingFactory(campaign=town.campaign, chaired_by=town.town_admin,
                                       held_on=local_date() - datetime.timedelta(days=2))
    item = factories.ActionItemFactory(meeting=meeting, owner=town.leader)
    client.force_login(town.town_admin)
    response = client.post(reverse("action_item_complete", args=[item.pk]),
                           {"done_on": (meeting.held_on - datetime.timedelta(days=5)).isoformat()})
    assert response.status_code == 200
    assert meeting.held_on.isoformat() in _field_errors(response, "done_on")
    assert ActionItem.objects.get(pk=item.pk).done_on is None


def test_campaign_dates_more_than_five_years_away_are_refused_by_full_clean(town):
    campaign = town.campaign
    campaign.start_date = datetime.date(1, 1, 1)
    campaign.end_date = datetime.date(9999, 12, 31)
    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()
    assert {"start_date", "end_date"} <= set(refused.value.message_dict)
