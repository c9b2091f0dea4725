"""The campaign's calendar: local dates in the site's time zone (settings.TIME_ZONE, Asia/Shanghai).

A campaign's days, deadlines and reporting weeks are local dates; datetimes are stored aware (UTC
in the database). Every "today" and every day boundary of the code is one of these functions.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime.datetime | None = None) -> datetime.date:
    """The local date of moment (an aware datetime), or today's local date."""
    return timezone.localdate(moment if moment is not None else timezone.now(), local_zone())


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of a local date."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


def day_end(day: datetime.date) -> datetime.datetime:
    """The last moment of a local date (a microsecond before the next day starts)."""
    return day_start(day + datetime.timedelta(days=1)) - datetime.timedelta(microseconds=1)
