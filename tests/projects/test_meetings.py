"""Meetings and action items: the office and the leaders hold meetings, the chair edits them,
an item's owner marks it done; everyone of the campaign reads them."""

import datetime

import pytest
from django.urls import reverse

from core.dates import local_date
from projects.models import ActionItem, Meeting
from tests import factories
from tests.projects.conftest import READERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(town):
    return factories.MeetingFactory(campaign=town.campaign, chaired_by=town.leader, title="征迁专题会")


@pytest.mark.parametrize("role", READERS)
def test_everyone_of_the_campaign_reads_the_meetings(client, town, meeting, role):
    client.force_login(town.user(role))
    assert "征迁专题会" in client.get(reverse("meeting_list")).content.decode()
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 200


def test_a_user_of_another_town_gets_a_404(client, town, meeting):
    client.force_login(town.outsider)
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404


@pytest.mark.parametrize("role", ["leader", "town_admin"])
def test_leaders_and_the_office_hold_a_meeting_with_action_items(client, town, role):
    client.force_login(town.user(role))
    response = client.post(reverse("meeting_create"), {
        "kind": "site_visit", "title": "现场调研", "held_on": "2026-11-20", "location": "HN-01 工地",
        "projects": [town.project.pk], "summary": "研究杆线迁改"})
    meeting = Meeting.objects.get(title="现场调研")
    assert response.status_code == 302 and meeting.chaired_by == town.user(role)
    assert list(meeting.projects.all()) == [town.project]
    response = client.post(reverse("action_item_create", args=[meeting.pk]), {
        "description": "三天内完成杆线迁移方案", "owner": town.team_member.pk,
        "project": town.project.pk, "due_date": "2026-11-23"})
    assert response.status_code == 302
    assert ActionItem.objects.get().owner == town.team_member


@pytest.mark.parametrize("role", ["team_member", "supervisor", "observer"])
def test_others_cannot_hold_meetings(client, town, role):
    client.force_login(town.user(role))
    assert client.get(reverse("meeting_create")).status_code == 403


def test_only_the_chair_or_the_office_edits_a_meeting(client, town, meeting):
    client.force_login(town.other_project.leader)
    assert client.get(reverse("meeting_update", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("action_item_create", args=[meeting.pk])).status_code == 403
    client.force_login(town.town_admin)
    assert client.get(reverse("meeting_update", args=[meeting.pk])).status_code == 200


def test_the_owner_marks_an_item_done_and_it_cannot_be_done_twice(client, town, meeting):
    item = factories.ActionItemFactory(meeting=meeting, owner=town.team_member)
    client.force_login(town.other_member)
    assert client.post(reverse("action_item_complete", args=[item.pk]),
                       {"done_on": "2026-11-21"}).status_code == 403
    client.force_login(town.team_member)
    assert client.post(reverse("action_item_complete", args=[item.pk]),
                       {"done_on": "2026-11-21"}).status_code == 302
    item.refresh_from_db()
    assert item.done_on == datetime.date(2026, 11, 21)
    response = client.post(reverse("action_item_complete", args=[item.pk]), {"done_on": "2026-11-22"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_the_chair_edits_an_item(client, town, meeting):
    item = factories.ActionItemFactory(meeting=meeting, owner=town.team_member)
    client.force_login(town.leader)
    response = client.post(reverse("action_item_update", args=[item.pk]), {
        "description": "改为一周内完成", "owner": town.team_member.pk, "due_date": "2026-11-30"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.description == "改为一周内完成"


def test_an_item_cannot_be_marked_done_on_a_day_still_to_come(client, town, meeting):
    item = factories.ActionItemFactory(meeting=meeting, owner=town.team_member)
    tomorrow = local_date() + datetime.timedelta(days=1)
    client.force_login(town.team_member)
    response = client.post(reverse("action_item_complete", args=[item.pk]),
                           {"done_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["done_on"] == ["日期不能晚于今天。"]
    item.refresh_from_db()
    assert item.done_on is None
