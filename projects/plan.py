"""The plan of a project: its curve of planned % over the days, and how far behind it a report is.

Pure functions of plain values (no database, no clock), shared by the pages' figures and the
rules of lateness (supervision.rules). Dates are local dates in Asia/Shanghai.

Percentages are exact: a report's % and a milestone's planned % are Decimal with one decimal
place, and the plan read between two points and the lag are computed without rounding (the
product before the division, at Decimal's 28 digits, so a value that is exactly a threshold is
exactly it and one that is not differs from it by far more than the last digit). The rules
compare these true values with the thresholds; ``shown`` rounds to one decimal for display only
(pages, documents, the figures stored in a flag's details).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice
from operator import attrgetter

from django.utils.translation import gettext as _

ZERO = Decimal("0")
HUNDRED = Decimal("100")
ONE_PLACE = Decimal("0.1")

#: A report describes the project on its own date for this many days; after that the plan is
#: read on as_of, so a project that stops reporting keeps falling behind.
REPORT_FRESH_DAYS = 7


class Health:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    DONE = "done"
    #: Suspended with an approved reason (正当理由): no light until it resumes.
    PAUSED = "paused"


@dataclass(frozen=True)
class MilestoneFact:
    due_date: datetime.date
    planned_percent: Decimal
    completed_on: datetime.date | None = None
    #: A point of the plan where a justified pause began or ended (the plan stands still between
    #: the two): part of the curve, never a milestone to meet (projects.plans).
    pause: bool = False


def shown(value: Decimal) -> Decimal:
    """A percentage as it is displayed: one decimal place, half up. Never compare this with a
    threshold (the rules compare the exact value)."""
    # + ZERO: a small negative value rounds to -0.0, which is shown as 0.0.
    return Decimal(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP) + ZERO


_q = shown  # the older name


def milestone_problems(milestones: Iterable) -> list[str]:
    """What is wrong with a plan's milestones as the office writes them (dicts of name, due_date,
    planned_percent), in words: two with one name, or a milestone that plans less than one due
    before it — a plan only rises (plan_curve would keep the higher figure and the lower
    milestone would mean nothing). The setup form and the Excel import both ask this."""
    milestones = list(milestones)
    problems = []
    names = [str(m["name"]).strip() for m in milestones]
    if len(set(names)) != len(names):
        problems.append(_("Two milestones have the same name."))
    ordered = sorted(((name, m["due_date"], Decimal(m["planned_percent"]))
                      for name, m in zip(names, milestones, strict=True)
                      if m["due_date"] is not None and m["planned_percent"] is not None),
                     key=lambda r: (r[1], r[2]))
    highest = None
    for name, due, percent in ordered:
        if highest is not None and percent < highest[2] and due > highest[1]:
            problems.append(_(
                "Milestone %(name)s plans %(percent)s%% by %(due)s, less than %(earlier)s's "
                "%(earlier_percent)s%% by %(earlier_due)s: the planned progress can only rise.")
                % {"name": name, "percent": percent, "due": due.isoformat(), "earlier": highest[0],
                   "earlier_percent": highest[2], "earlier_due": highest[1].isoformat()})
        if highest is None or percent > highest[2]:
            highest = (name, due, percent)
    return problems


def plan_curve(
    planned_start: datetime.date,
    planned_end: datetime.date,
    milestones: Iterable[MilestoneFact] = (),
) -> list[tuple[datetime.date, Decimal]]:
    """The points of the plan: (planned_start, 0), each milestone in date order, (planned_end, 100).

    Milestones outside the planned period are clamped into it; where two points share a date the
    higher percent wins, so the curve never goes down.
    """
    # The points merged as they come, in date order (the scan draws a curve for every project).
    curve = [(planned_start, ZERO)]
    last_day, last_pct = planned_start, ZERO
    for m in sorted(milestones, key=_DATE_THEN_PERCENT):
        day = m.due_date
        if day < planned_start:
            day = planned_start
        if day > planned_end:
            day = planned_end
        pct = m.planned_percent
        if type(pct) is not Decimal:
            pct = Decimal(pct)
        if pct < last_pct:
            pct = last_pct
        if day == last_day:
            curve[-1] = (day, pct)
        else:
            curve.append((day, pct))
        last_day, last_pct = day, pct
    pct = HUNDRED if last_pct <= HUNDRED else last_pct
    if planned_end == last_day:
        curve[-1] = (planned_end, pct)
    else:
        curve.append((planned_end, pct))
    return curve


_DATE_THEN_PERCENT = attrgetter("due_date", "planned_percent")


def planned_percent(
    as_of: datetime.date,
    planned_start: datetime.date,
    planned_end: datetime.date,
    milestones: Iterable[MilestoneFact] = (),
) -> Decimal:
    """Planned % on as_of: linear between the points of plan_curve.

    0 before planned_start, 100 on and after planned_end; exact (see the module's docstring).
    """
    return read_curve(plan_curve(planned_start, planned_end, milestones), as_of)


def read_curve(curve: Sequence[tuple[datetime.date, Decimal]], as_of: datetime.date) -> Decimal:
    """The planned % of a plan_curve on as_of (see planned_percent)."""
    d0, p0 = curve[0]
    if as_of <= d0:
        return ZERO
    if as_of >= curve[-1][0]:
        return HUNDRED
    for d1, p1 in islice(curve, 1, None):
        if d0 <= as_of <= d1:
            # An int operand is converted exactly, as Decimal(days) would be: the same value.
            return p0 + (p1 - p0) * (as_of - d0).days / (d1 - d0).days
        d0, p0 = d1, p1
    return HUNDRED  # unreachable: the curve covers [start, end]


def lag(planned: Decimal, actual: Decimal) -> Decimal:
    """Points behind the plan: planned − actual (negative when ahead), exact."""
    if type(planned) is Decimal and type(actual) is Decimal:
        return planned - actual
    return Decimal(planned) - Decimal(actual)


def measurement_date(last_reported_on: datetime.date | None, as_of: datetime.date) -> datetime.date:
    """The date on which the plan is read to compare with the latest report.

    A report describes the project on its own date, so between two weekly reports a project on
    plan does not drift into yellow; once the report is older than REPORT_FRESH_DAYS the plan is
    read on as_of and the lag grows day by day.
    """
    if last_reported_on is None or (as_of - last_reported_on).days > REPORT_FRESH_DAYS:
        return as_of
    return min(last_reported_on, as_of)
