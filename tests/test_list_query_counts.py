"""The list pages not pinned elsewhere make the same number of queries for few rows and many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Highlight, Meeting
from supervision import notices
from supervision.criticism import draft_criticism
from supervision.models import Notification
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


def add_rows(world, n):
    from campaign.models import Campaign
    from projects.models import Project

    campaign = Campaign.objects.get(pk=world.ids["campaign"])
    project = Project.objects.get(pk=world.ids["project"])
    leader, supervisor = world.users["leader"], world.users["supervisor"]
    for i in range(n):
        notice = notices.create_draft_notice(project, reason=f"滞后{i}", required_action="整改",
                                             created_by=supervisor)
        notices.issue_notice(notice, supervisor)
        draft_criticism(project, person=leader, reason=f"工作不力{i}")
        Highlight.objects.create(campaign=campaign, project=project, kind=Highlight.Kind.PRACTICE,
                                 title=f"做法{i}", body="……", created_by=supervisor)
        meeting = Meeting.objects.create(campaign=campaign, kind=Meeting.Kind.SITE_VISIT,
                                         title=f"调研{i}", held_on=campaign.start_date,
                                         chaired_by=leader)
        meeting.projects.add(project)
        for user in world.users.values():
            if user is not None:
                Notification.objects.create(user=user, kind="test", title=f"提醒{i}")


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "role"), [
    ("notice_list", "supervisor"),
    ("notice_list", "leader"),
    ("criticism_list", "supervisor"),
    ("highlight_list", "team_member"),
    ("meeting_list", "leader"),
    ("notifications:list", "leader"),
])
def test_a_list_page_is_flat_in_its_rows(client, name, role):
    world = build_world()
    client.force_login(world.users[role])
    url = reverse(name)
    add_rows(world, 2)
    few = queries(client, url)
    add_rows(world, 25)
    many = queries(client, url)
    assert few == many, f"{name}: {few} queries with few rows, {many} with many"
