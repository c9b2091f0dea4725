"""Scope is the town, for writing too: a campaign is written to by people of its own town (or of
a village or department inside it), never by a town office reading the county's campaign above
it, and never by an observer."""

import pytest

from campaign.access import may_administer, may_supervise, may_write_campaign
from campaign.models import Role, Unit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    county = Unit.objects.create(name="长乐市", kind=Unit.Kind.COUNTY)
    town = Unit.objects.create(name="湖南镇", kind=Unit.Kind.TOWN, parent=county)
    village = Unit.objects.create(name="湖南村", kind=Unit.Kind.VILLAGE, parent=town)
    return county, town, village


def person(role, unit):
    user = factories.UserFactory(roles=[role])
    user.profile.unit = unit
    user.profile.save()
    return user


def test_the_town_office_writes_to_its_own_campaign_and_not_to_the_countys(tree):
    county, town, _village = tree
    office = person(Role.TOWN_ADMIN, town)
    assert may_administer(office, factories.CampaignFactory(unit=town))
    assert not may_administer(office, factories.CampaignFactory(unit=county, name="县行动"))


def test_a_village_supervisor_supervises_the_towns_campaign_but_not_the_countys(tree):
    county, town, village = tree
    supervisor = person(Role.SUPERVISOR, village)
    assert may_supervise(supervisor, factories.CampaignFactory(unit=town))
    assert not may_supervise(supervisor, factories.CampaignFactory(unit=county, name="县行动"))


def test_a_county_observer_writes_nothing_not_even_at_the_county(tree):
    county, town, _village = tree
    observer = person(Role.OBSERVER, county)
    assert not may_write_campaign(observer, factories.CampaignFactory(unit=county, name="县行动"))
    assert not may_write_campaign(observer, factories.CampaignFactory(unit=town))


def test_another_towns_office_writes_nothing_of_ours(tree):
    county, town, _village = tree
    other = person(Role.TOWN_ADMIN, Unit.objects.create(name="潭头镇", kind=Unit.Kind.TOWN,
                                                        parent=county))
    assert not may_administer(other, factories.CampaignFactory(unit=town))
