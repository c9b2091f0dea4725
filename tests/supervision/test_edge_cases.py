"""Cases a town meets that the first version answered wrongly, across the engine: a report that
corrects a mistaken one, a notice returned after its date, a leader who changes while a draft
waits, a group robot told the same thing once per recipient, the figures of a past week, a
justified pause and the weeks after it, a campaign past its end, a project not yet started."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.models import Role
from projects import figures
from projects.models import Project
from projects.services import submit_report
from supervision import notices as svc
from supervision.models import Criticism, Delivery, Flag, Notice
from supervision.reminders import send_reminders
from supervision.scan import scan_project
from tests import factories

from .conftest import NOW, SHANGHAI, day, report

pytestmark = pytest.mark.django_db

DAYS = datetime.timedelta(days=1)
THURSDAY = NOW - DAYS  # 11-19, 12:00: the weekly report is due tomorrow at 18:00


def at(on: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(on, datetime.time(hour), tzinfo=SHANGHAI)


def open_kinds(project) -> set[str]:
    return set(Flag.objects.filter(project=project, resolved_at__isnull=True)
               .values_list("kind", flat=True))


# --- Reports that correct an earlier one (projects/services.py: submit_report) ------------------


def test_a_correction_below_100_reopens_the_project_the_mistaken_report_completed(project):
    submit_report(project, project.leader, percent=Decimal("100"), investment_done=Decimal("1000"),
                  work_done="主体完工", reported_at=at(day(11, 19)))
    submit_report(project, project.leader, percent=Decimal("92"), investment_done=Decimal("950"),
                  work_done="更正上周填报", decrease_reason="上周误报100%，附属工程尚未完成",
                  reported_at=at(day(11, 20)))
    project.refresh_from_db()
    assert project.status == Project.Status.IN_PROGRESS

    scan_project(project.pk, now=NOW)
    project.refresh_from_db()
    assert project.health != Project.Health.DONE


def test_a_correction_below_a_milestone_takes_back_the_milestone_the_mistaken_report_met(project):
    milestone = factories.MilestoneFactory(project=project, due_date=day(11, 25),
                                           planned_percent=Decimal("50"))
    submit_report(project, project.leader, percent=Decimal("55"), investment_done=Decimal("500"),
                  work_done="桩基完成", reported_at=at(day(11, 19)))
    milestone.refresh_from_db()
    assert milestone.completed_on == day(11, 19)

    submit_report(project, project.leader, percent=Decimal("45"), investment_done=Decimal("450"),
                  work_done="更正", decrease_reason="昨日多报了十个百分点",
                  reported_at=at(day(11, 20)))
    milestone.refresh_from_db()
    assert milestone.completed_on is None

    # Two days past its date at 45 %, the milestone is overdue.
    scan_project(project.pk, now=at(day(11, 27), 12))
    assert "milestone_overdue" in open_kinds(project)


# --- Notices (supervision/notices.py) -----------------------------------------------------------


@pytest.fixture
def answered_notice(project, supervisor_in_town):
    """A notice issued, acknowledged and answered by its leader before its deadline."""
    notice = svc.create_draft_notice(project, reason="进度滞后15个百分点",
                                     required_action="三日内报送整改措施",
                                     created_by=supervisor_in_town)
    svc.issue_notice(notice, supervisor_in_town)
    svc.acknowledge_notice(notice, project.leader)
    svc.respond_to_notice(notice, project.leader, "已增加两个施工班组")
    return notice


def test_a_notice_answered_on_time_and_returned_late_gives_the_leader_time_to_answer_again(
        answered_notice, project, supervisor_in_town):
    # The leader answered on time; the supervision group took a week to verify and returns it.
    today = timezone.localdate()
    Notice.objects.filter(pk=answered_notice.pk).update(respond_by=today - 4 * DAYS)
    svc.return_notice(answered_notice, supervisor_in_town, "请补充现场照片")

    answered_notice.refresh_from_db()
    assert not answered_notice.is_overdue(today)
    counts = svc.urge_overdue_notices(project.campaign, timezone.now())
    assert counts == {"urged": 0, "escalated": 0}
    assert not Criticism.objects.filter(notice=answered_notice).exists()


def test_a_draft_is_issued_to_the_leader_of_the_project_when_it_is_issued(
        project, supervisor_in_town):
    draft = svc.create_draft_notice(project, reason="进度滞后", required_action="报送整改措施",
                                    created_by=supervisor_in_town)
    new_leader = factories.UserFactory(username="new-leader", roles=[Role.LEADER])
    project.leader = new_leader
    project.save()

    svc.issue_notice(draft, supervisor_in_town)
    assert draft.issued_to == new_leader
    svc.acknowledge_notice(draft, new_leader)  # the leader now may answer it


# --- Notifications (supervision/notify.py) ------------------------------------------------------


def test_the_group_robot_gets_a_reminder_to_a_whole_team_once(project, team_member):
    campaign = project.campaign
    campaign.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"
    campaign.save()
    factories.AssignmentFactory(project=project)  # a second team member
    report(project, "30", day(11, 12))

    assert send_reminders(THURSDAY) == 3  # the leader and the two team members, in the app
    # One robot, one group chat: the same text posted once per recipient is posted three times.
    posts = Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK)
    assert posts.count() == 1


# --- Figures (campaign/figures.py) --------------------------------------------------------------


def test_the_headline_investment_of_a_past_week_agrees_with_the_table_of_that_week(campaign):
    p = factories.ProjectFactory(campaign=campaign, planned_investment=Decimal("1000"))
    submit_report(p, p.leader, percent=Decimal("30"), investment_done=Decimal("300"),
                  work_done="第一周", reported_at=at(day(11, 13)))
    submit_report(p, p.leader, percent=Decimal("50"), investment_done=Decimal("600"),
                  work_done="第二周", reported_at=at(day(11, 20)))

    week_before = day(11, 13)
    table = figures.progress_table(campaign, week_before)
    headline = figures.headline_figures(campaign, week_before)
    assert sum(r["investment_done"] for r in table) == Decimal("300")
    assert headline["investment_done"] == Decimal("300")
    assert headline["investment_rate"] == Decimal("30.0")


def test_a_justly_paused_project_is_not_expected_to_report(campaign):
    factories.ProjectFactory(campaign=campaign)
    factories.ProjectFactory(campaign=campaign, status=Project.Status.SUSPENDED,
                             pause_reason="汛期停工，经攻坚办批准", pause_approved=True)
    assert figures.headline_figures(campaign, day(11, 20))["projects_expected"] == 1


def test_a_project_that_leaves_a_justified_pause_is_stamped_with_the_day_it_resumed(campaign):
    project = factories.ProjectFactory(campaign=campaign, status=Project.Status.SUSPENDED,
                                       pause_reason="汛期停工，经攻坚办批准", pause_approved=True)
    assert project.resumed_on is None

    project.name = "改名不等于复工"
    project.save(update_fields=["name"])
    project.status = Project.Status.IN_PROGRESS
    project.save(update_fields=["status"])
    project.refresh_from_db()
    assert project.resumed_on == timezone.localdate()


def test_leaving_an_unapproved_suspension_is_not_a_resumption(campaign):
    project = factories.ProjectFactory(campaign=campaign, status=Project.Status.SUSPENDED,
                                       pause_reason="汛期停工", pause_approved=False)
    project.status = Project.Status.IN_PROGRESS
    project.save()
    project.refresh_from_db()
    assert project.resumed_on is None


@pytest.fixture
def resumed_project(project):
    """Paused with an approved reason from 10-26 (its last report 10-23), resumed Monday 11-16."""
    report(project, "30", day(10, 23))
    Project.objects.filter(pk=project.pk).update(status=Project.Status.IN_PROGRESS,
                                                 resumed_on=day(11, 16))
    project.refresh_from_db()
    return project


def test_no_report_is_missing_for_a_week_the_project_was_paused(resumed_project, team_member):
    tuesday = NOW - 3 * DAYS  # 11-17: the deadline before it, Friday 11-13, fell in the pause
    scan_project(resumed_project.pk, now=tuesday)
    assert "report_missing" not in open_kinds(resumed_project)

    send_reminders(tuesday)
    assert not team_member.notifications.filter(dedupe_key__startswith="report-missed:").exists()


def test_the_first_friday_after_resuming_is_owed(resumed_project, team_member):
    friday_evening = NOW + datetime.timedelta(hours=7)  # 11-20 19:00, past the 18:00 deadline
    scan_project(resumed_project.pk, now=friday_evening)
    assert "report_missing" in open_kinds(resumed_project)

    send_reminders(friday_evening)
    assert team_member.notifications.filter(dedupe_key__startswith="report-missed:").exists()


def test_my_projects_does_not_show_a_report_missing_for_a_week_in_the_pause(client, campaign):
    # The page reads today's clock: the project resumed today, its last report a month ago.
    project = factories.ProjectFactory(campaign=campaign, status=Project.Status.IN_PROGRESS,
                                       resumed_on=timezone.localdate())
    report(project, "30", timezone.localdate() - 30 * DAYS)
    member = factories.AssignmentFactory(project=project).user
    member.profile.unit = campaign.unit
    member.profile.save()

    client.force_login(member)
    [card] = client.get(reverse("my_projects")).context["cards"]
    assert not card["report"]["missing"]


# --- Reminders (supervision/reminders.py) -------------------------------------------------------


def test_reminders_and_the_scan_agree_on_which_suspended_projects_owe_a_report(project,
                                                                              team_member):
    # Approved but with no reason written: the scan does not count it as a justified pause.
    Project.objects.filter(pk=project.pk).update(status=Project.Status.SUSPENDED,
                                                 pause_approved=True, pause_reason="")
    report(project, "30", day(11, 5))
    scan_project(project.pk, now=NOW)
    assert "report_missing" in open_kinds(project)

    send_reminders(NOW)
    assert team_member.notifications.filter(dedupe_key__startswith="report-missed:").exists()


def test_no_report_is_told_missed_for_a_deadline_after_the_campaign_has_ended():
    # The campaign ended on Wednesday 11-18; the office has not closed it yet.
    campaign = factories.CampaignFactory(start_date=day(8, 11), end_date=day(11, 18))
    project = factories.ProjectFactory(campaign=campaign)
    team_member = factories.AssignmentFactory(project=project).user
    report(project, "80", day(11, 13), hour=9)  # the last report the campaign asked for

    send_reminders(THURSDAY)
    assert not team_member.notifications.filter(dedupe_key__startswith="report-due").exists()
    send_reminders(NOW + datetime.timedelta(hours=7))  # Friday 19:00, after the weekly deadline
    assert not team_member.notifications.filter(dedupe_key__startswith="report-missed").exists()


def test_my_projects_does_not_show_a_report_missing_before_the_project_is_due_to_start(client):
    # The page's own rule (projects/views.py: _report_state) against the scan's.
    campaign = factories.CampaignFactory()
    start = timezone.localdate() + 10 * DAYS
    project = factories.ProjectFactory(campaign=campaign, planned_start=start,
                                       status=Project.Status.NOT_STARTED)
    member = factories.AssignmentFactory(project=project).user
    member.profile.unit = campaign.unit
    member.profile.save()
    scan_project(project.pk)
    assert "report_missing" not in open_kinds(project)

    client.force_login(member)
    [card] = client.get(reverse("my_projects")).context["cards"]
    assert card["project"] == project
    assert not card["report"]["missing"]


# --- A project entered once the campaign had begun ---------------------------------------------


def test_a_project_entered_mid_campaign_owes_reports_from_the_day_it_was_entered(campaign):
    """Found by the campaign office: a project entered on 11-17, planned from 10-20, showed 缺报
    at once — the weeks before it was in the app were counted as missed. Owed from its entry
    (Campaign.reporting_window): the scan, the reminders, the ranking and the pages agree."""
    from supervision.ranking import ranking

    entered = factories.ProjectFactory(campaign=campaign, planned_start=day(10, 20),
                                       entered_on=day(11, 17))
    member = factories.AssignmentFactory(project=entered).user
    tuesday = NOW - 3 * DAYS  # 11-17: the Friday deadlines before (11-13, 11-06…) fell before it
    scan_project(entered.pk, now=tuesday)
    assert "report_missing" not in open_kinds(entered)
    send_reminders(tuesday)
    assert not member.notifications.filter(dedupe_key__startswith="report-missed:").exists()
    # The first Friday after its entry is owed, as for any project.
    scan_project(entered.pk, now=NOW + datetime.timedelta(hours=7))  # 11-20 19:00
    assert "report_missing" in open_kinds(entered)
    # The ranking counts only weeks from its entry: by hand, the weeks closing 11-06 and 11-13
    # are not owed (it was not entered), so none is missed before 11-20.
    rows = ranking(campaign, THURSDAY)
    leader_row = next(r for r in rows["leaders"] if r["key"] == entered.leader_id)
    assert rows["weeks_closed"] >= 2 and leader_row["reports_missed"] == 0
    # Without an entry date (in the app from the start), the same project owes them.
    Project.objects.filter(pk=entered.pk).update(entered_on=None)
    scan_project(entered.pk, now=tuesday)
    assert "report_missing" in open_kinds(entered)


def test_a_project_created_after_the_campaign_began_is_stamped_with_its_entry_day(campaign):
    from projects.services import save_project

    office = factories.placed(factories.UserFactory(roles=[Role.TOWN_ADMIN]), campaign.unit)
    leader = factories.placed(factories.UserFactory(roles=[Role.LEADER]), campaign.unit)
    project, _changed = save_project(
        campaign, office, code="HN-99", name="新增项目", level=Project.Level.TOWN,
        listed_by=campaign.unit, owner="湖南镇", leader=leader, planned_investment=Decimal("100"),
        planned_start=campaign.start_date, planned_end=campaign.end_date, goal="完成")
    assert project.entered_on == timezone.localdate()  # the campaign began 10-09
