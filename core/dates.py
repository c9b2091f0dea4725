"""The campaign's calendar: local dates in the site's time zone (settings.TIME_ZONE, Asia/Shanghai).

A campaign's days, deadlines and reporting weeks are local dates; datetimes are stored aware (UTC
in the database). Every "today" and every day boundary of the code is one of these functions.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def local_zone() -> zoneinfo.ZoneInfo:
    """ZoneInfo(settings.TIME_ZONE), as Django keeps it (read once, forgotten when a test changes
    the setting): the scan asks for it several times a project."""
    return timezone.get_default_timezone()


def local_date(moment: datetime.datetime | None = None) -> datetime.date:
    """The local date of moment (an aware datetime), or today's local date."""
    return timezone.localdate(moment if moment is not None else timezone.now(), local_zone())


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of a local date."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


def day_end(day: datetime.date) -> datetime.datetime:
    """The last moment of a local date (a microsecond before the next day starts)."""
    return day_start(day + datetime.timedelta(days=1)) - datetime.timedelta(microseconds=1)


#: How far from today a date of the campaign may lie: a hundred-day campaign, its deadlines and
#: its bulletins are all within a few years; 0001-01-01 or 9999-12-31 is a typo (and would make
#: a deadline that can never pass, or date arithmetic that overflows).
PLAUSIBLE_YEARS = 5


def _shift_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plausible_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last date a campaign's date may carry: PLAUSIBLE_YEARS either side of today."""
    today = today or local_date()
    return _shift_years(today, -PLAUSIBLE_YEARS), _shift_years(today, PLAUSIBLE_YEARS)


def check_plausible(dates: dict[str, datetime.date | None]) -> None:
    """A ValidationError beside each field whose date lies outside plausible_range()."""
    first, last = plausible_range()
    errors = {field: ValidationError(
        _("Enter a date between %(first)s and %(last)s (within %(years)d years of today).")
        % {"first": first.isoformat(), "last": last.isoformat(), "years": PLAUSIBLE_YEARS},
        code="implausible_date")
        for field, day in dates.items() if day is not None and not first <= day <= last}
    if errors:
        raise ValidationError(errors)
