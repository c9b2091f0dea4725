"""The reporting week, defined once: from the moment after one weekly report deadline (the
campaign's report_weekday at report_due_time, local time) to the next deadline, inclusive.

With Friday 18:00 reports, the week of Friday 4 December runs from Friday 27 November 18:00:00.000001
to Friday 4 December 18:00; its dates are Saturday 28 November to Friday 4 December. A report
filed on Friday evening after the deadline counts for the next week, as the scan's "report
missing" rule reads it (supervision/rules.py calls report_due_moment from here).

The dashboard's 本期, the automatic weekly bulletin (the week that has just closed), the manual
bulletin form's default and every bulletin figure (period_bounds) read these functions.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from core.dates import day_end, local_zone

WEEK = datetime.timedelta(days=7)


def report_due_moment(now: datetime.datetime, weekday: int, due_time: datetime.time
                      ) -> datetime.datetime:
    """The latest weekly report deadline at or before now (aware, in now's time zone)."""
    # Kept for the last few hundred arguments (a scan asks twice a project, with one moment and
    # the campaign's weekday and time), keyed by the moment, its zone and its fold: two equal
    # moments in different zones have different answers, and two moments with one zone compare
    # by their wall clocks alone (the fold tells the two readings of a clock set back apart).
    return _due_moment(now, now.tzinfo, now.fold, weekday, due_time)


@functools.lru_cache(maxsize=256)
def _due_moment(now, zone, fold, weekday, due_time) -> datetime.datetime:
    local_day = now.date()
    back = (local_day.weekday() - weekday) % 7
    due = datetime.datetime.combine(local_day - datetime.timedelta(days=back), due_time,
                                    tzinfo=now.tzinfo)
    if due > now:
        due -= WEEK
    return due


@dataclass(frozen=True)
class ReportingWeek:
    """A reporting week: reports with opens_after < reported_at ≤ closes_at belong to it."""

    opens_after: datetime.datetime
    closes_at: datetime.datetime

    @property
    def start(self) -> datetime.date:
        """The first local date of the week (the day after the previous report day)."""
        return self.opens_after.astimezone(local_zone()).date() + datetime.timedelta(days=1)

    @property
    def end(self) -> datetime.date:
        """The report day that closes the week."""
        return self.closes_at.astimezone(local_zone()).date()


def _deadline_on(campaign, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, campaign.report_due_time, tzinfo=local_zone())


def week_containing(campaign, at: datetime.datetime) -> ReportingWeek:
    """The reporting week that the moment at falls in (its deadline is at or after at)."""
    last = report_due_moment(at.astimezone(local_zone()), campaign.report_weekday,
                             campaign.report_due_time)
    closes = last if last == at else last + WEEK
    return ReportingWeek(closes - WEEK, closes)


def week_of(campaign, day: datetime.date) -> ReportingWeek:
    """The reporting week whose dates include the local date day (start ≤ day ≤ end)."""
    ahead = (campaign.report_weekday - day.weekday()) % 7
    closes = _deadline_on(campaign, day + datetime.timedelta(days=ahead))
    return ReportingWeek(closes - WEEK, closes)


def last_closed_week(campaign, now: datetime.datetime) -> ReportingWeek:
    """The latest reporting week whose deadline has passed at now (the weekly bulletin's)."""
    closes = report_due_moment(now.astimezone(local_zone()), campaign.report_weekday,
                               campaign.report_due_time)
    return ReportingWeek(closes - WEEK, closes)


def period_bounds(campaign, start: datetime.date, end: datetime.date
                  ) -> tuple[datetime.datetime, datetime.datetime]:
    """(after, until) for a period of local dates: reports with after < reported_at ≤ until are
    the period's. A period that begins the day after a report day opens after that day's
    deadline and one that ends on a report day closes at its deadline, so a period made of whole
    reporting weeks counts exactly their reports; other edges are the days' midnights."""
    before = start - datetime.timedelta(days=1)
    after = (_deadline_on(campaign, before) if before.weekday() == campaign.report_weekday
             else day_end(before))
    until = (_deadline_on(campaign, end) if end.weekday() == campaign.report_weekday
             else day_end(end))
    return after, until
