"""Workbench fixtures: a campaign of 湖南镇 with people placed in its units, so the access rules
(which read each user's unit) let them see it; and an outsider of another town."""

import datetime

import pytest
from django.utils import timezone

from campaign.models import Role, Unit
from supervision import notices
from supervision.models import Flag, Notice, Severity
from tests import factories
from tests.factories import placed


@pytest.fixture
def town(campaign):
    return campaign.unit


@pytest.fixture
def supervisor(town):
    return placed(factories.UserFactory(username="dcz1", roles=[Role.SUPERVISOR]), town)


@pytest.fixture
def town_admin(town):
    return placed(factories.UserFactory(username="gjb1", roles=[Role.TOWN_ADMIN]), town)


@pytest.fixture
def leader(town):
    return placed(factories.UserFactory(username="leader1", roles=[Role.LEADER]), town)


@pytest.fixture
def other_leader(town):
    return placed(factories.UserFactory(username="leader2", roles=[Role.LEADER]), town)


@pytest.fixture
def project(campaign, leader):
    return factories.ProjectFactory(campaign=campaign, leader=leader, code="HN-01",
                                    name="主干道路工程")


@pytest.fixture
def team_member(project, town):
    user = placed(factories.UserFactory(username="cadre1", roles=[Role.TEAM_MEMBER]), town)
    factories.AssignmentFactory(project=project, user=user)
    return user


@pytest.fixture
def observer(town):
    county = Unit.objects.create(name="长乐市", kind=Unit.Kind.COUNTY)
    town.parent = county
    town.save(update_fields=["parent"])
    return placed(factories.UserFactory(username="xiaoneng1", roles=[Role.OBSERVER]), county)


@pytest.fixture
def outsider(db):
    """A supervisor of another town: sees nothing of ours."""
    other = Unit.objects.create(name="潭头镇", kind=Unit.Kind.TOWN)
    return placed(factories.UserFactory(username="outsider", roles=[Role.SUPERVISOR]), other)


@pytest.fixture
def red_flag(project):
    return Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                               opened_at=timezone.now() - datetime.timedelta(days=5),
                               details={"lag": "18.0"})


def make_notice(project, supervisor, status="issued", respond_by=None):
    """A notice driven through the real services to the given status."""
    notice = notices.create_draft_notice(project, (), reason="进度滞后18个百分点",
                                         required_action="三日内制定赶工计划", created_by=supervisor)
    if status == "draft":
        return notice
    notices.issue_notice(notice, supervisor, respond_by=respond_by)
    if status == "issued":
        return notice
    notices.acknowledge_notice(notice, project.leader)
    if status == "acknowledged":
        return notice
    notices.respond_to_notice(notice, project.leader, "已制定赶工计划，增加两个班组")
    if status == "responded":
        return notice
    notices.close_notice(notice, supervisor, "核查属实")
    assert notice.status == Notice.Status.CLOSED
    return notice


@pytest.fixture
def notice_factory():
    return make_notice


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English msgids; the Chinese catalogue is the lead's."""
    settings.LANGUAGE_CODE = "en"
    # The test client speaks plain HTTP; production settings (DEBUG off) redirect it to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
    from django.utils import translation

    with translation.override("en"):
        yield
