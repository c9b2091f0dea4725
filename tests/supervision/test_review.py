"""The next review moment: the hourly scan leaves a project out only where a full evaluation
would change nothing; every write to a project's inputs through the services makes it due; the
beat's batches hold only the campaigns with projects due."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from campaign.models import Campaign
from projects import services as project_services
from projects.models import Project
from supervision import scan
from supervision.models import Flag, Notice
from supervision.notices import urge_overdue_notices
from supervision.scan import campaign_batches, scan_all, scan_campaign, scan_campaigns
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


def review_at(project):
    return Project.objects.values_list("review_at", flat=True).get(pk=project.pk)


def stored(campaign) -> dict:
    """What the scan stores of a campaign: its open flags, lights and notices."""
    return {
        "flags": sorted(Flag.objects.filter(project__campaign=campaign, resolved_at__isnull=True)
                        .values_list("project_id", "kind", "severity", "details")),
        "health": sorted(campaign.projects.values_list("pk", "health")),
        "notices": sorted(Notice.objects.filter(campaign=campaign)
                          .values_list("project_id", "status")),
    }


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


def test_a_project_left_out_is_one_a_full_evaluation_would_not_change(busy_campaign):
    """Every 47 minutes for ten days, as the hourly beat would: the scan of the projects due leaves
    the campaign exactly as a forced full evaluation at that moment would."""
    scan_campaigns([busy_campaign.pk], now=T0, changed_only=True)
    assessed = changed = steps = 0
    moment = T0
    while moment < T0 + datetime.timedelta(days=10):
        moment += datetime.timedelta(minutes=47)
        steps += 1
        result = scan_campaigns([busy_campaign.pk], now=moment, changed_only=True)
        assessed += result.projects
        changed += result.changed
        assert not forced_scan_changes(busy_campaign.pk, moment), (
            f"at {moment:%Y-%m-%d %H:%M} a full evaluation changes what the review left")
    everything = steps * busy_campaign.projects.count()
    # The review moments do leave projects out (most steps), and the clock alone did change
    # answers many times.
    assert assessed < everything * 0.1
    assert changed >= 10


def test_a_write_through_a_service_makes_the_project_due_and_a_rollback_does_not(campaign,
                                                                               town_admin):
    project = factories.ProjectFactory(campaign=campaign)
    report(project, "41", day(11, 17))  # on plan: green
    scan_campaign(campaign.pk, now=T0)
    assert review_at(project) > T0
    try:
        with transaction.atomic():
            project_services.record_obstacle(project, town_admin, title="征迁", description="d",
                                             category="land", responsible_unit=campaign.unit,
                                             due_date=day(11, 30))
            raise Rollback
    except Rollback:
        pass
    assert review_at(project) > T0
    assert campaign_batches(now=T0 + datetime.timedelta(minutes=5), changed_only=True) == []

    project_services.record_obstacle(project, town_admin, title="征迁", description="d",
                                     category="land", responsible_unit=campaign.unit,
                                     due_date=day(11, 30))
    assert review_at(project) is None
    assert campaign_batches(now=T0 + datetime.timedelta(minutes=5), changed_only=True) == [
        [campaign.pk]]
    # Assessed again: due once the obstacle is, the day after its date.
    scan_campaigns([campaign.pk], now=T0 + datetime.timedelta(minutes=5), changed_only=True)
    assert review_at(project) <= datetime.datetime(2026, 12, 1, tzinfo=SHANGHAI)


def test_a_change_of_the_campaign_makes_all_its_projects_due(campaign, town_admin):
    from campaign.services import update_campaign

    projects = [factories.ProjectFactory(campaign=campaign) for _ in range(3)]
    scan_campaign(campaign.pk, now=T0)
    update_campaign(campaign, town_admin, yellow_lag_points=3)
    assert [review_at(p) for p in projects] == [None] * 3


def test_an_escalation_makes_the_project_due(campaign):
    project = factories.ProjectFactory(campaign=campaign)
    Notice.objects.create(
        campaign=campaign, project=project, issued_to=project.leader, reason="r",
        required_action="a", status=Notice.Status.ISSUED, number="湖督〔2026〕1号", year=2026,
        sequence=1, respond_by=day(11, 10))
    scan_campaign(campaign.pk, now=T0)
    assert project.flags.get(kind="notice_overdue").severity == "red"  # 8 days > 3
    Flag.objects.all().delete()
    Project.objects.update(review_at=T0 + datetime.timedelta(days=1))
    counts = urge_overdue_notices(campaign, now=T0 + datetime.timedelta(minutes=1))
    assert counts["escalated"] == 1
    assert review_at(project) is None
    scan_campaigns([campaign.pk], now=T0 + datetime.timedelta(minutes=2), changed_only=True)
    assert project.flags.get(kind="notice_overdue").details["escalated"] is True


def test_the_beat_holds_only_the_campaigns_with_projects_due(campaign):
    other = factories.CampaignFactory(unit=factories.UnitFactory(name="乙镇"))
    for c in (campaign, other):
        report(factories.ProjectFactory(campaign=c), "41", day(11, 17))
    never_scanned = factories.CampaignFactory(unit=factories.UnitFactory(name="丙镇"))
    report(factories.ProjectFactory(campaign=never_scanned), "41", day(11, 17))
    scan_all(now=T0, campaign_ids=[campaign.pk, other.pk])
    later = T0 + datetime.timedelta(hours=1)
    Project.review_now(other.projects.values_list("pk", flat=True))  # a write to other
    assert campaign_batches(now=later, changed_only=True) == [[other.pk, never_scanned.pk]]
    assert sorted(sum(campaign_batches(now=later), [])) == sorted(
        [campaign.pk, other.pk, never_scanned.pk])
    assert scan_all(now=later, changed_only=True).projects == 2
    assert campaign_batches(now=later, changed_only=True) == []
    # The next morning, with nothing new and no date reached, nothing is due.
    assert campaign_batches(now=T0.replace(hour=7) + datetime.timedelta(days=1),
                            changed_only=True) == []


def test_the_next_report_deadline_is_the_review_moment_of_a_quiet_project(campaign):
    project = factories.ProjectFactory(campaign=campaign)
    report(project, "60", day(11, 19))
    friday_noon = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
    scan_campaign(campaign.pk, now=friday_noon)
    assert review_at(project) == friday_noon.replace(hour=18)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    assert campaign_batches(now=friday_noon.replace(hour=19), changed_only=True) == []


def test_a_yellow_light_is_reviewed_when_it_is_old_enough_for_a_notice(campaign):
    project = factories.ProjectFactory(campaign=campaign)
    report(project, "33", day(11, 17))  # about 9 behind: yellow
    scan_campaign(campaign.pk, now=T0)
    assert Project.objects.get(pk=project.pk).health == "yellow"
    assert review_at(project) <= T0 + datetime.timedelta(days=scan.YELLOW_NOTICE_DAYS)


def test_a_write_committed_while_the_scan_decides_keeps_the_project_due(postgres, campaign):
    """The scan stores a review moment only where the project's row is still the one it read:
    a writer that made it due meanwhile (committed between the scan's read and its write) is not
    overwritten by a moment computed without its write."""
    project = factories.ProjectFactory(campaign=campaign)
    other = factories.ProjectFactory(campaign=campaign)
    for p in (project, other):
        report(p, "41", day(11, 17))
    campaigns = {campaign.pk: Campaign.objects.get(pk=campaign.pk)}
    inputs = scan.read_inputs(campaigns, None, T0)
    decision = scan.decide(inputs, T0)
    with transaction.atomic():  # another transaction's write: a new row version
        Project.review_now([project.pk])
    scan.apply(decision, inputs, T0, scan.ScanResult())
    assert review_at(project) is None
    assert review_at(other) > T0


def test_a_write_around_the_services_is_caught_by_the_nightly_reevaluation(campaign, caplog):
    from projects.models import ProgressReport
    from supervision.tasks import reevaluate_campaigns_task

    project = factories.ProjectFactory(campaign=campaign)
    report(project, "41", day(11, 17))
    scan_campaign(campaign.pk, now=T0)
    assert Project.objects.get(pk=project.pk).health == "green"
    ProgressReport.objects.filter(project=project).update(percent=Decimal("5"))  # raw: no bump
    later = T0 + datetime.timedelta(hours=1)
    assert scan_all(now=later, changed_only=True).projects == 0
    assert Project.objects.get(pk=project.pk).health == "green"  # the hourly scan cannot know

    with caplog.at_level("INFO", logger="gongjian.scan"):
        assert reevaluate_campaigns_task([campaign.pk], later.isoformat()) == 1
    assert Project.objects.get(pk=project.pk).health == "red"
    [line] = [r for r in caplog.records if "re-evaluation" in r.getMessage()]
    assert line.levelname == "WARNING" and "early=1" in line.getMessage()
    assert "outputs_changed=0" not in line.getMessage()
    # Once caught, the next night finds nothing.
    caplog.clear()
    with caplog.at_level("INFO", logger="gongjian.scan"):
        assert reevaluate_campaigns_task([campaign.pk], (later + datetime.timedelta(
            minutes=1)).isoformat()) == 0
    [line] = [r for r in caplog.records if "re-evaluation" in r.getMessage()]
    assert line.levelname == "INFO" and "outputs_changed=0 early=0" in line.getMessage()


def test_a_done_project_waits_a_year_and_a_rescan_does_not_rewrite_it(campaign):
    project = factories.ProjectFactory(campaign=campaign, status=Project.Status.COMPLETED)
    scan_campaign(campaign.pk, now=T0)
    assert review_at(project) == T0 + scan.REVIEW_AT_THE_LATEST
    scan_campaign(campaign.pk, now=T0 + datetime.timedelta(hours=5))
    assert review_at(project) == T0 + scan.REVIEW_AT_THE_LATEST


def test_a_major_hazard_returned_on_review_makes_its_project_due(campaign, supervisor):
    from projects.models import Hazard
    from projects.services import rectify_hazard
    from supervision.hazards import review_hazard

    supervisor.profile.unit = campaign.unit  # the supervision group of the campaign's own town
    supervisor.profile.save()
    project = factories.ProjectFactory(campaign=campaign)
    hazard = factories.HazardFactory(check_record=factories.SafetyCheckFactory(
        project=project, checked_on=day(11, 10)), rectify_by=day(11, 12), level="major")
    rectify_hazard(hazard, project.leader, rectification="已整改", rectified_on=day(11, 11))
    assert Hazard.objects.get(pk=hazard.pk).status == Hazard.Status.AWAITING_REVIEW
    scan_campaign(campaign.pk, now=T0)
    assert review_at(project) is not None
    review_hazard(Hazard.objects.get(pk=hazard.pk), supervisor, verdict="returned",
                  note="未接地到位")
    assert review_at(project) is None
    scan_campaigns([campaign.pk], now=T0 + datetime.timedelta(minutes=5), changed_only=True)
    assert project.flags.get(kind="hazard_overdue", resolved_at__isnull=True).severity == "red"


def test_an_urging_leaves_the_review_moment_as_it_is(campaign):
    """The rules read a notice's deadline, state and escalation, not how often it was urged: the
    daily urging of an overdue notice does not make its project due every hour."""
    project = factories.ProjectFactory(campaign=campaign)
    Notice.objects.create(
        campaign=campaign, project=project, issued_to=project.leader, reason="r",
        required_action="a", status=Notice.Status.ISSUED, number="湖督〔2026〕1号", year=2026,
        sequence=1, respond_by=T0.date() - datetime.timedelta(days=1))
    moment = T0 + datetime.timedelta(days=1)
    Project.objects.update(review_at=moment)
    counts = urge_overdue_notices(campaign, now=T0 + datetime.timedelta(minutes=1))
    assert counts["urged"] == 1 and counts["escalated"] == 0
    assert review_at(project) == moment
