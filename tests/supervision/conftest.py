"""Fixtures of the supervision engine's tests: fixed dates and small builders."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from campaign.models import Role
from tests import factories

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Friday 2026-11-20 (the factories' TODAY), noon: before the weekly report's 18:00 deadline.
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


def day(month: int, dom: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, dom)


def report(project, percent, on: datetime.date, hour: int = 10):
    """A progress report on a local date (not through the service: the rules read the rows)."""
    return factories.ProgressReportFactory(
        project=project, percent=Decimal(str(percent)),
        reported_at=datetime.datetime.combine(on, datetime.time(hour), tzinfo=SHANGHAI))


@pytest.fixture
def make_project(campaign):
    """A project of the campaign with its own leader; planned over the whole campaign."""
    def make(**kwargs):
        return factories.ProjectFactory(campaign=campaign, **kwargs)
    return make


@pytest.fixture
def supervisor_in_town(campaign):
    user = factories.UserFactory(username="dcz-town", roles=[Role.SUPERVISOR])
    user.profile.unit = campaign.unit
    user.profile.save()
    return user
