"""The rules of lateness (DESIGN.md), as pure functions of the data and ``as_of``.

Nothing here touches the database or the clock: the scan, the pages and the tests all call these
with plain values, so a scan for a past date gives the same answer every time it is run.

Percentages are exact ``Decimal`` (projects/plan.py): the plan and the lag are compared with the
thresholds unrounded, and ``shown`` rounds them for display only. Dates are local dates in
Asia/Shanghai. docs/rules.md states the rules in words.
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
    lag,
    measurement_date,
    plan_curve,
    planned_percent,
    read_curve,
    shown,
)

#: A forecast that never reaches 100 % at the present pace (no progress in the recent reports).
NEVER = datetime.date.max

#: How many of the latest report days give the pace for the forecast (the latest report of each
#: of the last FORECAST_REPORTS distinct days on which the project reported).
FORECAST_REPORTS = 4

#: A milestone, obstacle, hazard or notice this many days from its date is "due soon".
DUE_SOON_DAYS = 3

#: A forecast this many days past planned_end is still on time: reports are weekly and rounded to
#: a tenth of a point, so a project exactly on plan can forecast a day or two late.
FORECAST_TOLERANCE_DAYS = 3

# The kinds of warning (the values of supervision.models.Flag.Kind).
BEHIND_PLAN = "behind_plan"
MILESTONE_OVERDUE = "milestone_overdue"
REPORT_MISSING = "report_missing"
OBSTACLE_OVERDUE = "obstacle_overdue"
HAZARD_OVERDUE = "hazard_overdue"
FINISH_AT_RISK = "finish_at_risk"
NOTICE_OVERDUE = "notice_overdue"

RED, YELLOW = "red", "yellow"


@dataclass(frozen=True)
class Thresholds:
    yellow_lag_points: int = 5
    red_lag_points: int = 15
    milestone_grace_days: int = 7
    #: A notice overdue this many days (or escalated) is a red warning.
    escalate_after_days: int = 3


@dataclass(frozen=True)
class OverdueFact:
    """The open obstacles (or safety hazards) of a project past their date: how many, the oldest
    date, and (hazards) how many of them are 重大 (major)."""

    count: int
    oldest: datetime.date
    major: int = 0


@dataclass(frozen=True)
class NoticeFact:
    """A notice not closed: awaiting the team's response or not, its date to respond by, whether it
    was escalated by the moment assessed, its number."""

    awaiting_response: bool
    respond_by: datetime.date | None
    escalated: bool = False
    number: str | None = None


@dataclass(frozen=True)
class Warning:
    """One open warning (预警): its kind, its severity (red or yellow) and the figures behind it,
    with the threshold crossed (the flag's details; figures shown to one decimal)."""

    kind: str
    severity: str
    details: dict


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
    obstacles: OverdueFact | None = None
    hazards: OverdueFact | None = None
    notices: Sequence[NoticeFact] = ()


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
    #: Every open warning, the worst first; the light is the most severe of them.
    warnings: tuple[Warning, ...] = ()


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


def report_days(reports: Iterable[ReportFact], as_of: datetime.date) -> list[ReportFact]:
    """The latest report of each distinct day on or before as_of, in date order (of two on one day
    the later made counts: a same-day correction replaces the morning's figure, it takes no slot)."""
    by_day: dict[datetime.date, ReportFact] = {}
    for report in reports:
        if report.reported_on <= as_of:
            by_day[report.reported_on] = report
    return [by_day[day] for day in sorted(by_day)]


def forecast_finish(
    reports: Iterable[ReportFact],
    as_of: datetime.date,
    curve: Sequence[tuple[datetime.date, Decimal]] | None = None,
) -> datetime.date | None:
    """The date 100 % would be reached at the pace of the latest report of each of the last
    FORECAST_REPORTS distinct report days.

    With the plan curve, the pace is measured against the plan (earned schedule): a project that
    kept to the plan over its recent reports is forecast to finish on planned_end, one at half the
    planned pace takes twice the remaining planned time. Without it, the pace is percent per day.

    None when it cannot be told (fewer than two report days by as_of); the latest report's date
    when 100 % is already reported; NEVER when the recent reports show no progress. An unfinished
    project's forecast is never before as_of (what has not happened by today cannot happen
    earlier than today).
    """
    days = report_days(reports, as_of)
    if days and Decimal(days[-1].percent) >= HUNDRED:
        return days[-1].reported_on
    recent = days[-FORECAST_REPORTS:]
    if len(recent) < 2:
        return None
    first, last = recent[0], recent[-1]
    span = (last.reported_on - first.reported_on).days
    if curve is not None:
        earned_first = earned_date(first.percent, curve)
        earned_last = earned_date(last.percent, curve)
        efficiency = (earned_last - earned_first) / span
        if efficiency <= 0:
            return NEVER
        remaining_days = math.ceil(round((curve[-1][0].toordinal() - earned_last) / efficiency, 6))
    else:
        pace = (Decimal(last.percent) - Decimal(first.percent)) / Decimal(span)
        if pace <= 0:
            return NEVER
        remaining_days = math.ceil((HUNDRED - Decimal(last.percent)) / pace)
    try:
        forecast = last.reported_on + datetime.timedelta(days=max(0, remaining_days))
    except OverflowError:
        return NEVER
    return max(forecast, as_of)


def overdue_milestones(
    milestones: Iterable[MilestoneFact], as_of: datetime.date
) -> list[MilestoneFact]:
    """Milestones past their due date on as_of and not completed by then."""
    return [
        m for m in milestones
        if not m.pause and m.due_date < as_of and (m.completed_on is None or m.completed_on > as_of)
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


SEVERITY_RANK = {RED: 0, YELLOW: 1}


def light_of(warnings: Iterable[Warning]) -> str:
    """The light of an active project: the most severe of its open warnings, green with none."""
    severities = {w.severity for w in warnings}
    return Health.RED if RED in severities else Health.YELLOW if YELLOW in severities \
        else Health.GREEN


def assess(facts: ProjectFacts, as_of: datetime.date, thresholds: Thresholds) -> Assessment:
    """The light of one project on as_of, with the figures and the warnings behind it.

    - done when completed; paused when suspended with an approved reason (no light, no warning);
    - otherwise the most severe of its warnings (light_of), green with none; docs/rules.md lists
      every kind of warning and when it is red.
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
    at_risk = actual < HUNDRED and (
        as_of > facts.planned_end
        or (forecast is not None
            and forecast > facts.planned_end + datetime.timedelta(days=FORECAST_TOLERANCE_DAYS)))

    if facts.completed:
        return Assessment(Health.DONE, measured_on, planned, actual, behind, forecast=forecast)
    if facts.paused_with_reason:
        return Assessment(Health.PAUSED, measured_on, planned, actual, behind, forecast=forecast)

    found = warnings_of(facts, as_of, thresholds, planned=planned, actual=actual, behind=behind,
                        overdue=overdue, days_overdue=days_overdue, forecast=forecast,
                        at_risk=at_risk)
    return Assessment(
        health=light_of(found),
        measured_on=measured_on,
        planned_percent=planned,
        actual_percent=actual,
        lag=behind,
        overdue_milestones=overdue,
        max_days_overdue=days_overdue,
        forecast=forecast,
        finish_at_risk=at_risk,
        reasons=tuple(w.kind for w in found),
        warnings=tuple(sorted(found, key=lambda w: SEVERITY_RANK[w.severity])),
    )


def _pct(value: Decimal) -> str:
    return str(shown(value))


def warnings_of(facts: ProjectFacts, as_of: datetime.date, t: Thresholds, *, planned, actual,
                behind, overdue, days_overdue, forecast, at_risk) -> list[Warning]:
    """Every warning true of an active project on as_of (see assess)."""
    found = []
    if behind >= t.yellow_lag_points:
        red = behind >= t.red_lag_points
        found.append(Warning(BEHIND_PLAN, RED if red else YELLOW, {
            "planned": _pct(planned), "actual": _pct(actual), "lag": _pct(behind),
            "threshold": t.red_lag_points if red else t.yellow_lag_points}))
    if overdue:
        found.append(Warning(
            MILESTONE_OVERDUE, RED if days_overdue > t.milestone_grace_days else YELLOW,
            {"since": min(m.due_date for m in overdue).isoformat(), "count": len(overdue),
             "due": sorted(m.due_date.isoformat() for m in overdue),
             "grace": t.milestone_grace_days}))
    if facts.report_missing:
        found.append(Warning(REPORT_MISSING, YELLOW, {}))
    if at_risk:
        found.append(Warning(FINISH_AT_RISK, YELLOW, {
            "forecast": None if forecast is None else "never" if forecast == NEVER
            else forecast.isoformat(),
            "planned_end": facts.planned_end.isoformat(),
            "past_end": as_of > facts.planned_end,
            "actual": _pct(actual)}))
    if facts.obstacles:
        days = (as_of - facts.obstacles.oldest).days
        found.append(Warning(
            OBSTACLE_OVERDUE, RED if days > t.milestone_grace_days else YELLOW,
            {"count": facts.obstacles.count, "since": facts.obstacles.oldest.isoformat(),
             "grace": t.milestone_grace_days}))
    if facts.hazards:
        days = (as_of - facts.hazards.oldest).days
        found.append(Warning(
            HAZARD_OVERDUE,
            RED if facts.hazards.major or days > t.milestone_grace_days else YELLOW,
            {"count": facts.hazards.count, "major": facts.hazards.major,
             "since": facts.hazards.oldest.isoformat(),
             "grace": t.milestone_grace_days}))
    late = [n for n in facts.notices
            if n.awaiting_response and n.respond_by is not None and as_of > n.respond_by]
    if late:
        days = max((as_of - n.respond_by).days for n in late)
        escalated = any(n.escalated for n in late)
        found.append(Warning(
            NOTICE_OVERDUE, RED if escalated or days > t.escalate_after_days else YELLOW,
            {"count": len(late), "since": min(n.respond_by for n in late).isoformat(),
             "numbers": sorted(n.number for n in late if n.number),
             "escalated": escalated, "escalate_after": t.escalate_after_days}))
    return found


def is_due_soon(due: datetime.date, as_of: datetime.date, days: int = DUE_SOON_DAYS) -> bool:
    """Within `days` days of its date and not yet past it."""
    return 0 <= (due - as_of).days <= days
