"""Every write to a project goes through here, in a transaction."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pagecache
from core.dates import local_date
from core.queue import enqueue_on_commit

from . import photos as photo_copies
from .figures import report_period
from .models import (
    ActionItem,
    Hazard,
    Meeting,
    Milestone,
    Obstacle,
    ProgressReport,
    Project,
    ReportPhoto,
    SafetyCheck,
)


def _project_changed(project_id: int, campaign_id: int) -> None:
    """What the rules and the pages read of this project changes with the transaction: re-scan
    it once it commits (by the task's name: supervision sits above this layer) and drop the
    campaign's cached pages."""
    enqueue_on_commit("supervision.scan_project", project_id)
    pagecache.bump_campaigns([campaign_id])


def _not_after_today(field: str, day: datetime.date | None) -> None:
    """A close-out or check is recorded once it has happened: a date after today is a typo."""
    if day is not None and day > local_date():
        raise ValidationError({field: _("This date cannot be later than today.")})


@transaction.atomic
def submit_report(
    project: Project,
    user,
    *,
    percent: Decimal,
    investment_done: Decimal,
    work_done: str,
    next_steps: str = "",
    problems: str = "",
    needs_coordination: str = "",
    decrease_reason: str = "",
    photos=(),
    reported_at: datetime.datetime | None = None,
) -> ProgressReport:
    """Save a weekly report and bring the project's derived fields up to date.

    A percent lower than the last report needs a written reason. Milestones whose planned percent
    the report reaches are marked completed today; a correction below a milestone, or below 100 %
    for a completed project, takes that back. The project is re-scanned once this commits.
    """
    locked = Project.objects.select_for_update().get(pk=project.pk)
    reported_at = reported_at or timezone.now()
    last = locked.reports.order_by("-reported_at", "-pk").only("percent").first()
    if last is not None and percent < last.percent and not decrease_reason.strip():
        raise ValidationError({"decrease_reason": _(
            "Progress is lower than the last report (%(last)s%%): please give the reason."
        ) % {"last": last.percent}})

    report = ProgressReport.objects.create(
        project=locked, percent=percent, investment_done=investment_done, work_done=work_done,
        next_steps=next_steps, problems=problems, needs_coordination=needs_coordination,
        decrease_reason=decrease_reason, reported_by=user, reported_at=reported_at,
    )
    if photos:
        _store_photos(report, photos, report_period(project.campaign, local_date(reported_at))[0])

    report_day = local_date(reported_at)
    Milestone.objects.filter(project=locked, completed_on__isnull=True,
                             planned_percent__lte=percent).update(completed_on=report_day)
    # A correction below a milestone takes back what the mistaken figure met.
    Milestone.objects.filter(project=locked, completed_on__isnull=False,
                             planned_percent__gt=percent).update(completed_on=None)

    locked.progress = percent
    locked.investment_done = investment_done
    locked.last_reported_at = reported_at
    fields = ["progress", "investment_done", "last_reported_at"]
    if percent >= 100 and locked.status != Project.Status.COMPLETED:
        locked.status = Project.Status.COMPLETED
        fields.append("status")
    elif percent < 100 and locked.status == Project.Status.COMPLETED:
        # A correction of a mistaken 100 %: the project is not finished after all.
        locked.status = Project.Status.IN_PROGRESS
        fields.append("status")
    elif percent > 0 and locked.status == Project.Status.NOT_STARTED:
        locked.status = Project.Status.IN_PROGRESS
        fields.append("status")
    locked.save(update_fields=fields)

    _project_changed(locked.pk, locked.campaign_id)
    return report


def _store_photos(report: ProgressReport, uploads, period_start: datetime.date) -> None:
    """Each upload as three copies without metadata (projects.photos), with its capture time; a
    photo taken before the report's week (period_start) is marked as not this period's."""
    rows = []
    for upload in uploads:
        prepared = photo_copies.prepare(upload)
        photo = ReportPhoto(report=report, taken_at=prepared.taken_at, taken_before_period=(
            prepared.taken_at is not None and local_date(prepared.taken_at) < period_start))
        photo.image.save(prepared.original.name, prepared.original, save=False)
        photo.screen.save(prepared.screen.name, prepared.screen, save=False)
        photo.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
        rows.append(photo)
    ReportPhoto.objects.bulk_create(rows)


@transaction.atomic
def make_photo_copies(photo: ReportPhoto) -> bool:
    """A photo stored before the copies existed: its original re-encoded without metadata, its
    screen copy and thumbnail made, its capture time read. False when it already has them."""
    locked = ReportPhoto.objects.select_for_update().select_related("report__project__campaign").get(
        pk=photo.pk)
    if locked.thumbnail:
        return False
    with locked.image.open("rb") as handle:
        prepared = photo_copies.prepare(handle)
    old_name = locked.image.name
    report = locked.report
    period_start = report_period(report.project.campaign, local_date(report.reported_at))[0]
    locked.taken_at = prepared.taken_at
    locked.taken_before_period = (prepared.taken_at is not None
                                  and local_date(prepared.taken_at) < period_start)
    locked.image.save(prepared.original.name, prepared.original, save=False)
    locked.screen.save(prepared.screen.name, prepared.screen, save=False)
    locked.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
    locked.save(update_fields=["image", "screen", "thumbnail", "taken_at", "taken_before_period"])
    # The old file still carries the phone's metadata: gone once the new copies are committed.
    storage = locked.image.storage
    transaction.on_commit(lambda: storage.delete(old_name))
    pagecache.bump_campaigns([report.project.campaign_id])
    return True


# --- Obstacles (问题清单) --------------------------------------------------------------------------

OBSTACLE_FIELDS = ("title", "description", "category", "responsible_unit", "due_date")


@transaction.atomic
def record_obstacle(project: Project, user, **fields) -> Obstacle:
    """Put an obstacle on the project's problem list; the project is re-scanned on commit."""
    obstacle = Obstacle.objects.create(project=project, raised_by=user,
                                       **{k: fields[k] for k in OBSTACLE_FIELDS if k in fields})
    _project_changed(project.pk, project.campaign_id)
    return obstacle


@transaction.atomic
def update_obstacle(obstacle: Obstacle, user, *, status: str | None = None, **fields) -> Obstacle:
    """Change an open obstacle's description, unit, due date or status (open ↔ coordinating)."""
    if obstacle.status == Obstacle.Status.RESOLVED:
        raise ValidationError(_("This obstacle is resolved and can no longer be changed."))
    changed = [k for k in OBSTACLE_FIELDS if k in fields]
    for name in changed:
        setattr(obstacle, name, fields[name])
    if status is not None:
        if status == Obstacle.Status.RESOLVED:
            raise ValidationError(_("Use “resolve” to close an obstacle."))
        obstacle.status = status
        changed.append("status")
    obstacle.save(update_fields=changed or None)
    _project_changed(obstacle.project_id, obstacle.project.campaign_id)
    return obstacle


@transaction.atomic
def resolve_obstacle(obstacle: Obstacle, user, *, resolution: str,
                     resolved_on: datetime.date | None = None) -> Obstacle:
    """Close out (销号) an obstacle with how it was solved; only once."""
    if obstacle.status == Obstacle.Status.RESOLVED:
        raise ValidationError(_("This obstacle is already resolved."))
    _not_after_today("resolved_on", resolved_on)
    obstacle.status = Obstacle.Status.RESOLVED
    obstacle.resolution = resolution
    obstacle.resolved_on = resolved_on or local_date()
    obstacle.save(update_fields=["status", "resolution", "resolved_on"])
    _project_changed(obstacle.project_id, obstacle.project.campaign_id)
    return obstacle


# --- Safety hazards (安全隐患) ----------------------------------------------------------------------

@transaction.atomic
def record_hazard(project: Project, user, *, checked_on: datetime.date, description: str,
                  level: str, rectify_by: datetime.date, summary: str = "") -> Hazard:
    """A hazard found on a safety check; the check of that day by that person is reused."""
    _not_after_today("checked_on", checked_on)
    check, _created = SafetyCheck.objects.get_or_create(
        project=project, checked_on=checked_on, checked_by=user, defaults={"summary": summary})
    hazard = Hazard.objects.create(check_record=check, description=description, level=level,
                                   rectify_by=rectify_by)
    _project_changed(project.pk, project.campaign_id)
    return hazard


@transaction.atomic
def update_hazard(hazard: Hazard, user, **fields) -> Hazard:
    if hazard.rectified_on is not None:
        raise ValidationError(_("This hazard is rectified and can no longer be changed."))
    changed = [k for k in ("description", "level", "rectify_by") if k in fields]
    for name in changed:
        setattr(hazard, name, fields[name])
    hazard.save(update_fields=changed or None)
    _project_changed(hazard.check_record.project_id, hazard.check_record.project.campaign_id)
    return hazard


@transaction.atomic
def rectify_hazard(hazard: Hazard, user, *, rectification: str,
                   rectified_on: datetime.date | None = None) -> Hazard:
    """Close out (销号) a hazard with what was done; only once."""
    if hazard.rectified_on is not None:
        raise ValidationError(_("This hazard is already rectified."))
    _not_after_today("rectified_on", rectified_on)
    hazard.rectification = rectification
    hazard.rectified_on = rectified_on or local_date()
    hazard.save(update_fields=["rectification", "rectified_on"])
    _project_changed(hazard.check_record.project_id, hazard.check_record.project.campaign_id)
    return hazard


# --- Meetings and action items (专题会, 现场调研; 定人定时定责) ------------------------------------------

MEETING_FIELDS = ("kind", "title", "held_on", "location", "summary")


@transaction.atomic
def create_meeting(campaign, user, *, projects=(), **fields) -> Meeting:
    meeting = Meeting.objects.create(campaign=campaign, chaired_by=user,
                                     **{k: fields[k] for k in MEETING_FIELDS if k in fields})
    meeting.projects.set(projects)
    pagecache.bump_campaigns([campaign.pk])
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, user, *, projects=None, **fields) -> Meeting:
    changed = [k for k in MEETING_FIELDS if k in fields]
    for name in changed:
        setattr(meeting, name, fields[name])
    meeting.save(update_fields=changed or None)
    if projects is not None:
        meeting.projects.set(projects)
    pagecache.bump_campaigns([meeting.campaign_id])
    return meeting


@transaction.atomic
def add_action_item(meeting: Meeting, user, *, description: str, owner, due_date: datetime.date,
                    project: Project | None = None) -> ActionItem:
    if project is not None and project.campaign_id != meeting.campaign_id:
        raise ValidationError({"project": _("The project is not in this meeting's campaign.")})
    item = ActionItem.objects.create(meeting=meeting, project=project, description=description,
                                     owner=owner, due_date=due_date)
    pagecache.bump_campaigns([meeting.campaign_id])
    return item


@transaction.atomic
def update_action_item(item: ActionItem, user, **fields) -> ActionItem:
    if item.done_on is not None:
        raise ValidationError(_("This action item is done and can no longer be changed."))
    changed = [k for k in ("description", "owner", "due_date", "project") if k in fields]
    for name in changed:
        setattr(item, name, fields[name])
    item.save(update_fields=changed or None)
    pagecache.bump_campaigns([item.meeting.campaign_id])
    return item


@transaction.atomic
def complete_action_item(item: ActionItem, user, *, done_on: datetime.date | None = None) -> ActionItem:
    if item.done_on is not None:
        raise ValidationError(_("This action item is already done."))
    _not_after_today("done_on", done_on)
    item.done_on = done_on or local_date()
    item.save(update_fields=["done_on"])
    pagecache.bump_campaigns([item.meeting.campaign_id])
    return item
