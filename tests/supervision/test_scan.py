"""The scan, kind by kind, with fixed dates: what opens a flag, what its details say, what
resolves it; and that a rerun changes nothing and the query count does not grow."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Obstacle, Project
from supervision.models import Flag, Notice, Notification
from supervision.notices import describe_flag
from supervision.scan import scan_campaign, scan_campaigns, scan_moment, scan_project
from tests import factories

from .conftest import NOW, TODAY, day, report

pytestmark = pytest.mark.django_db

# The campaign runs 2026-10-09 .. 2027-01-16 (100 days); with no milestones the plan is linear:
# 41.4 % on Thursday 11-19, 42.4 % on Friday 11-20.


def open_flags(project):
    return {f.kind: f for f in Flag.objects.filter(project=project, resolved_at__isnull=True)}


def test_a_project_on_plan_gets_no_flag_and_stays_green(make_project):
    project = make_project()
    report(project, "41.4", day(11, 19))
    scan_campaign(project.campaign_id, now=NOW)
    assert open_flags(project) == {}
    project.refresh_from_db()
    assert project.health == Project.Health.GREEN


def test_behind_plan_opens_yellow_with_the_figures_and_resolves_when_caught_up(make_project):
    project = make_project()
    report(project, "30", day(11, 19))
    result = scan_campaign(project.campaign_id, now=NOW)
    flag = open_flags(project)["behind_plan"]
    assert flag.severity == "yellow"
    assert flag.details == {"planned": "41.4", "actual": "30.0", "lag": "11.4", "threshold": 5}
    assert result.opened["behind_plan"] == 1
    project.refresh_from_db()
    assert project.health == Project.Health.YELLOW

    report(project, "42.4", TODAY, hour=11)
    result = scan_campaign(project.campaign_id, now=NOW)
    assert result.resolved["behind_plan"] == 1
    flag.refresh_from_db()
    assert flag.resolved_at == NOW
    project.refresh_from_db()
    assert project.health == Project.Health.GREEN


def test_a_report_corrected_the_same_day_is_read_as_corrected(make_project):
    project = make_project()
    report(project, "30", day(11, 19), hour=9)
    report(project, "41.4", day(11, 19), hour=15)
    scan_campaign(project.campaign_id, now=NOW)
    assert open_flags(project) == {}
    project.refresh_from_db()
    assert project.health == Project.Health.GREEN


def test_behind_plan_by_the_red_threshold_is_red_and_the_project_red(make_project):
    project = make_project()
    report(project, "20", day(11, 19))
    scan_campaign(project.campaign_id, now=NOW)
    assert open_flags(project)["behind_plan"].severity == "red"
    project.refresh_from_db()
    assert project.health == Project.Health.RED


def test_a_growing_lag_updates_the_open_flag_instead_of_opening_another(make_project):
    project = make_project()
    report(project, "30", day(11, 19))
    scan_campaign(project.campaign_id, now=NOW)
    later = NOW + datetime.timedelta(days=9)  # the report is 10 days old: the plan reads on 11-29
    result = scan_campaign(project.campaign_id, now=later)
    assert result.updated["behind_plan"] == 1 and not result.opened["behind_plan"]
    flags = Flag.objects.filter(project=project, kind="behind_plan")
    assert flags.count() == 1
    assert flags.get().details["lag"] == "21.5"
    assert flags.get().severity == "red"


def test_milestone_overdue_within_grace_is_yellow_beyond_it_red_and_resolves_when_met(make_project):
    project = make_project()
    milestone = factories.MilestoneFactory(project=project, due_date=day(11, 15),
                                           planned_percent=Decimal("45"))
    report(project, "45", day(11, 19))
    scan_campaign(project.campaign_id, now=NOW)
    flag = open_flags(project)["milestone_overdue"]
    assert flag.severity == "yellow"
    # The date passed is stored, the days (11-20 less 11-15: 5) are counted on read.
    assert flag.details == {"since": "2026-11-15", "count": 1, "due": ["2026-11-15"], "grace": 7}
    assert re.findall(r"\d+", describe_flag(flag.kind, flag.severity, flag.details,
                                            as_of=TODAY)) == ["5", "7"]

    scan_campaign(project.campaign_id, now=NOW + datetime.timedelta(days=3))
    flag.refresh_from_db()
    assert flag.severity == "red" and flag.details["since"] == "2026-11-15"
    assert re.findall(r"\d+", describe_flag(flag.kind, flag.severity, flag.details,
                                            as_of=TODAY + datetime.timedelta(days=3))) == ["8", "7"]

    milestone.completed_on = day(11, 19)
    milestone.save()
    result = scan_campaign(project.campaign_id, now=NOW + datetime.timedelta(days=3))
    assert result.resolved["milestone_overdue"] == 1
    assert "milestone_overdue" not in open_flags(project)


def test_report_missing_after_the_deadline_and_cleared_by_a_late_report(make_project):
    project = make_project()
    report(project, "40", day(11, 5))  # nothing since: the report due Fri 11-13 18:00 is missing
    scan_campaign(project.campaign_id, now=NOW)
    flag = open_flags(project)["report_missing"]
    assert flag.severity == "yellow"
    assert flag.details["due"].startswith("2026-11-13T18:00")

    report(project, "42.4", TODAY, hour=11)
    result = scan_campaign(project.campaign_id, now=NOW)
    assert result.resolved["report_missing"] == 1


def test_no_report_is_owed_before_the_first_deadline_of_the_project(make_project):
    project = make_project(planned_start=day(11, 14))
    scan_campaign(project.campaign_id, now=NOW)
    assert "report_missing" not in open_flags(project)


def test_obstacle_overdue_opens_and_resolves_when_the_obstacle_is_resolved(make_project):
    project = make_project()
    report(project, "41.4", day(11, 19))
    raised = NOW - datetime.timedelta(days=10)
    obstacle = factories.ObstacleFactory(project=project, due_date=day(11, 18), raised_at=raised)
    factories.ObstacleFactory(project=project, due_date=day(11, 25), raised_at=raised)
    scan_campaign(project.campaign_id, now=NOW)
    flag = open_flags(project)["obstacle_overdue"]
    assert (flag.severity, flag.details) == ("yellow", {"count": 1, "since": "2026-11-18", "grace": 7})

    obstacle.status, obstacle.resolved_on = Obstacle.Status.RESOLVED, TODAY
    obstacle.save()
    result = scan_campaign(project.campaign_id, now=NOW)
    assert result.resolved["obstacle_overdue"] == 1


def test_hazard_overdue_is_red_when_major_and_resolves_when_rectified(make_project):
    project = make_project()
    report(project, "41.4", day(11, 19))
    check = factories.SafetyCheckFactory(project=project, checked_on=day(11, 10))
    hazard = factories.HazardFactory(check_record=check, rectify_by=day(11, 18), level="major")
    scan_campaign(project.campaign_id, now=NOW)
    flag = open_flags(project)["hazard_overdue"]
    assert flag.severity == "red"
    assert flag.details == {"count": 1, "major": 1, "since": "2026-11-18", "grace": 7}

    hazard.rectified_on = TODAY
    hazard.save()
    result = scan_campaign(project.campaign_id, now=NOW)
    assert result.resolved["hazard_overdue"] == 1


def test_finish_at_risk_before_any_lag_when_the_pace_slows(make_project):
    project = make_project()
    report(project, "38", day(11, 5))  # ahead of the plan (27.3 %)
    report(project, "41.4", day(11, 19))  # on plan, but 3.4 points in two weeks
    scan_campaign(project.campaign_id, now=NOW)
    flags = open_flags(project)
    assert set(flags) == {"finish_at_risk"}
    assert flags["finish_at_risk"].details["planned_end"] == "2027-01-16"
    assert flags["finish_at_risk"].details["forecast"] > "2027-01-19"

    report(project, "60", TODAY, hour=11)
    result = scan_campaign(project.campaign_id, now=NOW)
    assert result.resolved["finish_at_risk"] == 1


def test_notice_overdue_opens_past_respond_by_and_resolves_on_response(make_project):
    project = make_project()
    report(project, "41.4", day(11, 19))
    notice = Notice.objects.create(
        campaign=project.campaign, project=project, issued_to=project.leader, reason="r",
        required_action="a", status=Notice.Status.ISSUED, number="湖督〔2026〕1号", year=2026,
        sequence=1, respond_by=day(11, 18))
    scan_campaign(project.campaign_id, now=NOW)
    flag = open_flags(project)["notice_overdue"]
    assert flag.severity == "yellow"
    assert flag.details == {"count": 1, "since": "2026-11-18", "numbers": ["湖督〔2026〕1号"],
                            "escalated": False, "escalate_after": 3}

    scan_campaign(project.campaign_id, now=NOW + datetime.timedelta(days=2))
    flag.refresh_from_db()
    assert flag.severity == "red"  # 4 days > escalate_after_days (3)

    notice.status = Notice.Status.RESPONDED
    notice.save()
    result = scan_campaign(project.campaign_id, now=NOW + datetime.timedelta(days=2))
    assert result.resolved["notice_overdue"] == 1


def test_a_completed_or_justly_paused_project_keeps_no_flag(make_project):
    done = make_project(status=Project.Status.COMPLETED)
    paused = make_project(status=Project.Status.SUSPENDED, pause_approved=True,
                          pause_reason="等待规划调整批复")
    scan_campaign(done.campaign_id, now=NOW)
    assert open_flags(done) == {} and open_flags(paused) == {}
    done.refresh_from_db()
    paused.refresh_from_db()
    assert (done.health, paused.health) == ("done", "paused")


def test_a_second_scan_with_nothing_new_changes_nothing(make_project, campaign):
    for pct in ("20", "30", "41.4"):
        report(make_project(), pct, day(11, 19))
    first = scan_campaign(campaign.pk, now=NOW)
    assert first.changed
    before = list(Flag.objects.values_list("pk", "kind", "severity", "details", "resolved_at"))
    second = scan_campaign(campaign.pk, now=NOW)
    assert not second.changed
    assert list(Flag.objects.values_list("pk", "kind", "severity", "details",
                                         "resolved_at")) == before


def test_a_flag_that_exists_is_not_duplicated_by_an_overlapping_run(make_project):
    project = make_project()
    report(project, "20", day(11, 19))
    Flag.objects.create(project=project, kind="behind_plan", severity="red",
                        details={"planned": "41.4", "actual": "20.0", "lag": "21.4"})
    scan_campaign(project.campaign_id, now=NOW)
    assert Flag.objects.filter(project=project, kind="behind_plan").count() == 1


def test_scanning_one_project_leaves_the_others_flags_alone(make_project):
    behind, other = make_project(), make_project()
    report(behind, "20", day(11, 19))
    report(other, "20", day(11, 19))
    scan_project(behind.pk, now=NOW)
    assert "behind_plan" in open_flags(behind)
    assert open_flags(other) == {}


def test_as_of_any_date_scans_at_the_end_of_that_local_day_and_no_date_means_now():
    moment = scan_moment(day(11, 13), now=NOW)
    assert moment.isoformat() == "2026-11-13T23:59:59.999999+08:00"  # core.dates.day_end
    assert scan_moment(TODAY, now=NOW).isoformat() == f"{TODAY.isoformat()}T23:59:59.999999+08:00"
    assert scan_moment(None, now=NOW) == NOW


def test_new_flags_notify_the_leader_once(make_project):
    project = make_project()
    report(project, "30", day(11, 19))
    scan_campaign(project.campaign_id, now=NOW)
    scan_campaign(project.campaign_id, now=NOW + datetime.timedelta(hours=1))
    notes = Notification.objects.filter(user=project.leader, kind="flag_opened")
    assert notes.count() == 1
    assert project.code in notes.get().title


def test_the_leaders_warning_links_to_the_project_or_to_their_projects(make_project):
    from django.urls import reverse

    alone = make_project()
    first = make_project()
    second = factories.ProjectFactory(campaign=first.campaign, leader=first.leader)
    for project in (alone, first, second):
        report(project, "30", day(11, 19))
    scan_campaign(alone.campaign_id, now=NOW)
    [note] = Notification.objects.filter(user=alone.leader, kind="flag_opened")
    assert note.url == reverse("project_detail", args=[alone.pk])
    [note] = Notification.objects.filter(user=first.leader, kind="flag_opened")
    assert note.url == reverse("my_projects")


def test_a_leader_of_projects_in_two_campaigns_scanned_in_two_batches_hears_of_both(
        make_project, campaign):
    here = make_project()
    other_campaign = factories.CampaignFactory(start_date=campaign.start_date,
                                               end_date=campaign.end_date)
    there = factories.ProjectFactory(campaign=other_campaign, leader=here.leader)
    report(here, "30", day(11, 19))
    report(there, "30", day(11, 19))
    # The hourly beat's batches share one moment.
    scan_campaign(campaign.pk, now=NOW)
    scan_campaign(other_campaign.pk, now=NOW)
    titles = set(Notification.objects.filter(user=here.leader, kind="flag_opened")
                 .values_list("title", flat=True))
    assert len(titles) == 2
    assert any(here.code in t for t in titles) and any(there.code in t for t in titles)


def test_a_project_turning_red_gets_one_draft_notice_with_its_flags(make_project,
                                                                      supervisor_in_town):
    project = make_project()
    report(project, "20", day(11, 19))
    result = scan_campaign(project.campaign_id, now=NOW)
    assert result.notices_drafted == 1
    notice = Notice.objects.get(project=project)
    assert notice.status == Notice.Status.DRAFT and notice.number is None
    assert notice.issued_to == project.leader
    assert {f.kind for f in notice.flags.all()} == {"behind_plan"}
    assert Notification.objects.filter(user=supervisor_in_town, kind="notice_drafted").exists()

    scan_campaign(project.campaign_id, now=NOW + datetime.timedelta(hours=1))
    assert Notice.objects.filter(project=project).count() == 1


def test_with_auto_issue_the_notice_is_issued_and_numbered_at_once(make_project, campaign):
    campaign.auto_issue_notices = True
    campaign.save()
    first, second = make_project(), make_project()
    report(first, "20", day(11, 19))
    report(second, "10", day(11, 19))
    result = scan_campaign(campaign.pk, now=NOW)
    assert result.notices_issued == 2
    numbers = sorted(Notice.objects.values_list("number", flat=True))
    assert numbers == ["湖督〔2026〕1号", "湖督〔2026〕2号"]
    notice = Notice.objects.get(project=first)
    assert notice.respond_by == day(11, 23)
    assert Notification.objects.filter(user=first.leader, kind="notice_issued").exists()


def test_an_auto_issued_notice_tells_the_leader_which_project_in_one_sentence(make_project,
                                                                              campaign):
    campaign.auto_issue_notices = True
    campaign.save()
    project = make_project()
    report(project, "20", day(11, 19))
    scan_campaign(campaign.pk, now=NOW)
    title = Notification.objects.get(user=project.leader, kind="notice_issued").title
    assert title == f"督办单湖督〔2026〕1号：{project.code} {project.name}，请于2026-11-23前反馈"


def test_each_draft_notice_from_the_scan_names_its_project_to_the_supervisors(
        make_project, supervisor_in_town):
    first, second = make_project(), make_project()
    report(first, "20", day(11, 19))
    report(second, "10", day(11, 19))
    scan_campaign(first.campaign_id, now=NOW)
    titles = sorted(Notification.objects.filter(user=supervisor_in_town, kind="notice_drafted")
                    .values_list("title", flat=True))
    assert titles == sorted(f"{p.code} {p.name}的督办单草稿待审核" for p in (first, second))


def test_a_project_yellow_for_seven_days_gets_a_draft_notice(make_project):
    project = make_project()
    report(project, "33", day(11, 19))
    scan_campaign(project.campaign_id, now=NOW)
    assert not Notice.objects.exists()
    Flag.objects.filter(project=project).update(opened_at=NOW - datetime.timedelta(days=7))
    result = scan_campaign(project.campaign_id, now=NOW)
    assert result.notices_drafted == 1


def _build(campaign, n):
    for _ in range(n):
        project = factories.ProjectFactory(campaign=campaign)
        factories.MilestoneFactory(project=project, due_date=day(11, 15),
                                   planned_percent=Decimal("45"))
        report(project, 20, day(11, 12))
        report(project, 25, day(11, 19))
        factories.ObstacleFactory(project=project, due_date=day(11, 18),
                                  raised_at=NOW - datetime.timedelta(days=10))


def _count_queries(campaign_id):
    with CaptureQueriesContext(connection) as ctx:
        scan_campaign(campaign_id, now=NOW)
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_projects():
    small = factories.CampaignFactory(unit=factories.UnitFactory(name="甲镇"))
    large = factories.CampaignFactory(unit=factories.UnitFactory(name="乙镇"))
    _build(small, 5)
    _build(large, 30)  # 120 flags: one INSERT even within SQLite's 999 parameters
    first_small, first_large = _count_queries(small.pk), _count_queries(large.pk)
    assert first_small == first_large
    # A forced rescan with nothing new: the campaign lock, projects and reports (two queries on
    # SQLite), milestones, plan versions, obstacles, hazards, notices, open flags — 9 reads at
    # most — and no write (plus, in the test's transaction, the savepoint and its release and the
    # caller's planner settings read and given back: scan._for_short_queries).
    rescan_small, rescan_large = _count_queries(small.pk), _count_queries(large.pk)
    assert rescan_small == rescan_large
    assert rescan_small <= 13


def test_the_hourly_scan_of_the_projects_due_takes_as_many_queries_for_few_as_for_many():
    """The hourly scan of a batch: the campaign lock, the projects due, then the reads and writes
    of a scan of those — as many queries for 2 projects due as for 20."""
    small = factories.CampaignFactory(unit=factories.UnitFactory(name="甲镇"))
    large = factories.CampaignFactory(unit=factories.UnitFactory(name="乙镇"))
    _build(small, 6)
    _build(large, 60)
    for campaign, due in ((small, 2), (large, 20)):
        scan_campaign(campaign.pk, now=NOW)
        Project.review_now(campaign.projects.order_by("pk").values_list("pk", flat=True)[:due])
    counts = {}
    for campaign in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            result = scan_campaigns([campaign.pk], now=NOW, changed_only=True)
        counts[campaign.pk] = len(ctx.captured_queries)
        assert result.projects == (2 if campaign == small else 20)
    assert counts[small.pk] == counts[large.pk]

