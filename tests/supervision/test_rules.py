"""Worked examples of the rules of lateness (DESIGN.md), with fixed dates and no database."""

import datetime
from decimal import Decimal as D
from fractions import Fraction
from zoneinfo import ZoneInfo

from supervision import rules
from supervision.rules import Health, MilestoneFact, ProjectFacts, ReportFact, Thresholds

START = datetime.date(2026, 9, 1)
END = datetime.date(2026, 12, 9)  # 99 days later: a hundred-day plan
MID = MilestoneFact(datetime.date(2026, 10, 11), D("50"))  # day 40: 50 %
TZ = ZoneInfo("Asia/Shanghai")
DEFAULT = Thresholds()


def day(n: int) -> datetime.date:
    """Day n of the plan, with day 0 the planned start."""
    return START + datetime.timedelta(days=n)


def facts(reports=(), milestones=(MID,), **kwargs) -> ProjectFacts:
    return ProjectFacts(START, END, milestones=milestones,
                        reports=[ReportFact(day(n), D(p)) for n, p in reports], **kwargs)


# --- the plan curve ---------------------------------------------------------------------------

def test_planned_percent_is_zero_before_the_start_and_on_it():
    assert rules.planned_percent(day(-5), START, END, [MID]) == 0
    assert rules.planned_percent(START, START, END, [MID]) == 0


def test_planned_percent_is_linear_up_to_a_milestone():
    # 0 % on day 0 to 50 % on day 40: day 10 is a quarter of the way, 12.5 %.
    assert rules.planned_percent(day(10), START, END, [MID]) == D("12.5")
    assert rules.planned_percent(day(40), START, END, [MID]) == D("50")


def test_planned_percent_between_a_milestone_and_the_end():
    # 50 % on day 40 to 100 % on day 99: day 70 is 30/59 of the way, 50 + 1500/59 = 75.42… %,
    # exact (to Decimal's 28 digits), shown as 75.4.
    planned = rules.planned_percent(day(70), START, END, [MID])
    assert abs(Fraction(planned) - (50 + Fraction(1500, 59))) < Fraction(1, 10**20)
    assert rules.shown(planned) == D("75.4")


def test_planned_percent_is_a_hundred_on_and_after_the_end():
    assert rules.planned_percent(END, START, END, [MID]) == 100
    assert rules.planned_percent(day(150), START, END, [MID]) == 100


def test_without_milestones_the_plan_is_a_straight_line():
    planned = rules.planned_percent(day(33), START, END)  # 33/99 of the way: 33.33… %
    assert abs(Fraction(planned) - Fraction(100, 3)) < Fraction(1, 10**20)
    assert rules.shown(planned) == D("33.3")


def test_milestones_are_taken_in_date_order_and_never_lower_the_curve():
    late_low = MilestoneFact(day(60), D("40"))
    curve = rules.plan_curve(START, END, [late_low, MID])
    assert [p for _d, p in curve] == [0, 50, 50, 100]


# --- lag and health ---------------------------------------------------------------------------

def test_lag_is_planned_minus_reported():
    assert rules.lag(D("50"), D("42.5")) == D("7.5")
    assert rules.lag(D("50"), D("55")) == D("-5.0")


def test_a_project_on_plan_between_milestones_is_green():
    a = rules.assess(facts([(28, "35"), (35, "43.8")]), day(38), DEFAULT)
    # Read on the report's own date (day 35): planned 35/40 × 50 = 43.75 % (shown 43.8), reported
    # 43.8 %: 0.05 ahead.
    assert a.measured_on == day(35)
    assert a.planned_percent == D("43.75")
    assert rules.shown(a.planned_percent) == D("43.8")
    assert a.lag == D("-0.05")
    assert a.health == Health.GREEN


def test_five_points_behind_is_yellow_and_fifteen_is_red():
    # Planned on day 35: 43.75 %. The lag is compared unrounded: 4.95 (shown 5.0) is not 5.
    below = rules.assess(facts([(28, "30"), (35, "38.8")]), day(35), DEFAULT)
    assert below.lag == D("4.95") and rules.shown(below.lag) == D("5.0")
    assert "behind_plan" not in below.reasons
    yellow = rules.assess(facts([(28, "30"), (35, "38.7")]), day(35), DEFAULT)
    assert yellow.lag == D("5.05")
    assert yellow.health == Health.YELLOW
    assert "behind_plan" in yellow.reasons
    almost = rules.assess(facts([(28, "20"), (35, "28.8")]), day(35), DEFAULT)
    assert almost.lag == D("14.95") and almost.health == Health.YELLOW
    assert [w.severity for w in almost.warnings if w.kind == "behind_plan"] == ["yellow"]
    red = rules.assess(facts([(28, "20"), (35, "28.7")]), day(35), DEFAULT)
    assert red.lag == D("15.05")
    assert red.health == Health.RED


def test_the_thresholds_come_from_the_campaign():
    strict = Thresholds(yellow_lag_points=2, red_lag_points=4)
    a = rules.assess(facts([(28, "30"), (35, "40.8")]), day(35), strict)
    assert a.lag == D("2.95")
    assert a.health == Health.YELLOW


def test_before_the_start_a_project_with_no_report_is_green():
    a = rules.assess(facts(), day(-3), DEFAULT)
    assert (a.planned_percent, a.actual_percent, a.health) == (0, 0, Health.GREEN)


def test_with_no_reports_yet_the_lag_grows_with_the_plan():
    a = rules.assess(facts(), day(16), DEFAULT)
    assert a.measured_on == day(16)
    assert a.actual_percent == 0
    assert a.lag == D("20.0")
    assert a.health == Health.RED
    assert a.forecast is None


def test_a_stale_report_is_compared_with_the_plan_of_today():
    a = rules.assess(facts([(21, "26.3")]), day(30), DEFAULT)
    assert a.measured_on == day(30)
    assert a.lag == D("11.2")  # 37.5 planned − 26.3 reported


def test_after_the_end_anything_short_of_a_hundred_is_red():
    a = rules.assess(facts([(95, "96"), (99, "97")]), day(104), DEFAULT)
    assert a.planned_percent == 100
    assert a.health == Health.RED


def test_a_completed_project_is_done_whatever_its_dates():
    a = rules.assess(facts([(90, "100")], completed=True), day(120), DEFAULT)
    assert a.health == Health.DONE


def test_a_suspension_with_an_approved_reason_keeps_no_light():
    a = rules.assess(facts([(7, "2")], paused_with_reason=True), day(60), DEFAULT)
    assert a.health == Health.PAUSED
    assert a.lag > DEFAULT.red_lag_points  # the figures are still told, the light is not lit


def test_a_milestone_overdue_within_grace_is_yellow_beyond_grace_red():
    milestone = MilestoneFact(day(30), D("20"))
    on_plan = [(28, "18.7")]
    within = rules.assess(facts(on_plan, milestones=[milestone]), day(35), DEFAULT)
    assert within.health == Health.YELLOW
    assert within.reasons == ("milestone_overdue",)
    beyond = rules.assess(facts([(28, "18.7"), (35, "20.0")], milestones=[
        milestone]), day(38), DEFAULT)
    assert beyond.max_days_overdue == 8
    assert beyond.health == Health.RED


def test_a_milestone_completed_on_time_is_not_overdue():
    milestone = MilestoneFact(day(30), D("20"), completed_on=day(29))
    assert rules.overdue_milestones([milestone], day(40)) == []
    late = MilestoneFact(day(30), D("20"), completed_on=day(36))
    assert rules.overdue_milestones([late], day(33)) == [late]


def test_a_missing_report_makes_a_green_project_yellow():
    a = rules.assess(facts([(35, "43.8")], report_missing=True), day(36), DEFAULT)
    assert a.health == Health.YELLOW
    assert a.reasons == ("report_missing",)


# --- forecast ---------------------------------------------------------------------------------

def test_a_project_on_plan_is_forecast_to_finish_on_the_planned_end():
    reports = [ReportFact(day(n), rules.planned_percent(day(n), START, END, [MID]))
               for n in (14, 21, 28, 35)]
    forecast = rules.forecast_finish(reports, day(36), rules.plan_curve(START, END, [MID]))
    assert abs((forecast - END).days) <= rules.FORECAST_TOLERANCE_DAYS


def test_at_half_the_planned_pace_the_remaining_time_doubles():
    curve = rules.plan_curve(START, END)  # a straight line: ~1.01 % a day
    reports = [ReportFact(day(49), D("49.5")), ReportFact(day(63), D("56.6"))]
    forecast = rules.forecast_finish(reports, day(63), curve)
    # earned day 56 at day 63; pace 0.5 → (99 − 56) / 0.5 = 86 more days.
    assert forecast == day(63 + 86)


def test_a_project_on_plan_today_that_will_miss_the_end_is_at_risk_before_it_lags():
    # Ahead early, slowing down: still above the plan today, but at this pace it ends late.
    slowing = facts([(7, "20"), (14, "22"), (21, "24"), (28, "29")], milestones=())
    a = rules.assess(slowing, day(28), DEFAULT)
    assert a.lag < DEFAULT.yellow_lag_points
    assert a.finish_at_risk
    assert a.health == Health.YELLOW
    assert a.reasons == ("finish_at_risk",)


def test_no_progress_in_the_recent_reports_never_finishes():
    reports = [ReportFact(day(21), D("30")), ReportFact(day(28), D("30"))]
    assert rules.forecast_finish(reports, day(30)) == rules.NEVER


def test_one_report_is_not_enough_for_a_forecast():
    assert rules.forecast_finish([ReportFact(day(21), D("30"))], day(30)) is None


def test_reports_after_as_of_are_not_seen():
    reports = [ReportFact(day(21), D("30")), ReportFact(day(28), D("40")),
               ReportFact(day(35), D("90"))]
    assert rules.latest_percent(reports, day(30)) == D("40")
    assert rules.forecast_finish(reports, day(30)) == day(28 + 42)


def test_of_two_reports_on_one_day_the_later_one_counts():
    # A team typed 10 in the morning and corrected it to 26.3 in the afternoon.
    corrected = facts([(21, "10"), (21, "26.3")])
    assert rules.latest_percent(corrected.reports, day(21)) == D("26.3")
    a = rules.assess(corrected, day(21), DEFAULT)
    # plan: 21/40 × 50 = 26.25 %
    assert (a.actual_percent, a.lag, a.health) == (D("26.3"), D("-0.05"), Health.GREEN)


# --- the weekly report ------------------------------------------------------------------------

FRIDAY, SIX_PM = 4, datetime.time(18, 0)


def at(date: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=TZ)


FRI = datetime.date(2026, 11, 20)


def test_the_due_moment_is_the_last_friday_six_pm_passed():
    assert rules.report_due_moment(at(FRI, 18, 0), FRIDAY, SIX_PM) == at(FRI, 18)
    last_friday = FRI - datetime.timedelta(days=7)
    assert rules.report_due_moment(at(FRI, 17, 59), FRIDAY, SIX_PM) == at(last_friday, 18)
    wednesday = FRI + datetime.timedelta(days=5)
    assert rules.report_due_moment(at(wednesday, 9), FRIDAY, SIX_PM) == at(FRI, 18)


def test_a_report_is_missing_only_after_the_due_time():
    last_week = at(FRI - datetime.timedelta(days=7), 16)
    assert not rules.is_report_missing(last_week, at(FRI, 17, 59), FRIDAY, SIX_PM, START)
    assert rules.is_report_missing(last_week, at(FRI, 18, 1), FRIDAY, SIX_PM, START)


def test_a_report_in_the_week_or_a_late_one_counts():
    assert not rules.is_report_missing(at(FRI, 10), at(FRI, 19), FRIDAY, SIX_PM, START)
    assert not rules.is_report_missing(at(FRI, 20), at(FRI, 21), FRIDAY, SIX_PM, START)


def test_no_report_is_owed_before_the_project_starts():
    assert not rules.is_report_missing(None, at(FRI, 19), FRIDAY, SIX_PM, FRI + datetime.timedelta(days=1))
    assert rules.is_report_missing(None, at(FRI, 19), FRIDAY, SIX_PM, FRI)


def test_no_report_is_owed_for_a_deadline_after_the_campaign_ends():
    last_week = at(FRI - datetime.timedelta(days=7), 16)
    assert rules.is_report_missing(last_week, at(FRI, 19), FRIDAY, SIX_PM, START, FRI)
    ended = FRI - datetime.timedelta(days=1)
    assert not rules.is_report_missing(last_week, at(FRI, 19), FRIDAY, SIX_PM, START, ended)


# --- due soon ---------------------------------------------------------------------------------

def test_due_soon_is_within_three_days_and_not_past():
    assert rules.is_due_soon(day(13), day(10))
    assert rules.is_due_soon(day(10), day(10))
    assert not rules.is_due_soon(day(14), day(10))
    assert not rules.is_due_soon(day(9), day(10))


def test_the_same_input_gives_the_same_answer_twice():
    f = facts([(14, "10"), (21, "19"), (28, "30")])
    assert rules.assess(f, day(30), DEFAULT) == rules.assess(f, day(30), DEFAULT)


def test_report_days_are_the_same_in_any_order_and_from_an_iterator():
    """The scan gives one report a day, oldest first (the quick way); anything else — a same-day
    correction, reports out of order, a generator read once — gives the same days."""
    d = datetime.date
    made = [ReportFact(d(2026, 1, 1), D("1")), ReportFact(d(2026, 1, 3), D("3")),
            ReportFact(d(2026, 1, 2), D("2")), ReportFact(d(2026, 1, 3), D("4")),
            ReportFact(d(2026, 2, 9), D("9"))]
    expected = [made[0], made[2], made[3]]
    as_of = d(2026, 1, 31)
    assert rules.report_days(made, as_of) == expected
    assert rules.report_days(iter(made), as_of) == expected
    in_order = [made[0], made[2], made[3]]
    assert rules.report_days(in_order, as_of) == expected
    assert rules.report_days((r for r in in_order), as_of) == expected
    assert rules.report_days([], as_of) == []
