"""seed_demo builds the 湖南镇 campaign of the article, and a second run changes nothing."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from campaign.models import Campaign, Role, Unit
from projects.models import (
    ActionItem,
    Assignment,
    Hazard,
    Highlight,
    Meeting,
    Milestone,
    Obstacle,
    ProgressReport,
    Project,
)
from supervision import rules
from web.demo import DEMO_DAY, seed_demo

pytestmark = pytest.mark.django_db


def table_counts():
    models = [Unit, Campaign, User, Project, Assignment, Milestone, ProgressReport, Obstacle,
              Hazard, Meeting, ActionItem, Highlight]
    return {m.__name__: m.objects.count() for m in models}


def test_the_demo_campaign_has_the_articles_thirteen_projects():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    campaign = Campaign.objects.get(is_demo=True)
    assert campaign.unit.name == "湖南镇"
    assert [u.name for u in campaign.unit.ancestors()][:2] == ["长乐市", "福州市"]
    assert campaign.projects.count() == 13 == campaign.declared_project_count
    by_listing = dict(campaign.projects.values_list("listed_by__name").annotate(n=Count("pk")))
    assert by_listing == {"福州市": 7, "长乐市": 6}
    assert set(campaign.projects.values_list("level", flat=True)) == {"city", "county"}
    assert "演示" in campaign.name
    assert "gongjian-demo-2026" in out.getvalue()


def test_the_campaign_is_in_its_seventh_week_today():
    campaign = seed_demo().campaign
    today = timezone.localdate()
    assert campaign.day_number(today) == DEMO_DAY
    assert 43 <= DEMO_DAY <= 49
    assert campaign.end_date - campaign.start_date == datetime.timedelta(days=99)


def test_every_project_has_one_leader_a_team_milestones_and_weekly_reports():
    campaign = seed_demo().campaign
    leaders = set()
    for project in campaign.projects.prefetch_related("assignments", "milestones", "reports"):
        leaders.add(project.leader_id)
        assert project.leader.groups.filter(name="leader").exists()
        assert project.assignments.filter(role=Assignment.Role.LEAD).count() == 1
        assert project.milestones.count() >= 2
        assert 5 <= project.reports.count() <= 7
        assert project.progress == project.reports.first().percent
    assert 8 <= len(leaders) <= 10


def test_reports_are_mostly_on_plan_some_behind_one_finished():
    campaign = seed_demo().campaign
    today = timezone.localdate()
    thresholds = rules.Thresholds()
    lights = []
    for project in campaign.projects.prefetch_related("milestones", "reports"):
        facts = rules.ProjectFacts(
            project.planned_start, project.planned_end,
            completed=project.status == Project.Status.COMPLETED,
            milestones=[m.as_fact() for m in project.milestones.all()],
            reports=[rules.ReportFact(timezone.localdate(r.reported_at), r.percent)
                     for r in project.reports.all()],
        )
        lights.append(rules.assess(facts, today, thresholds).health)
    assert lights.count("done") == 1
    assert lights.count("red") >= 1
    assert lights.count("yellow") >= 1
    assert lights.count("green") > len(lights) / 2


def test_field_work_covers_every_obstacle_category_a_hazard_and_a_meeting():
    campaign = seed_demo().campaign
    categories = set(Obstacle.objects.filter(project__campaign=campaign)
                     .values_list("category", flat=True))
    assert categories == set(Obstacle.Category.values)
    assert Hazard.objects.filter(check_record__project__campaign=campaign,
                                 rectified_on__isnull=True).exists()
    meeting = Meeting.objects.get(campaign=campaign, kind=Meeting.Kind.SPECIAL_MEETING)
    assert meeting.action_items.count() >= 2
    assert Highlight.objects.filter(campaign=campaign).exists()


def test_there_is_a_demo_user_for_every_role_with_the_printed_password():
    result = seed_demo()
    for role in Role:
        usernames = result.usernames[role.value]
        assert usernames, role
        user = User.objects.get(username=usernames[0])
        assert user.check_password(result.password)
        assert user.profile.full_name


def test_a_second_run_changes_nothing():
    seed_demo()
    before = table_counts()
    updated = list(ProgressReport.objects.order_by("pk").values_list("pk", "percent"))
    result = seed_demo()
    assert result.created is False
    assert table_counts() == before
    assert list(ProgressReport.objects.order_by("pk").values_list("pk", "percent")) == updated


def test_reset_recreates_the_campaign_with_the_dates_of_the_day():
    first = seed_demo().campaign
    later = timezone.localdate() + datetime.timedelta(days=10)
    second = seed_demo(reset=True, today=later,
                       now=timezone.now() + datetime.timedelta(days=10)).campaign
    assert second.pk != first.pk
    assert second.day_number(later) == DEMO_DAY
    assert Campaign.objects.filter(is_demo=True).count() == 1


def test_last_weeks_bulletin_draft_waits_for_the_supervision_group():
    from supervision.models import Bulletin

    campaign = seed_demo().campaign
    bulletin = Bulletin.objects.get(campaign=campaign)
    assert bulletin.status == Bulletin.Status.DRAFT
    assert bulletin.period_end < timezone.localdate()
    assert bulletin.snapshot


def test_the_demos_weekly_bulletin_counts_every_report_of_its_week():
    """The issue's headline: the weekly bulletin said 0 (0/12) though all reported on Friday."""
    import zoneinfo

    from projects.models import ProgressReport
    from supervision.models import Bulletin

    campaign = seed_demo().campaign
    bulletin = Bulletin.objects.get(campaign=campaign)
    h = bulletin.snapshot["headline"]
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    deadline = datetime.datetime.combine(bulletin.period_end, campaign.report_due_time, tzinfo=zone)
    week = [r.project for r in ProgressReport.objects.filter(project__campaign=campaign)
            .select_related("project") if deadline - datetime.timedelta(days=7) < r.reported_at <= deadline]
    owing = {p.pk for p in week if p.status != p.Status.COMPLETED and not p.is_paused_with_reason}
    assert h["reports_received"] == len(week) and h["projects_reported"] == len(owing)
    assert h["projects_reported"] == h["projects_expected"] >= 12  # all who owe a report
    assert bulletin.period_end.weekday() == campaign.report_weekday


def test_the_demos_bulletin_lights_agree_with_its_own_lags_and_its_data_with_the_rules():
    """Found by the higher office's walk: the seeded bulletin of last week said 红灯 0, 黄灯 0 beside
    lags of 20.7 and 6.3 points (the scan had only run today, so no flag reached back), its
    obstacles were raised after they were due (or resolved), a meeting's item was done before
    the meeting, and the contact was not the demo's supervision user."""
    from decimal import Decimal

    from supervision.models import Bulletin

    campaign = seed_demo().campaign
    s = Bulletin.objects.get(campaign=campaign).snapshot
    red, yellow = Decimal(campaign.red_lag_points), Decimal(campaign.yellow_lag_points)
    for row in s["progress"]:
        if row["health"] in ("done", "paused") or row["lag"] is None:
            continue
        lag = Decimal(row["lag"])
        if lag >= red:
            assert row["health"] == "red" and row["days_in_red"] > 0, row
        elif lag >= yellow:
            assert row["health"] in ("yellow", "red"), row
    counts = {x["health"]: x["count"] for x in s["headline"]["by_health"]}
    assert counts["red"] == len(s["red"]) >= 1 and counts["yellow"] == len(s["yellow"]) >= 1
    for obstacle in Obstacle.objects.filter(project__campaign=campaign):
        raised = timezone.localtime(obstacle.raised_at).date()
        assert raised <= obstacle.due_date and (obstacle.resolved_on is None
                                                or raised <= obstacle.resolved_on)
    for item in ActionItem.objects.filter(meeting__campaign=campaign).select_related("meeting"):
        assert item.project in item.meeting.projects.all()
        assert item.done_on is None or item.done_on >= item.meeting.held_on
    assert User.objects.get(username="dcz").profile.full_name == campaign.contact_person
