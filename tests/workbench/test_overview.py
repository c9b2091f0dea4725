"""The supervision overview: who may open it, what it lists, issuing several drafts at once, and
a fixed number of queries however many rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision import bulletins
from supervision.models import Flag, Notice, Severity
from tests import factories

from .conftest import make_notice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role,status", [("supervisor", 200), ("town_admin", 200), ("leader", 403),
                                         ("team_member", 403), ("observer", 200)])
def test_the_supervision_group_the_campaign_office_and_the_higher_office_open_the_overview(
        request, client, project, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("supervision_overview"))
    assert response.status_code == status
    if status == 403:
        assert "Only the supervision group and the higher office can see this." in response.content.decode()


def test_another_towns_campaign_is_not_found(client, campaign, outsider):
    client.force_login(outsider)
    assert client.get(reverse("supervision_overview") + f"?campaign={campaign.pk}").status_code == 404


def test_the_overview_lists_red_first_overdue_first_and_the_late_field_work(
        client, campaign, project, supervisor, leader):
    now = timezone.now()
    today = timezone.localdate()
    other = factories.ProjectFactory(campaign=campaign, code="HN-02", name="污水处理厂")
    Flag.objects.create(project=other, kind=Flag.Kind.REPORT_MISSING, severity=Severity.YELLOW,
                        opened_at=now - datetime.timedelta(days=9))
    Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        opened_at=now - datetime.timedelta(days=3))
    late = make_notice(project, supervisor, "issued")
    Notice.objects.filter(pk=late.pk).update(respond_by=today - datetime.timedelta(days=2))
    on_time = make_notice(other, supervisor, "issued")
    yesterday = today - datetime.timedelta(days=1)
    factories.ObstacleFactory(project=project, title="杆线未迁改", due_date=yesterday)
    factories.ObstacleFactory(project=project, title="还没到期", due_date=today + datetime.timedelta(days=1))
    factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=project),
                            description="临边防护缺失", rectify_by=today - datetime.timedelta(days=1))
    factories.ActionItemFactory(meeting=factories.MeetingFactory(campaign=campaign), project=project,
                                description="协调供电接入", owner=leader,
                                due_date=today - datetime.timedelta(days=4))
    client.force_login(supervisor)
    page = client.get(reverse("supervision_overview")).content.decode()
    flags = page.split('id="open-flags"')[1].split("</section>")[0]
    assert flags.index("HN-01") < flags.index("HN-02")  # red before the older yellow
    notices = page.split('id="open-notices"')[1].split("</section>")[0]
    assert notices.index(late.number) < notices.index(on_time.number)
    assert "2 days overdue" in notices
    assert "杆线未迁改" in page and "还没到期" not in page
    assert "临边防护缺失" in page and "协调供电接入" in page
    most_red = page.split('id="most-red"')[1].split("</section>")[0]
    assert "HN-01" in most_red and "HN-02" not in most_red
    filtered = client.get(reverse("supervision_overview") + "?severity=yellow").content.decode()
    assert "HN-02" in filtered.split('id="open-flags"')[1].split("</section>")[0]
    assert "HN-01" not in filtered.split('id="open-flags"')[1].split("</section>")[0]


def test_several_drafts_are_issued_at_once(client, campaign, project, supervisor, leader):
    other = factories.ProjectFactory(campaign=campaign, leader=leader)
    drafts = [make_notice(project, supervisor, "draft"), make_notice(other, supervisor, "draft")]
    client.force_login(supervisor)
    response = client.post(reverse("supervision_bulk_issue"), {
        "campaign": campaign.pk, "notices": [n.pk for n in drafts], "respond_by": "",
        "confirmed": "1"})
    assert response.status_code == 302
    numbers = sorted(Notice.objects.values_list("number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"湖督〔{year}〕1号", f"湖督〔{year}〕2号"]
    assert all(n.status == Notice.Status.ISSUED for n in Notice.objects.all())


def test_issuing_drafts_issued_meanwhile_in_another_tab_says_so(client, campaign, project,
                                                                 supervisor):
    drafts = [make_notice(project, supervisor, "draft"), make_notice(project, supervisor, "draft")]
    client.force_login(supervisor)
    data = {"campaign": campaign.pk, "notices": [n.pk for n in drafts], "respond_by": "",
            "confirmed": "1"}
    assert client.post(reverse("supervision_bulk_issue"), data).status_code == 302
    again = client.post(reverse("supervision_bulk_issue"), data).content.decode()
    assert "no longer a draft" in again and "is not one of the available choices" not in again


def test_issuing_nothing_says_what_to_do(client, campaign, project, supervisor):
    make_notice(project, supervisor, "draft")
    client.force_login(supervisor)
    response = client.post(reverse("supervision_bulk_issue"), {"campaign": campaign.pk})
    assert response.status_code == 400
    assert "Tick at least one draft notice to issue." in response.content.decode()


@pytest.mark.parametrize("count", [1, 5])
def test_the_overview_runs_a_fixed_number_of_queries(postgres, client, campaign, supervisor,
                                                     django_assert_num_queries, count):
    today = timezone.localdate()
    for i in range(count):
        project = factories.ProjectFactory(campaign=campaign)
        Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                            opened_at=timezone.now() - datetime.timedelta(days=i + 1))
        make_notice(project, supervisor, "draft")
        issued = make_notice(project, supervisor, "issued")
        Notice.objects.filter(pk=issued.pk).update(respond_by=today - datetime.timedelta(days=1))
        factories.ObstacleFactory(project=project, due_date=today - datetime.timedelta(days=1))
        factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=project),
                                rectify_by=today - datetime.timedelta(days=1))
        factories.ActionItemFactory(meeting=factories.MeetingFactory(campaign=campaign),
                                    project=project, due_date=today - datetime.timedelta(days=1))
    client.force_login(supervisor)
    # 1 session, 2 user with profile, 3 roles, 4 unit, 5 units below the town, 6 the campaign,
    # 7 flag counts by severity, 8 open flags with project and leader, 9 notice counts by status,
    # 10 notices under way with project and leader, 11 red flags for the days in red,
    # 12 the projects of the "most days in red" list, 13 the bell's unread count, 14 the campaign
    # switcher, 15 the leaders of the filter, 16 whether there are drafts, 17 the drafts,
    # 18 overdue obstacles, 19 overdue hazards, 20 overdue action items, 21 the projects' lights,
    # 22 the hazards awaiting review (复核).
    # On PostgreSQL the user row carries their roles, unit scope and unread count
    # (web.auth.UserBackend): the session, user, unit, roles and bell queries listed below are
    # two (the session and that user row).
    with django_assert_num_queries(18):
        response = client.get(reverse("supervision_overview"))
    assert response.content.decode().count('class="flag-row"') == count


def test_a_flag_opened_after_midnight_in_shanghai_has_been_open_one_day_as_the_bulletin_counts(
        client, project, supervisor):
    # 00:30 in Shanghai is still the day before in UTC: the age counts local days, today included
    # (the bulletin's days in red count the same way).
    opened = datetime.datetime.combine(timezone.localdate(), datetime.time(0, 30),
                                       tzinfo=timezone.get_current_timezone())
    Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        opened_at=opened, details={"lag": "16.0"})
    client.force_login(supervisor)
    [flag] = client.get(reverse("supervision_overview")).context["open_flags"]
    assert flag.age_days == 1
    assert bulletins.days_in_red(project.campaign, timezone.localdate()) == {project.pk: 1}


def test_a_past_response_date_is_refused_once_beside_the_field_with_the_ticks_kept(
        client, campaign, project, supervisor):
    drafts = [make_notice(project, supervisor, "draft"), make_notice(project, supervisor, "draft")]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.force_login(supervisor)
    response = client.post(reverse("supervision_bulk_issue"), {
        "campaign": campaign.pk, "notices": [n.pk for n in drafts],
        "respond_by": yesterday.isoformat()})
    assert response.status_code == 400
    form = response.context["bulk_form"]
    assert form.errors == {"respond_by": ["The response date cannot be in the past."]}
    assert response.content.decode().count("checked") >= 2
    assert not Notice.objects.exclude(status=Notice.Status.DRAFT).exists()
