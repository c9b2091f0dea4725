"""The review-driven scan ≡ a full re-evaluation, on PostgreSQL: 30 random campaigns of a few
projects each (random thresholds, report days, plans, reports — some dated ahead —, milestones,
obstacles, hazards, notices, re-plans, pauses), scanned hourly as the beat does (only the
projects due), with reports submitted through the service now and then; at several moments the
stored state (open flags with severities and details, lights, notices) must be exactly what a
forced full re-evaluation at the same moment leaves (run, read, rolled back)."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import transaction

from campaign.models import Campaign
from projects import plans
from projects.models import Obstacle, Project
from projects.services import submit_report
from supervision.models import Flag, Notice
from supervision.scan import scan_all
from tests import factories

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db

SEED = 18
CAMPAIGNS = 30
#: Monday 2026-11-16 00:00 local, walked hourly to Saturday 11-21 23:00: a report deadline of
#: every weekday, milestones and obstacles coming due, reports turning stale.
WALK_FROM = datetime.datetime(2026, 11, 16, 0, 0, tzinfo=SHANGHAI)
HOURS = 6 * 24
CHECK_EVERY = 11  # hours: checkpoints at every time of day


class Rollback(Exception):
    pass


def _day(rng, lo, hi) -> datetime.date:
    return WALK_FROM.date() + datetime.timedelta(days=rng.randint(lo, hi))


def _moment(rng, lo, hi) -> datetime.datetime:
    return datetime.datetime.combine(_day(rng, lo, hi), datetime.time(
        rng.randint(0, 23), rng.choice((0, 17, 45))), tzinfo=SHANGHAI)


def random_campaigns(rng, town_admin) -> list[Project]:
    projects = []
    for c in range(CAMPAIGNS):
        yellow = rng.randint(2, 10)
        campaign = factories.CampaignFactory(
            unit=factories.UnitFactory(name=f"镇{c}"), yellow_lag_points=yellow,
            red_lag_points=yellow + rng.randint(1, 12), milestone_grace_days=rng.randint(0, 7),
            escalate_after_days=rng.randint(1, 4), report_weekday=rng.randint(0, 6),
            report_due_time=datetime.time(rng.randint(8, 20), rng.choice((0, 30))),
            auto_issue_notices=rng.random() < 0.3,
            start_date=_day(rng, -60, -20))
        for _ in range(rng.randint(2, 5)):
            start = campaign.start_date + datetime.timedelta(days=rng.randint(-5, 10))
            project = factories.ProjectFactory(
                campaign=campaign, planned_start=start,
                planned_end=start + datetime.timedelta(days=rng.randint(30, 110)))
            for _ in range(rng.randint(0, 3)):
                factories.MilestoneFactory(
                    project=project, due_date=_day(rng, -20, 8),
                    planned_percent=Decimal(rng.randint(10, 90)),
                    completed_on=rng.choice((None, None, _day(rng, -20, 0))))
            percent = 0
            for at in sorted(_moment(rng, -30, 7) for _ in range(rng.randint(0, 6))):
                percent = min(100, percent + rng.randint(0, 25))
                factories.ProgressReportFactory(project=project, percent=Decimal(percent),
                                                reported_at=at)
            for _ in range(rng.randint(0, 2)):
                resolved = rng.choice((None, None, _day(rng, -3, 0)))
                factories.ObstacleFactory(
                    project=project, due_date=_day(rng, -12, 6), raised_at=_moment(rng, -20, 4),
                    status=Obstacle.Status.RESOLVED if resolved else Obstacle.Status.OPEN,
                    resolved_on=resolved)
            for _ in range(rng.randint(0, 2)):
                factories.HazardFactory(
                    check_record=factories.SafetyCheckFactory(project=project,
                                                              checked_on=_day(rng, -15, 3)),
                    rectify_by=_day(rng, -10, 6), level=rng.choice(("general", "major")),
                    rectified_on=rng.choice((None, None, _day(rng, -2, 0))))
            if rng.random() < 0.3:
                Notice.objects.create(
                    campaign=campaign, project=project, issued_to=project.leader, reason="r",
                    required_action="a", status=rng.choice((Notice.Status.ISSUED,
                                                            Notice.Status.ACKNOWLEDGED)),
                    number=f"湖督〔2026〕{project.pk}号", year=2026, sequence=project.pk,
                    respond_by=_day(rng, -6, 4),
                    escalated_at=rng.choice((None, _moment(rng, -2, 4))))
            if rng.random() < 0.1:
                end = project.planned_end + datetime.timedelta(days=rng.randint(5, 30))
                plans.replan(project, town_admin, reason="调整", planned_end=end, milestone_dates={
                    m.pk: min(max(m.due_date, project.planned_start), end)
                    for m in project.milestones.all()})
            roll = rng.random()
            if roll < 0.05:
                Project.objects.filter(pk=project.pk).update(status=Project.Status.COMPLETED)
            elif roll < 0.1:
                Project.objects.filter(pk=project.pk).update(
                    status=Project.Status.SUSPENDED, pause_reason="汛期", pause_approved=True)
            projects.append(project)
    return projects


def stored() -> dict:
    return {
        "flags": sorted(Flag.objects.filter(resolved_at__isnull=True).values_list(
            "project_id", "kind", "severity", "details")),
        "health": sorted(Project.objects.values_list("pk", "health")),
        "notices": sorted(Notice.objects.values_list("project_id", "status", "respond_by")),
    }


def full_reevaluation(now) -> tuple[dict, int]:
    """What a forced scan of every campaign at now stores (rolled back), and how many projects
    it found changed before their review moment."""
    try:
        with transaction.atomic():
            result = scan_all(now=now)
            state = stored()
            raise Rollback
    except Rollback:
        return state, result.early


def test_the_review_driven_scan_stores_what_a_full_reevaluation_does(postgres, town_admin):
    rng = random.Random(SEED)
    projects = random_campaigns(rng, town_admin)
    scan_all(now=WALK_FROM)  # the first scan: every project
    assessed = checks = 0
    for hour in range(1, HOURS):
        now = WALK_FROM + datetime.timedelta(hours=hour)
        if rng.random() < 0.25:  # a team reports (through the service: it makes the project due)
            project = rng.choice(projects)
            if project.status != Project.Status.COMPLETED:
                submit_report(project, project.leader, percent=Decimal(rng.randint(0, 99)),
                              investment_done=Decimal(1), work_done="施工",
                              decrease_reason="更正", reported_at=now - datetime.timedelta(
                                  minutes=rng.randint(1, 59)))
        assessed += scan_all(now=now, changed_only=True).projects
        if hour % CHECK_EVERY == 0:
            checks += 1
            expected, early = full_reevaluation(now)
            assert stored() == expected, f"differs from a full re-evaluation at {now}"
            assert early == 0
    assert Campaign.objects.count() == CAMPAIGNS and checks >= 12
    # The hourly scan assessed a small share of what scanning every project every hour would.
    assert assessed < len(projects) * HOURS * 0.15


def test_on_the_bench_data_the_review_driven_scan_is_a_full_reevaluation(postgres):
    """The bench's province (generate_scale_data, made as of today: greens, yellows behind plan
    and forecast late, reds with milestones weeks overdue, obstacles), smaller: hourly from now
    for twelve days — two report deadlines, a milestone's grace ending, reports turning stale —
    compared with a full re-evaluation every 17 hours."""
    from django.core.management import call_command
    from django.utils import timezone

    call_command("generate_scale_data", towns=6, projects_per_town=5, weeks=10, verbosity=0)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    scan_all(now=start)
    assessed = 0
    for hour in range(1, 12 * 24):
        now = start + datetime.timedelta(hours=hour)
        assessed += scan_all(now=now, changed_only=True).projects
        if hour % 17 == 0:
            expected, early = full_reevaluation(now)
            assert stored() == expected, f"differs from a full re-evaluation at {now}"
            assert early == 0
    assert 0 < assessed < 30 * 12 * 24 * 0.1
