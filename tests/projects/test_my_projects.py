"""My projects: a leader's or team member's projects with what is due this week."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.dates import local_date
from supervision.scan import scan_campaign
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_team_member_sees_their_project_and_what_is_due(client, town):
    today, day = local_date(), datetime.timedelta(days=1)
    factories.MilestoneFactory(project=town.project, name="路基完成", due_date=today + 2 * day)
    factories.MilestoneFactory(project=town.project, name="远期节点", due_date=today + 30 * day)
    factories.ObstacleFactory(project=town.project, title="供电未接入", due_date=today - day)
    factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=town.project),
                            description="临边防护缺失", rectify_by=today)
    client.force_login(town.team_member)
    response = client.get(reverse("my_projects"))
    assert response.status_code == 200
    [card] = response.context["cards"]
    assert card["project"] == town.project and not card["is_leader"]
    body = response.content.decode()
    for text in ("路基完成", "供电未接入", "临边防护缺失"):
        assert text in body
    assert "远期节点" not in body
    assert town.other_project.name not in body


def test_a_leader_sees_the_projects_they_lead(client, town):
    client.force_login(town.leader)
    [card] = client.get(reverse("my_projects")).context["cards"]
    assert card["project"] == town.project and card["is_leader"]


@pytest.mark.parametrize("role", ["supervisor", "observer", "outsider"])
def test_people_without_projects_get_a_pointer_to_the_dashboard(client, town, role):
    client.force_login(town.user(role))
    response = client.get(reverse("my_projects"))
    assert response.status_code == 200
    assert response.context["cards"] == []


def test_my_action_items_are_listed(client, town):
    item = factories.ActionItemFactory(meeting__campaign=town.campaign, owner=town.team_member,
                                       description="协调供电公司接电", due_date=local_date())
    client.force_login(town.team_member)
    response = client.get(reverse("my_projects"))
    assert item in response.context["action_items"]
    assert "协调供电公司接电" in response.content.decode()


@pytest.mark.parametrize("n_projects", [2, 20])
def test_my_projects_makes_the_same_number_of_queries_for_2_and_20_projects(postgres,
        client, town, django_assert_num_queries, n_projects):
    for i in range(n_projects - 1):
        p = factories.ProjectFactory(campaign=town.campaign, leader=town.leader, code=f"X-{i:02d}")
        factories.MilestoneFactory(project=p, due_date=local_date())
        factories.ObstacleFactory(project=p, due_date=local_date())
        factories.ProgressReportFactory(project=p)
    scan_campaign(town.campaign.pk)  # as the scan left them: none due for review
    client.force_login(town.leader)
    # 1 session, 2 user with profile, 3 unit, 4 units below it, 5 its parent (access units);
    # 6 my projects with their campaigns; table: 7 projects with their latest report,
    # 8 milestones, 8b the pause points of the plans; due: 9 milestones, 10 obstacles,
    # 11 hazards, 12 notices, 13 my action items;
    # 14 the open warnings behind the lights, 15 the user's groups (menu), 16 unread
    # notifications (the bell).
    # On PostgreSQL the user row carries their roles, unit scope and unread count
    # (web.auth.UserBackend): the session, user, unit, roles and bell queries listed below are
    # two (the session and that user row).
    with django_assert_num_queries(12):
        response = client.get(reverse("my_projects"))
    assert len(response.context["cards"]) == n_projects


def test_a_milestone_s_percent_is_in_full_width_brackets_in_chinese(client, town):
    factories.MilestoneFactory(project=town.project, name="路基完成", planned_percent=Decimal("60.0"),
                               due_date=local_date() + datetime.timedelta(days=2))
    client.force_login(town.team_member)
    body = client.get(reverse("my_projects")).content.decode()
    assert "（60.0%）" in body and "(60.0%)" not in body
