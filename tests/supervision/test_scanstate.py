"""The scan's watermark: the hourly scan skips a campaign only where a full evaluation would
change nothing; writes bump it on commit; the beat's batches leave the skippable campaigns out."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from campaign.models import Campaign
from projects.models import Project
from supervision.models import Notice, ScanState
from supervision.notices import urge_overdue_notices
from supervision.scan import campaign_batches, scan_all, scan_campaign, scan_campaigns, scan_project
from tests import factories

from .conftest import SHANGHAI, day, report

pytestmark = pytest.mark.django_db

#: Wednesday 2026-11-18, 09:13 local: not on the hour, two days before Friday's 18:00 deadline.
T0 = datetime.datetime(2026, 11, 18, 9, 13, tzinfo=SHANGHAI)


class Rollback(Exception):
    pass


def forced_scan_changes(campaign_id, now) -> bool:
    """Whether a full evaluation at now would change anything (its writes are rolled back)."""
    try:
        with transaction.atomic():
            changed = scan_campaign(campaign_id, now=now).changed
            raise Rollback
    except Rollback:
        return changed


def state(campaign) -> ScanState:
    return ScanState.objects.get(campaign=campaign)


@pytest.fixture
def busy_campaign(campaign):
    """A project for each answer that changes with the clock alone in the ten days after T0."""
    def project(**kwargs):
        return factories.ProjectFactory(campaign=campaign, **kwargs)

    # Fresh report on Monday: stale (plan read on as_of) after 7 days; its week's report is
    # missing at Friday 11-27 18:00.
    report(project(), "39", day(11, 16))
    # A milestone due Thursday: overdue from Friday, red after the grace days.
    milestone = project()
    factories.MilestoneFactory(project=milestone, due_date=day(11, 19),
                               planned_percent=Decimal("45"))
    report(milestone, "40", day(11, 17))
    # An obstacle due Saturday, a major hazard due Sunday, a notice to answer by Saturday.
    obstacle = project()
    report(obstacle, "40", day(11, 17))
    factories.ObstacleFactory(project=obstacle, due_date=day(11, 21),
                              raised_at=T0 - datetime.timedelta(days=8))
    hazard = project()
    report(hazard, "40", day(11, 17))
    factories.HazardFactory(check_record=factories.SafetyCheckFactory(
        project=hazard, checked_on=day(11, 10)), rectify_by=day(11, 22), level="major")
    noticed = project()
    report(noticed, "40", day(11, 17))
    Notice.objects.create(
        campaign=campaign, project=noticed, issued_to=noticed.leader, reason="r",
        required_action="a", status=Notice.Status.ISSUED, number="湖督〔2026〕1号", year=2026,
        sequence=1, respond_by=day(11, 21))
    # Yellow from the first scan (09:13): old enough for a notice at 09:13 seven days on.
    report(project(), "33", day(11, 17))
    # A report dated 30 hours after T0 (another server's clock, a back-office import): counts only
    # from its moment on.
    future = project()
    report(future, "20", day(11, 10))
    factories.ProgressReportFactory(project=future, percent=Decimal("40"),
                                    reported_at=T0 + datetime.timedelta(hours=30))
    return campaign


def test_a_skipped_campaign_is_one_a_full_evaluation_would_not_change(busy_campaign):
    """Every 47 minutes for ten days, as the hourly beat would: where the watermark says skip, a
    forced full evaluation at that moment changes nothing; elsewhere the scan runs and records."""
    scan_campaigns([busy_campaign.pk], now=T0, changed_only=True)
    skipped, changed = 0, 0
    moment = T0
    while moment < T0 + datetime.timedelta(days=10):
        moment += datetime.timedelta(minutes=47)
        if state(busy_campaign).skippable(moment):
            skipped += 1
            assert not forced_scan_changes(busy_campaign.pk, moment), (
                f"skipped at {moment:%Y-%m-%d %H:%M} but a full evaluation changes something")
        else:
            result = scan_campaigns([busy_campaign.pk], now=moment, changed_only=True)
            changed += result.changed
    steps = 10 * 24 * 60 // 47
    # The watermark does skip (most steps), and the clock alone did change answers many times.
    assert skipped > steps * 0.8
    assert changed >= 10


def test_a_commit_bumps_the_version_and_a_rollback_does_not(campaign,
                                                             django_capture_on_commit_callbacks):
    project = factories.ProjectFactory(campaign=campaign)
    scan_campaign(campaign.pk, now=T0)
    assert state(campaign).skippable(T0 + datetime.timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                factories.MilestoneFactory(project=project, due_date=day(11, 30))
                raise Rollback
        except Rollback:
            pass
    assert state(campaign).skippable(T0 + datetime.timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        factories.MilestoneFactory(project=project, due_date=day(11, 30))
    fresh = state(campaign)
    assert fresh.inputs_version == fresh.scanned_version + 1
    assert not fresh.skippable(T0 + datetime.timedelta(minutes=5))
    assert campaign_batches(now=T0 + datetime.timedelta(minutes=5), changed_only=True) == [
        [campaign.pk]]


def test_an_escalation_through_an_update_bumps_the_version(campaign,
                                                           django_capture_on_commit_callbacks):
    project = factories.ProjectFactory(campaign=campaign)
    Notice.objects.create(
        campaign=campaign, project=project, issued_to=project.leader, reason="r",
        required_action="a", status=Notice.Status.ISSUED, number="湖督〔2026〕1号", year=2026,
        sequence=1, respond_by=day(11, 10))
    scan_campaign(campaign.pk, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        counts = urge_overdue_notices(campaign, now=T0 + datetime.timedelta(minutes=1))
    assert counts["escalated"] == 1
    assert not state(campaign).skippable(T0 + datetime.timedelta(minutes=2))
    # ... and the flag the scan then finds is red: the escalation was an input.
    scan_campaigns([campaign.pk], now=T0 + datetime.timedelta(minutes=2), changed_only=True)
    assert project.flags.get(kind="notice_overdue").severity == "red"


def test_the_beat_leaves_out_the_campaigns_with_nothing_new(campaign):
    other = factories.CampaignFactory(unit=factories.UnitFactory(name="乙镇"))
    for c in (campaign, other):
        report(factories.ProjectFactory(campaign=c), "41", day(11, 17))
    never_scanned = factories.CampaignFactory(unit=factories.UnitFactory(name="丙镇"))
    scan_all(now=T0, campaign_ids=[campaign.pk, other.pk])
    later = T0 + datetime.timedelta(hours=1)
    ScanState.objects.filter(campaign=other).update(inputs_version=7)  # a write to other
    assert campaign_batches(now=later, changed_only=True) == [[other.pk, never_scanned.pk]]
    assert sorted(sum(campaign_batches(now=later), [])) == sorted(
        [campaign.pk, other.pk, never_scanned.pk])
    assert scan_all(now=later, changed_only=True).campaigns == 2
    assert campaign_batches(now=later, changed_only=True) == []
    # After midnight everything is evaluated again.
    assert len(campaign_batches(now=T0.replace(hour=0) + datetime.timedelta(days=1),
                                changed_only=True)[0]) == 3


def test_only_a_forward_full_scan_records(campaign):
    project = factories.ProjectFactory(campaign=campaign)
    scan_campaign(campaign.pk, now=T0)
    recorded = state(campaign)
    scan_campaign(campaign.pk, now=T0 - datetime.timedelta(days=3))  # an --as-of in the past
    scan_project(project.pk, now=T0 + datetime.timedelta(minutes=5))  # one project only
    again = state(campaign)
    assert (again.scanned_at, again.valid_until) == (recorded.scanned_at, recorded.valid_until)
    assert recorded.valid_until == datetime.datetime(2026, 11, 19, 0, 0, tzinfo=SHANGHAI)


def test_the_next_report_deadline_ends_the_validity(campaign):
    factories.ProjectFactory(campaign=campaign)
    friday_noon = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
    scan_campaign(campaign.pk, now=friday_noon)
    assert state(campaign).valid_until == friday_noon.replace(hour=18)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    assert campaign_batches(now=friday_noon, changed_only=True) == []
    assert Project.objects.count() == 1
