"""The reporting week, defined once: from the moment after one report deadline to the next."""

import datetime
import zoneinfo

import pytest

from campaign import reporting
from campaign.models import Campaign

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FRI = datetime.date(2026, 11, 27)


def at(day, hour, minute=0, second=0, micro=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, micro,
                             tzinfo=SHANGHAI)


def campaign(weekday=Campaign.Weekday.FRIDAY, due=datetime.time(18, 0)):
    return Campaign(name="湖南镇百日攻坚行动", start_date=datetime.date(2026, 10, 1),
                    end_date=datetime.date(2027, 1, 8), report_weekday=weekday, report_due_time=due)


@pytest.mark.parametrize(("moment", "closes"), [
    (at(FRI, 17, 59), at(FRI, 18)),
    (at(FRI, 18), at(FRI, 18)),  # the deadline itself is the week's last moment
    (at(FRI, 18, 0, 0, 1), at(FRI + datetime.timedelta(days=7), 18)),
    (at(FRI - datetime.timedelta(days=6), 0), at(FRI, 18)),  # Saturday
    (at(FRI - datetime.timedelta(days=7), 18, 30), at(FRI, 18)),  # last Friday, after the deadline
])
def test_a_moment_belongs_to_the_week_whose_deadline_is_next(moment, closes):
    week = reporting.week_containing(campaign(), moment)
    assert week.closes_at == closes
    assert week.opens_after == closes - datetime.timedelta(days=7)
    assert week.opens_after < moment <= week.closes_at


def test_a_friday_week_runs_saturday_to_friday():
    week = reporting.week_of(campaign(), FRI - datetime.timedelta(days=3))
    assert (week.start, week.end) == (datetime.date(2026, 11, 21), FRI)
    assert (week.start.weekday(), week.end.weekday()) == (5, 4)
    assert reporting.week_of(campaign(), FRI) == week
    assert reporting.week_of(campaign(), week.start) == week


def test_the_week_just_closed_is_the_one_whose_deadline_passed_last():
    monday = FRI + datetime.timedelta(days=3)
    week = reporting.last_closed_week(campaign(), at(monday, 8))
    assert (week.start, week.end) == (datetime.date(2026, 11, 21), FRI)
    # On Friday before the deadline the week before is the last closed one.
    assert reporting.last_closed_week(campaign(), at(FRI, 17)).end == FRI - datetime.timedelta(days=7)
    assert reporting.last_closed_week(campaign(), at(FRI, 18, 1)).end == FRI


def test_another_report_day_and_time_move_the_week():
    monday_9 = campaign(Campaign.Weekday.MONDAY, datetime.time(9, 0))
    monday = datetime.date(2026, 11, 30)
    week = reporting.week_of(monday_9, datetime.date(2026, 11, 25))
    assert (week.start, week.end) == (datetime.date(2026, 11, 24), monday)
    assert week.closes_at == at(monday, 9)


def test_a_period_of_whole_weeks_is_bounded_by_deadlines_and_other_periods_by_midnights():
    c = campaign()
    after, until = reporting.period_bounds(c, datetime.date(2026, 11, 21), FRI)
    assert (after, until) == (at(FRI - datetime.timedelta(days=7), 18), at(FRI, 18))
    after, until = reporting.period_bounds(c, datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))
    assert after == at(datetime.date(2026, 11, 22), 23, 59, 59, 999999)
    assert until == at(datetime.date(2026, 11, 29), 23, 59, 59, 999999)
