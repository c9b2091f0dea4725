"""projects.figures: the numbers the dashboard and the bulletin lead with."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dates import local_zone
from projects import figures, plan
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 20)  # a Friday, day 43 of the factories' campaign
DAY = datetime.timedelta(days=1)


def at(day: datetime.date, hour: int = 10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=local_zone())


@pytest.fixture
def campaign():
    return factories.CampaignFactory(declared_project_count=3)


def test_day_n_days_left_and_counts_come_from_the_data(campaign):
    factories.ProjectFactory(campaign=campaign, level=Project.Level.CITY, health="red")
    factories.ProjectFactory(campaign=campaign, level=Project.Level.COUNTY, health="green",
                             status=Project.Status.NOT_STARTED)
    h = figures.headline_figures(campaign, AS_OF)
    assert (h["day_number"], h["length_days"], h["days_left"]) == (43, 100, 57)
    assert h["project_count"] == 2 and h["declared_count"] == 3 and h["count_mismatch"]
    assert [(x["level"], x["count"]) for x in h["by_level"]] == [("city", 1), ("county", 1)]
    assert h["health_counts"]["red"] == 1 and h["health_counts"]["green"] == 1
    assert h["started_count"] == 1 and h["started_rate"] == Decimal("50.0")


def test_investment_rate_and_on_time_rate(campaign):
    p = factories.ProjectFactory(campaign=campaign, planned_investment=Decimal("1000"),
                                 investment_done=Decimal("400"))
    # AS_OF is past: the figure is the latest report's by then, not today's stored one.
    factories.ProgressReportFactory(project=p, investment_done=Decimal("250"),
                                    reported_at=at(AS_OF - 3 * DAY))
    factories.ProgressReportFactory(project=p, investment_done=Decimal("400"),
                                    reported_at=at(AS_OF + DAY))
    factories.MilestoneFactory(project=p, due_date=AS_OF - datetime.timedelta(days=10),
                               completed_on=AS_OF - datetime.timedelta(days=12))
    factories.MilestoneFactory(project=p, due_date=AS_OF - datetime.timedelta(days=5),
                               completed_on=AS_OF - datetime.timedelta(days=1))  # late
    factories.MilestoneFactory(project=p, due_date=AS_OF - datetime.timedelta(days=2))  # missed
    factories.MilestoneFactory(project=p, due_date=AS_OF + datetime.timedelta(days=5))  # not due
    h = figures.headline_figures(campaign, AS_OF)
    assert h["investment_rate"] == Decimal("25.0")
    assert (h["milestones_due"], h["milestones_on_time"], h["on_time_rate"]) == (3, 1, Decimal("33.3"))


def test_rates_are_none_when_there_is_nothing_to_divide_by(campaign):
    h = figures.headline_figures(campaign, AS_OF)
    assert h["started_rate"] is None and h["investment_rate"] is None and h["on_time_rate"] is None


def test_reports_received_count_the_current_reporting_week_only(campaign):
    p1, p2 = factories.ProjectFactory(campaign=campaign), factories.ProjectFactory(campaign=campaign)
    # Friday reports: the week of AS_OF (a Friday) runs Saturday 11-14 to Friday 11-20.
    factories.ProgressReportFactory(project=p1, reported_at=at(datetime.date(2026, 11, 13)))
    factories.ProgressReportFactory(project=p1, reported_at=at(datetime.date(2026, 11, 14), 1))
    factories.ProgressReportFactory(project=p1, reported_at=at(AS_OF, 17))
    factories.ProgressReportFactory(project=p2, reported_at=at(AS_OF + datetime.timedelta(days=1)))
    h = figures.headline_figures(campaign, AS_OF)
    assert (h["period_start"], h["period_end"]) == (datetime.date(2026, 11, 14), AS_OF)
    assert (h["reports_received"], h["projects_reported"], h["projects_expected"]) == (2, 1, 2)


def test_the_table_reads_the_latest_report_on_or_before_as_of_and_the_plan_on_its_date(campaign):
    p = factories.ProjectFactory(campaign=campaign, code="A-1", planned_investment=Decimal("1000"))
    factories.ProgressReportFactory(project=p, percent=Decimal("30"), investment_done=Decimal("100"),
                                    problems="缺电", next_steps="接电", reported_at=at(AS_OF - DAY * 2))
    factories.ProgressReportFactory(project=p, percent=Decimal("99"), reported_at=at(AS_OF + DAY * 3))
    [row] = figures.progress_table(campaign, AS_OF)
    assert row["progress"] == Decimal("30.0") and row["investment_done"] == Decimal("100.00")
    assert row["problems"] == "缺电" and row["next_steps"] == "接电"
    assert row["report_age_days"] == 2
    measured = AS_OF - datetime.timedelta(days=2)
    assert row["measured_on"] == measured
    exact = plan.planned_percent(measured, p.planned_start, p.planned_end)
    # Shown to one decimal, half up; the lag from the exact plan, then shown.
    assert row["planned_percent"] == exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert row["lag"] == (exact - Decimal("30.0")).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert row["leader_name"] == p.leader.profile.full_name


def test_a_project_without_reports_is_at_zero_and_measured_today(campaign):
    factories.ProjectFactory(campaign=campaign)
    [row] = figures.progress_table(campaign, AS_OF)
    assert row["progress"] == 0 and row["report_age_days"] is None and row["measured_on"] == AS_OF
    assert row["lag"] == row["plan_today"]


def test_the_curve_averages_plan_and_reports_and_stops_the_actual_line_at_as_of(campaign):
    p = factories.ProjectFactory(campaign=campaign)
    factories.ProgressReportFactory(project=p, percent=Decimal("20"), reported_at=at(AS_OF - DAY))
    curve = figures.plan_vs_actual_curve(campaign, AS_OF)
    points = {pt["date"]: pt for pt in curve["points"]}
    assert points[campaign.start_date]["planned"] == 0
    assert points[campaign.end_date]["planned"] == 100 and points[campaign.end_date]["actual"] is None
    assert points[AS_OF]["actual"] == Decimal("20.0")


def _queries(fn, campaign):
    with CaptureQueriesContext(connection) as q:
        fn(campaign, AS_OF)
    return len(q.captured_queries)


def test_each_function_runs_a_fixed_number_of_queries(campaign):
    def grow(n):
        for _ in range(n):
            p = factories.ProjectFactory(campaign=campaign)
            factories.MilestoneFactory(project=p)
            factories.ProgressReportFactory(project=p)

    grow(3)
    small = [_queries(f, campaign) for f in (figures.headline_figures, figures.progress_table,
                                             figures.plan_vs_actual_curve)]
    grow(30)
    large = [_queries(f, campaign) for f in (figures.headline_figures, figures.progress_table,
                                             figures.plan_vs_actual_curve)]
    # headline (AS_OF is past): by level and light, milestones due, reports this period, the
    # investment done by then (today's needs no query: it is stored); table: projects with their
    # latest report, milestones, the pause points of the plans; curve: projects, milestones, the
    # pause points, reports.
    assert small == large == [4, 3, 4]


def _mixed_campaign(campaign):
    """Projects of every kind the headline counts apart, reports in and out of the period."""
    statuses = [Project.Status.NOT_STARTED, Project.Status.IN_PROGRESS, Project.Status.COMPLETED,
                Project.Status.SUSPENDED, Project.Status.SUSPENDED]
    for i, status in enumerate(statuses):
        p = factories.ProjectFactory(
            campaign=campaign, status=status, level=[Project.Level.CITY, Project.Level.TOWN][i % 2],
            health=["red", "green", "done", "paused", "yellow"][i],
            pause_approved=i == 3, pause_reason="征地" if i >= 3 else "",
            investment_done=Decimal(10 * i), planned_investment=Decimal(100 + i))
        factories.MilestoneFactory(project=p, due_date=AS_OF - 5 * DAY,
                                   completed_on=AS_OF - (6 - 2 * i) * DAY if i else None)
        for days in (12, 3, 1, 0):
            for hour in (9, 15):
                factories.ProgressReportFactory(project=p, percent=Decimal(20 + 5 * i + hour // 5 - days),
                                                reported_at=at(AS_OF - days * DAY, hour))
        factories.ProgressReportFactory(project=p, reported_at=at(AS_OF + 2 * DAY))


@pytest.mark.parametrize("as_of", [AS_OF, None])
def test_the_dashboard_s_figures_read_once_are_those_of_the_three_functions(campaign, as_of):
    _mixed_campaign(campaign)
    as_of = as_of or datetime.date.today()
    together = figures.dashboard_figures(campaign, as_of)
    assert together["table"] == figures.progress_table(campaign, as_of)
    assert together["curve"] == figures.plan_vs_actual_curve(campaign, as_of)
    assert together["headline"] == figures.headline_figures(campaign, as_of)
    if as_of == AS_OF:  # the reports of AS_OF's week are counted, and one future one is not
        assert together["headline"]["reports_received"] == 5 * 6
        assert together["headline"]["projects_reported"] == 3


def test_the_dashboard_s_figures_take_as_many_queries_for_3_and_33_projects(campaign):
    def grow(n):
        for _ in range(n):
            p = factories.ProjectFactory(campaign=campaign)
            factories.MilestoneFactory(project=p)
            for days in range(4):
                factories.ProgressReportFactory(project=p, reported_at=at(AS_OF - days * DAY))

    grow(3)
    small = _queries(figures.dashboard_figures, campaign)
    grow(30)
    # The projects with their latest report and their reports of the period, milestones, pause
    # points, each project's last % per day; the investment done by AS_OF (a past date).
    assert small == _queries(figures.dashboard_figures, campaign) == 5


def test_a_small_negative_lag_is_shown_as_zero_never_minus_zero():
    """0.02 points ahead rounds to 0.0, not "-0.0"; the sign mark is for a lag shown as nonzero."""
    from projects.plan import shown
    from projects.templatetags.gongjian import signed

    assert str(shown(Decimal("-0.02"))) == "0.0" and str(shown(Decimal("-0.05"))) == "-0.1"
    assert [signed(Decimal(x)) for x in ("-0.0", "0.0", "-1.0", "2.5")] == ["0.0", "0.0", "−1.0",
                                                                            "+2.5"]


def test_the_documents_round_a_lag_as_the_pages_do():
    """2.45 points is 2.5 on the pages (half up): the bulletin's documents say the same, not 2.4
    (Decimal's default, half even); 0.02 ahead is 0.0 there too."""
    from projects.exports import lag_text

    assert [lag_text(Decimal(x)) for x in ("2.45", "-1.05", "-0.02", "0")] == [
        "滞后2.5", "超前1.1", "0.0", "0.0"]
