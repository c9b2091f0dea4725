"""A bulletin's figures are those of its own period, as of its end: the reports received in the
reporting week, the lights of the flags open at its deadline (not today's), the lags of its last
day and the days in red up to it; the dashboard's 本期 and the form's default are the same week.
Each figure is checked against a count made here from the raw rows."""

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import plan
from projects.models import ProgressReport, Project
from supervision import bulletins
from supervision.models import Bulletin, Flag, Severity
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def week(campaign):
    """The Friday (report day, 18:00) of a week inside the campaign, two weeks ago or more."""
    today = timezone.localdate()
    friday = today - datetime.timedelta(days=(today.weekday() - 4) % 7 + 14)
    assert friday - datetime.timedelta(days=6) > campaign.start_date
    return friday


@pytest.fixture
def twelve(campaign, leader, week):
    """The demo's case: twelve projects, each reporting at 17:00 on the Friday of the week."""
    projects = [factories.ProjectFactory(campaign=campaign, leader=leader, code=f"HN-{i:02d}",
                                         name=f"重点项目{i}") for i in range(1, 13)]
    for i, project in enumerate(projects, start=1):
        factories.ProgressReportFactory(project=project, percent=Decimal(20 + i),
                                        reported_at=at(week, 17))
    return projects


def _weekly_bulletin(week) -> Bulletin:
    monday = week + datetime.timedelta(days=3)
    [pk] = bulletins.draft_weekly_bulletins(at(monday, 8))
    return Bulletin.objects.get(pk=pk)


def _received_in(start_after, until):
    """Reports and reporting projects between two moments, counted from the rows in Python."""
    rows = [(r.project_id, r.reported_at.astimezone(SHANGHAI))
            for r in ProgressReport.objects.all()]
    inside = [pid for pid, moment in rows if start_after < moment <= until]
    return len(inside), len(set(inside))


def test_the_weekly_bulletin_counts_the_twelve_friday_reports_of_its_week(campaign, twelve, week):
    # Outside the week: the Friday before at 17:00 (the week before), and the Saturday after.
    factories.ProgressReportFactory(project=twelve[0], percent=Decimal("10"),
                                    reported_at=at(week - datetime.timedelta(days=7), 17))
    factories.ProgressReportFactory(project=twelve[1], percent=Decimal("60"),
                                    reported_at=at(week + datetime.timedelta(days=1), 10))
    # Late for the week before (after its deadline): it counts for this one.
    factories.ProgressReportFactory(project=twelve[2], percent=Decimal("22"),
                                    reported_at=at(week - datetime.timedelta(days=7), 19))
    bulletin = _weekly_bulletin(week)
    assert (bulletin.period_start, bulletin.period_end) == (week - datetime.timedelta(days=6), week)
    h = bulletin.snapshot["headline"]
    reports, projects = _received_in(at(week - datetime.timedelta(days=7), 18), at(week, 18))
    assert (reports, projects) == (13, 12)
    assert (h["reports_received"], h["projects_reported"], h["projects_expected"]) == (13, 12, 12)
    from supervision.exports import chinese_headline_lines

    assert dict(chinese_headline_lines(bulletin.snapshot))["本期收到填报"] == "13份，12个应报项目中12个已报"


def test_the_bulletins_lights_lags_and_days_in_red_are_those_of_its_end(campaign, twelve, week):
    red_then, yellow_later, yellow_all_along = twelve[0], twelve[1], twelve[2]
    # Red from Wednesday of the week to the Saturday after; green today.
    Flag.objects.create(project=red_then, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        opened_at=at(week - datetime.timedelta(days=2), 9),
                        resolved_at=at(week + datetime.timedelta(days=1), 9))
    # Yellow only since the Sunday after the week: green in the bulletin.
    Flag.objects.create(project=yellow_later, kind=Flag.Kind.REPORT_MISSING,
                        severity=Severity.YELLOW, opened_at=at(week + datetime.timedelta(days=2), 9))
    Flag.objects.create(project=yellow_all_along, kind=Flag.Kind.MILESTONE_OVERDUE,
                        severity=Severity.YELLOW, opened_at=at(week - datetime.timedelta(days=20), 9))
    Project.objects.filter(pk=red_then.pk).update(health=Project.Health.GREEN)
    Project.objects.filter(pk__in=[yellow_later.pk, yellow_all_along.pk]).update(
        health=Project.Health.YELLOW)
    # A report after the week must not move the bulletin's progress or lag.
    factories.ProgressReportFactory(project=red_then, percent=Decimal("95"),
                                    reported_at=at(week + datetime.timedelta(days=1), 10))

    bulletin = _weekly_bulletin(week)
    s = bulletin.snapshot
    rows = {r["code"]: r for r in s["progress"]}

    deadline = at(week, 18)
    open_then = {}
    for flag in Flag.objects.all():
        if flag.opened_at <= deadline and (flag.resolved_at is None or flag.resolved_at > deadline):
            open_then.setdefault(flag.project_id, set()).add(flag.severity)
    expected = {p.code: ("red" if "red" in open_then.get(p.pk, ()) else
                         "yellow" if "yellow" in open_then.get(p.pk, ()) else "green")
                for p in twelve}
    assert {code: r["health"] for code, r in rows.items()} == expected
    assert expected["HN-01"] == "red" and expected["HN-02"] == "green" and expected["HN-03"] == "yellow"
    assert [r["code"] for r in s["red"]] == ["HN-01"] and [r["code"] for r in s["yellow"]] == ["HN-03"]
    counts = {x["health"]: x["count"] for x in s["headline"]["by_health"]}
    assert counts["red"] == 1 and counts["yellow"] == 1 and counts["green"] == 10

    # The lag of the period's last day: its Friday report (21 %) against the plan of that day.
    first = rows["HN-01"]
    assert first["progress"] == "21.0"
    planned = plan.planned_percent(week, red_then.planned_start, red_then.planned_end, [])
    tenth = Decimal("0.1")  # a document shows one decimal, half up (the rules compare exactly)
    assert Decimal(first["planned_percent"]) == planned.quantize(tenth, ROUND_HALF_UP)
    assert Decimal(first["lag"]) == (planned - Decimal("21.0")).quantize(tenth, ROUND_HALF_UP)
    # Red on Wednesday, Thursday and Friday of the week.
    assert first["days_in_red"] == 3


def test_the_dashboards_period_and_the_forms_default_are_the_reporting_week(
        client, campaign, twelve, week, supervisor):
    from projects.figures import headline_figures

    friday = headline_figures(campaign, week)
    assert (friday["period_start"], friday["period_end"]) == (week - datetime.timedelta(days=6), week)
    assert friday["projects_reported"] == 12
    saturday = headline_figures(campaign, week + datetime.timedelta(days=1))
    assert saturday["period_start"] == week + datetime.timedelta(days=1)
    assert saturday["reports_received"] == 0

    today = timezone.localdate()
    end = today + datetime.timedelta(days=(4 - today.weekday()) % 7)
    client.force_login(supervisor)
    page = client.get(reverse("bulletin_list")).content.decode()
    assert f'value="{(end - datetime.timedelta(days=6)).isoformat()}"' in page
    assert f'value="{end.isoformat()}"' in page
