"""A town with a village and a department, its campaign office and a campaign."""

import pytest

from campaign.models import Role, Unit
from tests import factories


def placed(username, role, unit, full_name=None, title=""):
    user = factories.UserFactory(username=username, roles=[role] if role else [])
    user.profile.unit = unit
    user.profile.title = title
    if full_name:
        user.profile.full_name = full_name
    user.profile.save()
    return user


@pytest.fixture
def town(db):
    county = Unit.objects.create(name="长乐市", kind=Unit.Kind.COUNTY)
    return Unit.objects.create(name="湖南镇", kind=Unit.Kind.TOWN, parent=county)


@pytest.fixture
def village(town):
    return Unit.objects.create(name="湖南村", kind=Unit.Kind.VILLAGE, parent=town)


@pytest.fixture
def office(town):
    return placed("hn_office", Role.TOWN_ADMIN, town, "王主任", "攻坚办主任")


@pytest.fixture
def town_campaign(town):
    return factories.CampaignFactory(unit=town)


@pytest.fixture
def zhang(town):
    return placed("zhangming", Role.LEADER, town, "张明", "副镇长")


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client
