"""The rules of lateness on true values, through the scan on PostgreSQL: thresholds compared with
the exact lag, forecasts from distinct report days that are never in the past, and --as-of meaning
the end of that day for any date.

The plan is read on dates where it is easy to compute by hand: a project planned from 11-11 with
a milestone M % on 11-21 is planned 9/10 × M on 11-20 (today), and reports today are read on today.
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from core.dates import local_date
from projects.models import Project
from supervision.models import Flag
from supervision.scan import scan_all, scan_campaign, scan_moment
from tests import factories

from .conftest import NOW, SHANGHAI, TODAY, day, report

pytestmark = pytest.mark.django_db


def open_flags(project):
    return {f.kind: f for f in Flag.objects.filter(project=project, resolved_at__isnull=True)}


def nine_tenths_project(campaign, milestone_percent: str):
    """Planned 11-11 … 2027-01-10 with a milestone on 11-21: on 11-20 the plan is exactly
    9/10 of the milestone's percent."""
    project = factories.ProjectFactory(campaign=campaign, planned_start=day(11, 11),
                                       planned_end=day(1, 10, 2027))
    factories.MilestoneFactory(project=project, due_date=day(11, 21),
                               planned_percent=Decimal(milestone_percent))
    return project


# (milestone %, reported %, true lag, expected light) with the default thresholds 5 / 15.
DEFAULT_CASES = [
    ("10.1", "4.1", "4.99", "green"),   # planned 9.09: shown 5.0, but not 5
    ("10.0", "4.0", "5.00", "yellow"),  # planned 9.00: exactly the yellow threshold
    ("30.1", "12.1", "14.99", "yellow"),  # planned 27.09: shown 15.0, but not 15
    ("30.0", "12.0", "15.00", "red"),   # planned 27.00: exactly the red threshold
]


@pytest.mark.parametrize("milestone, reported, true_lag, light", DEFAULT_CASES)
def test_the_default_thresholds_are_compared_with_the_true_lag(campaign, milestone, reported,
                                                               true_lag, light):
    project = nine_tenths_project(campaign, milestone)
    report(project, reported, TODAY)
    assert Decimal(milestone) * 9 / 10 - Decimal(reported) == Decimal(true_lag)  # by hand
    scan_campaign(campaign.pk, now=NOW)
    project.refresh_from_db()
    assert project.health == light
    flags = open_flags(project)
    if light == "green":
        assert flags == {}
    else:
        assert set(flags) == {"behind_plan"}
        assert flags["behind_plan"].severity == light
        shown = Decimal(true_lag).quantize(Decimal("0.1"))
        assert flags["behind_plan"].details["lag"] == str(shown)
        assert flags["behind_plan"].details["threshold"] == (15 if light == "red" else 5)


# With a campaign's own thresholds 3 / 10.
OWN_CASES = [
    ("10.1", "6.1", "2.99", "green"),
    ("10.0", "6.0", "3.00", "yellow"),
    ("20.1", "8.1", "9.99", "yellow"),
    ("20.0", "8.0", "10.00", "red"),
]


@pytest.mark.parametrize("milestone, reported, true_lag, light", OWN_CASES)
def test_a_campaigns_own_thresholds_are_compared_with_the_true_lag(campaign, milestone, reported,
                                                                   true_lag, light):
    campaign.yellow_lag_points, campaign.red_lag_points = 3, 10
    campaign.save()
    project = nine_tenths_project(campaign, milestone)
    report(project, reported, TODAY)
    assert Decimal(milestone) * 9 / 10 - Decimal(reported) == Decimal(true_lag)
    scan_campaign(campaign.pk, now=NOW)
    project.refresh_from_db()
    assert project.health == light
    if light != "green":
        flag = open_flags(project)["behind_plan"]
        assert (flag.severity, flag.details["threshold"]) == (light, 10 if light == "red" else 3)


# --- forecasts that cannot lie ----------------------------------------------------------------

def test_a_same_day_correction_takes_no_slot_of_the_pace(campaign):
    """Linear plan over the campaign (10-09 … 01-16, 100/99 % a day). Four report days, 10-30,
    11-06, 11-13, 11-20, the last corrected in the afternoon (30 → 42.4). The pace runs from
    10-30 (16 %) to 11-20 (42.4 %): earned days 15.84 → 41.976 in 21 days, 1.2446 a day; the
    remaining 57.024 planned days take 46 days: 2027-01-05, before the planned end. Read from the
    four latest *reports* (11-06 at 40 % to 11-20), the pace would be 2.4 points in 14 days and
    the project "at risk"."""
    project = factories.ProjectFactory(campaign=campaign)
    report(project, "16", day(10, 30))
    report(project, "40", day(11, 6))
    report(project, "41", day(11, 13))
    report(project, "30", day(11, 20), hour=9)
    report(project, "42.4", day(11, 20), hour=15)
    scan_campaign(campaign.pk, now=NOW.replace(hour=16))
    project.refresh_from_db()
    assert open_flags(project) == {}
    assert project.health == "green"


def test_without_the_correction_the_same_slow_recent_pace_is_at_risk(campaign):
    """The control: the same four report days with 10-30 at 39 %: 3.4 points in 21 days, far
    slower than the plan (21.2 points) — at risk."""
    project = factories.ProjectFactory(campaign=campaign)
    report(project, "39", day(10, 30))
    report(project, "40", day(11, 6))
    report(project, "41", day(11, 13))
    report(project, "42.4", day(11, 20), hour=15)
    scan_campaign(campaign.pk, now=NOW.replace(hour=16))
    flags = open_flags(project)
    assert set(flags) == {"finish_at_risk"}


def test_past_its_planned_end_below_a_hundred_a_project_is_at_risk_and_not_forecast_in_the_past(
        campaign):
    """Planned 10-09 … 11-16 (38 days); on 11-20 at 99 %: lag 1 (below 5), reports fresh. The
    pace, 95 → 99 % in 3 days, is 4 × 0.38 = 1.52 earned days in 3; the 0.38 days left take one
    more day: 11-17, already gone by. The forecast is today, and the project is at risk."""
    project = factories.ProjectFactory(campaign=campaign, planned_end=day(11, 16))
    report(project, "95", day(11, 13))
    report(project, "99", day(11, 16))
    scan_campaign(campaign.pk, now=NOW)
    project.refresh_from_db()
    flags = open_flags(project)
    assert set(flags) == {"finish_at_risk"}
    assert project.health == "yellow"
    details = flags["finish_at_risk"].details
    assert details["past_end"] is True and details["planned_end"] == "2026-11-16"
    assert details["forecast"] == TODAY.isoformat()


def test_a_project_that_reaches_a_hundred_is_not_at_risk_past_its_end(campaign):
    project = factories.ProjectFactory(campaign=campaign, planned_end=day(11, 16))
    report(project, "95", day(11, 13))
    report(project, "100", day(11, 18))
    scan_campaign(campaign.pk, now=NOW)
    assert open_flags(project) == {}


# --- --as-of is the end of the day -------------------------------------------------------------

def test_as_of_today_gives_the_same_answer_at_1759_and_at_1801_on_a_friday(campaign):
    """Friday 11-20, weekly report due at 18:00, last report the Friday before. A scan at now
    (no date) says nothing is missing at 17:59 and the report missing at 18:01; a scan as of
    today looks from the end of the day both times, so both say the report is missing."""
    assert TODAY.weekday() == campaign.report_weekday == 4
    project = factories.ProjectFactory(campaign=campaign)
    report(project, "42", day(11, 13))
    before = datetime.datetime(2026, 11, 20, 17, 59, tzinfo=SHANGHAI)
    after = datetime.datetime(2026, 11, 20, 18, 1, tzinfo=SHANGHAI)

    answers = []
    for clock in (before, after):
        scan_all(now=scan_moment(TODAY, now=clock), campaign_ids=[campaign.pk])
        answers.append(sorted((f.kind, f.severity) for f in open_flags(project).values()))
        Flag.objects.filter(project=project).delete()
        Project.objects.filter(pk=project.pk).update(health="green")
    assert answers[0] == answers[1] == [("report_missing", "yellow")]

    at_now = []
    for clock in (before, after):
        scan_all(now=scan_moment(None, now=clock), campaign_ids=[campaign.pk])
        at_now.append(sorted(open_flags(project)))
    assert at_now == [[], ["report_missing"]]


def test_the_command_as_of_today_scans_at_the_end_of_today(campaign):
    out = StringIO()
    today = local_date()
    with translation.override("zh-hans"):
        call_command("scan_campaigns", "--campaign", str(campaign.pk), "--as-of",
                     today.isoformat(), stdout=out)
    assert f"截至 {today.isoformat()} 23:59" in out.getvalue().splitlines()[0]


def test_the_command_says_what_as_of_means():
    from supervision.management.commands.scan_campaigns import Command

    parser = Command().create_parser("manage.py", "scan_campaigns")
    help_text = " ".join(parser.format_help().split())
    assert "end of this local date" in help_text and "today included" in help_text
    assert "without it: now" in help_text
