"""待办: a team member's or leader's landing, with what is due and overdue, one tap from its form."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dates import local_date
from supervision.models import Notice, Notification
from tests import factories

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _notice(project, *, respond_by, status=Notice.Status.ISSUED, number="湖督〔2026〕1号"):
    return Notice.objects.create(campaign=project.campaign, project=project, issued_to=project.leader,
                                 reason="进度滞后15个百分点", required_action="制定赶工计划",
                                 respond_by=respond_by, status=status, number=number,
                                 year=2026, sequence=int(number[8:-1]), issued_at=timezone.now())


@pytest.mark.parametrize("role", ["team_member", "leader"])
def test_a_team_member_or_leader_lands_on_todo_after_login(client, town, role):
    user = town.user(role)
    user.set_password("pw-for-the-test-1")
    user.save()
    response = client.post(reverse("login"), {"username": user.username, "password": "pw-for-the-test-1"})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == reverse("todo")
    assert client.get("/").url == reverse("todo")


@pytest.mark.parametrize("role", ["supervisor", "town_admin", "observer"])
def test_officials_keep_the_dashboard_as_landing(client, town, role):
    client.force_login(town.user(role))
    response = client.get("/")
    assert response.status_code == 200
    assert "figures" in response.context or "body" in response.context
    assert 'id="project-table"' in response.content.decode()


def test_a_leader_who_is_also_a_supervisor_keeps_the_dashboard(client, town):
    town.leader.groups.add(*town.supervisor.groups.all())
    client.force_login(town.leader)
    assert client.get("/").status_code == 200


def test_team_members_still_reach_the_dashboard_from_the_menu(client, town):
    client.force_login(town.team_member)
    body = client.get(reverse("todo")).content.decode()
    assert f'href="{reverse("dashboard")}"' in body and 'id="nav-todo"' in body
    assert client.get(reverse("dashboard")).status_code == 200


def test_todo_lists_what_is_due_and_overdue_each_linked_to_its_form(client, town):
    today = local_date()
    ms = factories.MilestoneFactory(project=town.project, name="路基完成", due_date=today + 2 * DAY)
    factories.MilestoneFactory(project=town.project, name="远期节点", due_date=today + 30 * DAY)
    ob = factories.ObstacleFactory(project=town.project, title="供电未接入", due_date=today - DAY)
    hz = factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=town.project),
                                 description="临边防护缺失", rectify_by=today)
    factories.ObstacleFactory(project=town.other_project, title="别人的问题", due_date=today)
    client.force_login(town.team_member)
    body = client.get(reverse("todo")).content.decode()
    for text, url in (("路基完成", reverse("report_create", args=[town.project.pk])),
                      ("供电未接入", reverse("obstacle_resolve", args=[ob.pk])),
                      ("临边防护缺失", reverse("hazard_rectify", args=[hz.pk]))):
        assert text in body and f'href="{url}"' in body
    assert "远期节点" not in body and "别人的问题" not in body
    assert ms.name in body
    # Each link opens its form for this user.
    assert client.get(reverse("obstacle_resolve", args=[ob.pk])).status_code == 200
    assert client.get(reverse("hazard_rectify", args=[hz.pk])).status_code == 200


def test_a_missed_report_comes_first_in_red(client, town):
    # The campaign began 42 days ago and nothing has been reported: last week's report is missing.
    factories.ObstacleFactory(project=town.project, title="供电未接入", due_date=local_date() + DAY)
    client.force_login(town.team_member)
    response = client.get(reverse("todo"))
    items = response.context["items"]
    assert items[0]["kind"] == "report" and items[0]["overdue"]
    body = response.content.decode()
    assert body.index("上周未填报") < body.index("供电未接入")
    assert "gj-todo-overdue" in body[:body.index("供电未接入")]


def test_a_report_made_this_week_is_not_asked_for(client, town):
    factories.ProgressReportFactory(project=town.project, reported_at=timezone.now())
    town.project.last_reported_at = timezone.now()
    town.project.save(update_fields=["last_reported_at"])
    client.force_login(town.team_member)
    assert [i for i in client.get(reverse("todo")).context["items"] if i["kind"] == "report"] == []


def test_the_leader_sees_notices_to_sign_and_answer_overdue_first(client, town):
    today = local_date()
    later = _notice(town.project, respond_by=today + 2 * DAY, number="湖督〔2026〕2号")
    late = _notice(town.project, respond_by=today - 3 * DAY, status=Notice.Status.ACKNOWLEDGED,
                   number="湖督〔2026〕3号")
    _notice(town.project, respond_by=today - 9 * DAY, status=Notice.Status.CLOSED, number="湖督〔2026〕4号")
    factories.ProgressReportFactory(project=town.project, reported_at=timezone.now())
    town.project.last_reported_at = timezone.now()
    town.project.save(update_fields=["last_reported_at"])
    client.force_login(town.leader)
    response = client.get(reverse("todo"))
    notices = [i for i in response.context["items"] if i["kind"] == "notice"]
    assert [n["url"] for n in notices] == [reverse("notice_detail", args=[late.pk]),
                                          reverse("notice_detail", args=[later.pk])]
    assert notices[0]["overdue"] and not notices[1]["overdue"]
    body = response.content.decode()
    assert body.index("湖督〔2026〕3号") < body.index("湖督〔2026〕2号")
    assert "湖督〔2026〕4号" not in body
    assert str(notices[0]["action"]) in body and str(notices[1]["action"]) in body
    assert notices[0]["action"] != notices[1]["action"]  # 反馈 for the signed one, 签收 for the new


def test_the_unread_count_is_a_badge_on_the_menu_toggle(client, town):
    for i in range(3):
        Notification.objects.create(user=town.team_member, kind="report_due", title=f"提醒{i}")
    client.force_login(town.team_member)
    body = client.get(reverse("todo")).content.decode()
    toggle = body[body.index('class="navbar-toggler"'):body.index('id="gj-nav"')]
    assert 'id="gj-toggler-count"' in toggle and ">3<" in toggle


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get(reverse("todo")).status_code == 302


@pytest.mark.parametrize("n_projects", [2, 20])
def test_todo_makes_the_same_number_of_queries_for_2_and_20_projects(postgres,
        client, town, django_assert_num_queries, n_projects):
    for i in range(n_projects - 1):
        p = factories.ProjectFactory(campaign=town.campaign, leader=town.leader, code=f"X-{i:02d}")
        factories.MilestoneFactory(project=p, due_date=local_date())
        factories.ObstacleFactory(project=p, due_date=local_date())
        factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=p))
    client.force_login(town.leader)
    # 1 session, 2 user with profile, 3 unit, 4 units below it, 5 its parent (access units);
    # 6 my projects with their campaigns; 7 milestones, 8 obstacles, 9 hazards (with the note
    # of a returning review), 10 spot-check findings, 11 notices, 12 my action items; 13 the
    # user's groups (menu), 14 unread notifications (the bell).
    # On PostgreSQL the user row carries their roles, unit scope and unread count
    # (web.auth.UserBackend): the session, user, unit, roles and bell queries listed below are
    # two (the session and that user row).
    with django_assert_num_queries(9):
        response = client.get(reverse("todo"))
    assert len({i["project"].pk for i in response.context["items"]}) == n_projects
