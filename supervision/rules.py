"""The rules of lateness (DESIGN.md), as pure functions of the data and ``as_of``.

Nothing here touches the database or the clock: the scan, the pages and the tests all call these
with plain values, so a scan for a past date gives the same answer every time it is run.

Percentages are ``Decimal`` with one decimal place; dates are local dates in Asia/Shanghai.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from campaign.reporting import report_due_moment  # noqa: F401 (one home of the week; callers read it here)
from projects.plan import (  # noqa: F401 (the plan's names, read by the rules and their callers)
    HUNDRED,
    ONE_PLACE,
    REPORT_FRESH_DAYS,
    ZERO,
    Health,
    MilestoneFact,
    _q,
    lag,
    measurement_date,
    plan_curve,
    planned_percent,
    read_curve,
)

#: A forecast that never reaches 100 % at the present pace (no progress in the recent reports).
NEVER = datetime.date.max

#: How many of the latest reports give the pace for the forecast.
FORECAST_REPORTS = 4

#: A milestone, obstacle, hazard or notice this many days from its date is "due soon".
DUE_SOON_DAYS = 3

#: A forecast this many days past planned_end is still on time: reports are weekly and rounded to
#: a tenth of a point, so a project exactly on plan can forecast a day or two late.
FORECAST_TOLERANCE_DAYS = 3

@dataclass(frozen=True)
class Thresholds:
    yellow_lag_points: int = 5
    red_lag_points: int = 15
    milestone_grace_days: int = 7


@dataclass(frozen=True)
class ReportFact:
    reported_on: datetime.date
    percent: Decimal


@dataclass(frozen=True)
class ProjectFacts:
    """What the rules need to know of one project; built from rows by the scan or a page."""

    planned_start: datetime.date
    planned_end: datetime.date
    completed: bool = False
    paused_with_reason: bool = False
    milestones: Sequence[MilestoneFact] = ()
    #: In the order they were made (oldest first); of two on one day the later counts.
    reports: Sequence[ReportFact] = ()
    report_missing: bool = False


@dataclass(frozen=True)
class Assessment:
    health: str
    measured_on: datetime.date
    planned_percent: Decimal
    actual_percent: Decimal
    lag: Decimal
    overdue_milestones: tuple[MilestoneFact, ...] = ()
    max_days_overdue: int = 0
    forecast: datetime.date | None = None
    finish_at_risk: bool = False
    reasons: tuple[str, ...] = field(default=())


def latest_report(reports: Iterable[ReportFact], as_of: datetime.date) -> ReportFact | None:
    """The latest report on or before as_of; None with none.

    Reports are given in the order they were made: of two on the same day the later one counts
    (a team that corrects the morning's figure in the afternoon means the afternoon's).
    """
    latest = None
    for report in reports:
        if report.reported_on <= as_of and (latest is None
                                            or report.reported_on >= latest.reported_on):
            latest = report
    return latest


def latest_percent(reports: Iterable[ReportFact], as_of: datetime.date) -> Decimal:
    """The cumulative % of the latest report on or before as_of (see latest_report); 0 with none."""
    latest = latest_report(reports, as_of)
    return ZERO if latest is None else Decimal(latest.percent)


def earned_date(percent: Decimal, curve: Sequence[tuple[datetime.date, Decimal]]) -> float:
    """Earned schedule: the day (as an ordinal, with a fraction) on which the plan reaches percent."""
    percent = Decimal(percent)
    if percent <= curve[0][1]:
        return float(curve[0][0].toordinal())
    for (d0, p0), (d1, p1) in zip(curve, curve[1:], strict=False):
        if p0 <= percent <= p1 and p1 > p0:
            share = float((percent - p0) / (p1 - p0))
            return d0.toordinal() + share * (d1 - d0).days
    return float(curve[-1][0].toordinal())


def forecast_finish(
    reports: Iterable[ReportFact],
    as_of: datetime.date,
    curve: Sequence[tuple[datetime.date, Decimal]] | None = None,
) -> datetime.date | None:
    """The date 100 % would be reached at the pace of the latest reports (up to FORECAST_REPORTS).

    With the plan curve, the pace is measured against the plan (earned schedule): a project that
    kept to the plan over its recent reports is forecast to finish on planned_end, one at half the
    planned pace takes twice the remaining planned time. Without it, the pace is percent per day.

    None when it cannot be told (fewer than two reports on different days before as_of); the
    latest report's date when 100 % is already reported; NEVER when the recent reports show no
    progress.
    """
    dated = sorted((r for r in reports if r.reported_on <= as_of), key=lambda r: r.reported_on)
    if dated and Decimal(dated[-1].percent) >= HUNDRED:
        return dated[-1].reported_on
    recent = dated[-FORECAST_REPORTS:]
    if len(recent) < 2 or recent[0].reported_on == recent[-1].reported_on:
        return None
    first, last = recent[0], recent[-1]
    days = (last.reported_on - first.reported_on).days
    if curve is not None:
        earned_first = earned_date(first.percent, curve)
        earned_last = earned_date(last.percent, curve)
        efficiency = (earned_last - earned_first) / days
        if efficiency <= 0:
            return NEVER
        remaining_days = math.ceil(round((curve[-1][0].toordinal() - earned_last) / efficiency, 6))
    else:
        pace = (Decimal(last.percent) - Decimal(first.percent)) / Decimal(days)
        if pace <= 0:
            return NEVER
        remaining_days = math.ceil((HUNDRED - Decimal(last.percent)) / pace)
    try:
        return last.reported_on + datetime.timedelta(days=max(0, remaining_days))
    except OverflowError:
        return NEVER


def overdue_milestones(
    milestones: Iterable[MilestoneFact], as_of: datetime.date
) -> list[MilestoneFact]:
    """Milestones past their due date on as_of and not completed by then."""
    return [
        m for m in milestones
        if m.due_date < as_of and (m.completed_on is None or m.completed_on > as_of)
    ]


def is_report_missing(
    last_reported_at: datetime.datetime | None,
    now: datetime.datetime,
    weekday: int,
    due_time: datetime.time,
    obliged_from: datetime.date,
    obliged_until: datetime.date | None = None,
) -> bool:
    """This week's report is missing after the due time.

    With D the latest deadline at or before now, a report is owed for the week ending at D when
    the project was obliged to report by then (D's date is on or after obliged_from, the later of
    the campaign's and the project's start, and not after obliged_until, the campaign's end); it
    is missing when nothing was reported since the deadline before D. A late report clears it.
    """
    due = report_due_moment(now, weekday, due_time)
    if due.date() < obliged_from or (obliged_until is not None and due.date() > obliged_until):
        return False
    return last_reported_at is None or last_reported_at <= due - datetime.timedelta(days=7)


def assess(facts: ProjectFacts, as_of: datetime.date, thresholds: Thresholds) -> Assessment:
    """The light of one project on as_of, with the figures behind it.

    - done when completed;
    - paused when suspended with an approved reason (it keeps no light until it resumes);
    - red when lag ≥ red_lag_points or a milestone is overdue beyond the grace days;
    - yellow when lag ≥ yellow_lag_points, a milestone is overdue within the grace days, this
      week's report is missing, or the forecast misses planned_end by more than
      FORECAST_TOLERANCE_DAYS;
    - green otherwise.
    """
    latest = latest_report(facts.reports, as_of)
    measured_on = measurement_date(latest.reported_on if latest else None, as_of)
    curve = plan_curve(facts.planned_start, facts.planned_end, facts.milestones)
    planned = read_curve(curve, measured_on)
    actual = Decimal(latest.percent) if latest else ZERO
    behind = lag(planned, actual)
    overdue = tuple(overdue_milestones(facts.milestones, as_of))
    days_overdue = max(((as_of - m.due_date).days for m in overdue), default=0)
    forecast = forecast_finish(facts.reports, as_of, curve)
    at_risk = (forecast is not None and actual < HUNDRED
               and forecast > facts.planned_end + datetime.timedelta(days=FORECAST_TOLERANCE_DAYS))

    if facts.completed:
        return Assessment(Health.DONE, measured_on, planned, actual, behind, forecast=forecast)
    if facts.paused_with_reason:
        return Assessment(Health.PAUSED, measured_on, planned, actual, behind, forecast=forecast)

    red = behind >= thresholds.red_lag_points or days_overdue > thresholds.milestone_grace_days
    reasons = []
    if behind >= thresholds.yellow_lag_points:
        reasons.append("behind_plan")
    if overdue:
        reasons.append("milestone_overdue")
    if facts.report_missing:
        reasons.append("report_missing")
    if at_risk:
        reasons.append("finish_at_risk")
    health = Health.RED if red else Health.YELLOW if reasons else Health.GREEN
    return Assessment(
        health=health,
        measured_on=measured_on,
        planned_percent=planned,
        actual_percent=actual,
        lag=behind,
        overdue_milestones=overdue,
        max_days_overdue=days_overdue,
        forecast=forecast,
        finish_at_risk=at_risk,
        reasons=tuple(reasons),
    )


def is_due_soon(due: datetime.date, as_of: datetime.date, days: int = DUE_SOON_DAYS) -> bool:
    """Within `days` days of its date and not yet past it."""
    return 0 <= (due - as_of).days <= days
