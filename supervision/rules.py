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
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

from campaign.reporting import WEEK, report_due_moment
from core.dates import day_start, local_zone
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


class ReportFact(NamedTuple):
    reported_on: datetime.date
    percent: Decimal


class ProjectFacts(NamedTuple):
    """What the rules need to know of one project; built from rows by the scan or a page.

    The facts and the answer (Assessment) are named tuples rather than frozen dataclasses: as
    immutable, and cheaper to make (~1.5 µs less each; the scan makes both for every project)."""

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
    # What lies ahead in the same data, for next_change (the light does not read these):
    #: the weekly report owed (the deadlines move the report_missing answer);
    reporting: ReportDuty | None = None
    #: due dates not yet passed of the open obstacles and hazards (each overdue the day after);
    due_ahead: Sequence[datetime.date] = ()
    #: later dates on which what the rules read changes by itself: a close-out or a safety check
    #: dated after the day assessed, a plan version in force from a later date;
    changes_on: Sequence[datetime.date] = ()
    #: the first moment after the one assessed at which a row dated later comes into view (a
    #: report or an obstacle dated in the future, an escalation recorded for a later moment).
    visible_from: datetime.datetime | None = None


@dataclass(frozen=True)
class ReportDuty:
    """The campaign's weekly report (its weekday and time) and the days the project owes it
    (Campaign.reporting_window): the input of is_report_missing, less the moment."""

    weekday: int
    due_time: datetime.time
    obliged_from: datetime.date
    obliged_until: datetime.date | None = None


class Assessment(NamedTuple):
    health: str
    measured_on: datetime.date
    planned_percent: Decimal
    actual_percent: Decimal
    lag: Decimal
    overdue_milestones: tuple[MilestoneFact, ...] = ()
    max_days_overdue: int = 0
    forecast: datetime.date | None = None
    finish_at_risk: bool = False
    reasons: tuple[str, ...] = ()
    #: Every open warning, the worst first; the light is the most severe of them.
    warnings: tuple[Warning, ...] = ()
    #: The plan curve read (plan_curve of the plan in force).
    curve: Sequence[tuple[datetime.date, Decimal]] = ()


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


def _decimal(value) -> Decimal:
    """Decimal(value), without making a copy of one already (the same value)."""
    return value if type(value) is Decimal else Decimal(value)


def latest_percent(reports: Iterable[ReportFact], as_of: datetime.date) -> Decimal:
    """The cumulative % of the latest report on or before as_of (see latest_report); 0 with none."""
    latest = latest_report(reports, as_of)
    return ZERO if latest is None else Decimal(latest.percent)


def earned_date(percent: Decimal, curve: Sequence[tuple[datetime.date, Decimal]]) -> float:
    """Earned schedule: the day (as an ordinal, with a fraction) on which the plan reaches percent."""
    if type(percent) is not Decimal:
        percent = Decimal(percent)
    d0, p0 = curve[0]
    if percent <= p0:
        return float(d0.toordinal())
    for d1, p1 in islice(curve, 1, None):
        if p0 <= percent <= p1 and p1 > p0:
            share = float((percent - p0) / (p1 - p0))
            return d0.toordinal() + share * (d1 - d0).days
        d0, p0 = d1, p1
    return float(curve[-1][0].toordinal())


def report_days(reports: Iterable[ReportFact], as_of: datetime.date) -> list[ReportFact]:
    """The latest report of each distinct day on or before as_of, in date order (of two on one day
    the later made counts: a same-day correction replaces the morning's figure, it takes no slot)."""
    if type(reports) is not tuple and not isinstance(reports, Sequence):
        reports = list(reports)  # read twice below when not in day order
    days = []
    for report in reports:  # as the scan gives them: one a day, oldest first
        if report.reported_on <= as_of:
            if days and report.reported_on <= days[-1].reported_on:
                break
            days.append(report)
    else:
        return days
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
    if days and _decimal(days[-1].percent) >= HUNDRED:
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

_TOLERANCE = datetime.timedelta(days=FORECAST_TOLERANCE_DAYS)


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
    actual = _decimal(latest.percent) if latest else ZERO
    behind = lag(planned, actual)
    overdue = tuple(overdue_milestones(facts.milestones, as_of))
    days_overdue = max((as_of - m.due_date).days for m in overdue) if overdue else 0
    forecast = forecast_finish(facts.reports, as_of, curve)
    at_risk = actual < HUNDRED and (
        as_of > facts.planned_end
        or (forecast is not None and forecast > facts.planned_end + _TOLERANCE))

    if facts.completed:
        return Assessment(Health.DONE, measured_on, planned, actual, behind, forecast=forecast)
    if facts.paused_with_reason:
        return Assessment(Health.PAUSED, measured_on, planned, actual, behind, forecast=forecast)

    found = warnings_of(facts, as_of, thresholds, planned=planned, actual=actual, behind=behind,
                        overdue=overdue, days_overdue=days_overdue, forecast=forecast,
                        at_risk=at_risk)
    if not found:  # green, the usual case: nothing to sort
        return Assessment(Health.GREEN, measured_on, planned, actual, behind, overdue,
                          days_overdue, forecast, at_risk, (), (), curve)
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
        curve=curve,
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


#: Figures of a warning's details that move from day to day with nothing new (the plan's percent
#: today, hence the lag): the stored flag keeps them as they were at its opening or last change of
#: severity, so they are never a reason alone to write it again, nor a change of the answer.
DAILY_FIGURES = {BEHIND_PLAN: frozenset({"planned", "lag"})}


def lasting(kind: str, details: dict) -> dict:
    """A warning's details without its DAILY_FIGURES: what a change of the answer is read on."""
    daily = DAILY_FIGURES.get(kind)
    return details if not daily else {k: v for k, v in details.items() if k not in daily}


# --- The next review moment ---------------------------------------------------------------------


def next_change(facts: ProjectFacts, now: datetime.datetime, t: Thresholds,
                assessment: Assessment | None = None) -> datetime.datetime | None:
    """The earliest moment after now at which the answer for these facts can differ with no new
    input: the light, each warning's kind, severity and lasting details, the missing report's
    deadline. None when nothing can change by the clock alone (a project done or paused).

    Earlier is always safe (the project is assessed once more for nothing); later would be a bug
    (tests/fuzz/test_review_moment.py walks random projects hour by hour to show it never is).
    now is aware; its local date is the day assessed (the date assess() is given); the moments
    returned are local midnights, the next report deadline, or facts.visible_from.
    """
    local_now = now.astimezone(local_zone())
    as_of = local_now.date()
    a = assessment or assess(facts, as_of, t)
    if a.health in (Health.DONE, Health.PAUSED):
        return None  # no warning whatever the clock says, until the status changes (a write)
    moments: list[datetime.datetime] = []
    if facts.visible_from is not None and facts.visible_from > now:
        moments.append(facts.visible_from)
    days: list[datetime.date] = list(facts.changes_on)
    if facts.due_ahead:
        days += [d + _DAY for d in facts.due_ahead]
    grace = datetime.timedelta(days=t.milestone_grace_days)
    after_grace = grace + _DAY

    # The weekly report: every deadline moves the answer (owed, missing, which week's).
    duty = facts.reporting
    horizon = None  # the last day whose midnight can come before the next deadline
    if duty is not None:
        deadline = report_due_moment(local_now, duty.weekday, duty.due_time) + WEEK
        if facts.report_missing or duty.obliged_until is None \
                or deadline.date() <= duty.obliged_until:
            moments.append(deadline)
            horizon = deadline.date()

    # Behind plan: the lag only grows with the days (the plan never goes down, the % reported
    # stays), so each threshold not reached yet is crossed at most once: on the first day the
    # plan, read on the measurement date, reaches actual + threshold. A crossing after the
    # horizon cannot be the next change (the deadline comes first): one reading of the plan on
    # the horizon tells, and the day itself is sought only when it may come sooner.
    latest = latest_report(facts.reports, as_of)
    first_day = as_of + _DAY
    if latest is not None:
        # Until the report is REPORT_FRESH_DAYS old the plan is read on its date.
        first_day = max(first_day, latest.reported_on + _AFTER_FRESH)
    if horizon is None or first_day <= horizon:
        curve = a.curve or plan_curve(facts.planned_start, facts.planned_end, facts.milestones)
        by_horizon = None if horizon is None else read_curve(curve, horizon)
        for threshold in (t.yellow_lag_points, t.red_lag_points):
            target = a.actual_percent + threshold
            if a.lag < threshold and (by_horizon is None or by_horizon >= target):
                day = first_day_reaching(curve, target, first_day)
                if day is not None:
                    days.append(day)

    # Milestones: each one not met yet is overdue the day after its date and red after the grace
    # days; one met on a later date (a date typed ahead) stops counting then.
    for m in facts.milestones:
        if m.pause or (m.completed_on is not None and m.completed_on <= as_of):
            continue
        days.append(m.due_date + _DAY)
        days.append(m.due_date + after_grace)
        if m.completed_on is not None:
            days.append(m.completed_on)

    # Finish at risk: the forecast is never before the day it is made, so once the pace's date
    # has been reached (the forecast is today) it moves every day; past the planned end the
    # project is at risk.
    if a.finish_at_risk and a.forecast == as_of:
        days.append(as_of + _DAY)
    if a.forecast is not None and a.forecast < NEVER:
        days.append(a.forecast + _DAY)
    days.append(facts.planned_end + _DAY)

    # Obstacles and hazards overdue: red after the grace days (a major hazard is red at once).
    if facts.obstacles:
        days.append(facts.obstacles.oldest + after_grace)
    if facts.hazards and not facts.hazards.major:
        days.append(facts.hazards.oldest + after_grace)

    # Notices awaiting a response: overdue the day after respond_by, red after escalate_after.
    for n in facts.notices:
        if n.awaiting_response and n.respond_by is not None:
            days.append(n.respond_by + _DAY)
            if not n.escalated:
                days.append(n.respond_by + datetime.timedelta(days=t.escalate_after_days) + _DAY)

    later = [d for d in days if d > as_of]
    if later:
        moments.append(day_start(min(later)))
    return min(moments, default=None)


_DAY = datetime.timedelta(days=1)
#: The first day a report is no longer fresh (the plan is read on the day assessed then).
_AFTER_FRESH = datetime.timedelta(days=REPORT_FRESH_DAYS + 1)


def first_day_reaching(curve: Sequence[tuple[datetime.date, Decimal]], target: Decimal,
                       not_before: datetime.date) -> datetime.date | None:
    """The first day on or after not_before on which the plan (read_curve) is at least target;
    None if it never is (a target above 100 %). Exact: the day found is checked with read_curve."""
    if target > HUNDRED:
        return None
    day = None
    d0, p0 = curve[0]
    for d1, p1 in islice(curve, 1, None):
        if p1 < target or d1 < not_before:
            d0, p0 = d1, p1
            continue
        if p0 >= target or p1 == p0:
            day = d0
        else:
            day = d0 + datetime.timedelta(days=math.ceil((target - p0) * (d1 - d0).days
                                                         / (p1 - p0)))
        break
    if day is None:
        day = curve[-1][0]  # 100 % from the planned end on
    day = max(day, not_before)
    while read_curve(curve, day) < target:
        day += _DAY
    while day > not_before and read_curve(curve, day - _DAY) >= target:
        day -= _DAY
    return day
