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
    """A progress report on a local date, with the project's derived fields brought up to date
    as the report service does (without enqueuing a scan: the tests scan when they choose)."""
    from projects.models import Project

    row = factories.ProgressReportFactory(
        project=project, percent=Decimal(str(percent)),
        reported_at=datetime.datetime.combine(on, datetime.time(hour), tzinfo=SHANGHAI))
    Project.objects.filter(pk=project.pk).update(progress=row.percent,
                                                 last_reported_at=row.reported_at)
    return row


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
