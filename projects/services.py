"""Every write to a project goes through here, in a transaction."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.access import may_supervise, roles_of
from campaign.models import Role
from campaign.people import name_of
from core import pagecache
from core.dates import check_plausible, local_date
from core.queue import enqueue_on_commit

from . import photos as photo_copies
from . import plan
from .models import (
    ActionItem,
    Assignment,
    Hazard,
    HazardPhoto,
    Meeting,
    Milestone,
    Obstacle,
    ObstaclePhoto,
    ProgressReport,
    Project,
    ReportPhoto,
    SafetyCheck,
)


def _project_changed(project_id: int, campaign_id: int) -> None:
    """What the rules and the pages read of this project changes with the transaction."""
    _projects_changed([(project_id, campaign_id)])


def _projects_changed(projects: list[tuple[int, int]]) -> None:
    """What the rules and the pages read of these (project, campaign) changes with the
    transaction: their review moment is due (one statement), each is re-scanned once this
    commits (by the task's name: supervision sits above this layer) and their campaigns' cached
    pages are dropped."""
    Project.review_now([pk for pk, _campaign_id in projects])
    for pk, _campaign_id in projects:
        enqueue_on_commit("supervision.scan_project", pk)
    pagecache.bump_campaigns({campaign_id for _pk, campaign_id in projects})


def inputs_changed(project_ids) -> None:
    """_projects_changed for a write that knows only the projects it touched (an operator's edit
    in the admin, which goes around the services: projects.admin.MarksProjectsDue)."""
    ids = {pk for pk in project_ids if pk is not None}
    if ids:
        _projects_changed(list(Project.objects.filter(pk__in=ids).values_list("pk", "campaign_id")))


def _not_after_today(field: str, day: datetime.date | None) -> None:
    """A close-out or check is recorded once it has happened: a date after today is a typo."""
    if day is not None and day > local_date():
        raise ValidationError({field: _("This date cannot be later than today.")})


def _not_before(field: str, day: datetime.date | None, first: datetime.date, message) -> None:
    """A close-out dated before the item existed is a typo."""
    if day is not None and day < first:
        raise ValidationError({field: message % {"day": first.isoformat()}})


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
        photo_copies.store(ReportPhoto, photos, report=report,
                           since=photo_copies.period_start(project.campaign, local_date(reported_at)))

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
    since = photo_copies.period_start(report.project.campaign, local_date(report.reported_at))
    locked.taken_at = prepared.taken_at
    locked.taken_before_period = photo_copies.taken_before(prepared.taken_at, since)
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
def record_obstacle(project: Project, user, *, photos=(), **fields) -> Obstacle:
    """Put an obstacle on the project's problem list, with photos of it; the project is re-scanned
    on commit."""
    check_plausible({"due_date": fields.get("due_date")})
    obstacle = Obstacle.objects.create(project=project, raised_by=user,
                                       **{k: fields[k] for k in OBSTACLE_FIELDS if k in fields})
    photo_copies.store(ObstaclePhoto, photos, obstacle=obstacle, stage=ObstaclePhoto.Stage.RAISED,
                       since=photo_copies.period_start(project.campaign, local_date()))
    _project_changed(project.pk, project.campaign_id)
    return obstacle


@transaction.atomic
def update_obstacle(obstacle: Obstacle, user, *, status: str | None = None, **fields) -> Obstacle:
    """Change an open obstacle's description, unit, due date or status (open ↔ coordinating)."""
    if obstacle.status == Obstacle.Status.RESOLVED:
        raise ValidationError(_("This obstacle is resolved and can no longer be changed."))
    check_plausible({"due_date": fields.get("due_date")})
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
                     resolved_on: datetime.date | None = None, photos=()) -> Obstacle:
    """Close out (销号) an obstacle with how it was solved and photos of it (one taken before the
    obstacle was raised is marked not this period's); only once — the row is locked and read
    again, so of concurrent 销号 one is carried out (one history row) and the others refused."""
    obstacle.status = Obstacle.objects.select_for_update().values_list(
        "status", flat=True).get(pk=obstacle.pk)
    if obstacle.status == Obstacle.Status.RESOLVED:
        raise ValidationError(_("This obstacle is already resolved."))
    _not_after_today("resolved_on", resolved_on)
    _not_before("resolved_on", resolved_on, local_date(obstacle.raised_at),
                _("An obstacle cannot be resolved before it was raised (%(day)s)."))
    obstacle.status = Obstacle.Status.RESOLVED
    obstacle.resolution = resolution
    obstacle.resolved_on = resolved_on or local_date()
    obstacle.save(update_fields=["status", "resolution", "resolved_on"])
    photo_copies.store(ObstaclePhoto, photos, obstacle=obstacle, stage=ObstaclePhoto.Stage.RESOLVED,
                       since=photo_copies.period_start(obstacle.project.campaign, local_date(),
                                                       not_before=local_date(obstacle.raised_at)))
    _project_changed(obstacle.project_id, obstacle.project.campaign_id)
    return obstacle


# --- Safety hazards (安全隐患) ----------------------------------------------------------------------

@transaction.atomic
def record_hazard(project: Project, user, *, checked_on: datetime.date, description: str,
                  level: str, rectify_by: datetime.date, summary: str = "", photos=()) -> Hazard:
    """A hazard found on a safety check, with photos of it; the check of that day by that person
    is reused."""
    _not_after_today("checked_on", checked_on)
    check_plausible({"checked_on": checked_on, "rectify_by": rectify_by})
    check, _created = SafetyCheck.objects.get_or_create(
        project=project, checked_on=checked_on, checked_by=user, defaults={"summary": summary})
    hazard = Hazard.objects.create(check_record=check, description=description, level=level,
                                   rectify_by=rectify_by)
    photo_copies.store(HazardPhoto, photos, hazard=hazard, stage=HazardPhoto.Stage.FOUND,
                       since=photo_copies.period_start(project.campaign, local_date()))
    _project_changed(project.pk, project.campaign_id)
    return hazard


@transaction.atomic
def update_hazard(hazard: Hazard, user, **fields) -> Hazard:
    """Change an open hazard. Lowering a major hazard to general would take its 整改完毕 past the
    supervision group's 复核: only the supervision group of the town may do that. The row is locked
    and its state read again, so an edit racing a 整改完毕 is refused."""
    hazard.status = Hazard.objects.select_for_update().values_list("status", flat=True).get(pk=hazard.pk)
    if hazard.status == Hazard.Status.AWAITING_REVIEW:
        raise ValidationError(_("This hazard's rectification is already awaiting review."))
    if hazard.status != Hazard.Status.OPEN:
        raise ValidationError(_("This hazard is rectified and can no longer be changed."))
    if (hazard.level == Hazard.Level.MAJOR and fields.get("level", hazard.level) != Hazard.Level.MAJOR
            and not may_supervise(user, hazard.check_record.project.campaign)):
        raise ValidationError({"level": _(
            "Only the supervision group can lower a major hazard to general.")})
    check_plausible({"rectify_by": fields.get("rectify_by")})
    changed = [k for k in ("description", "level", "rectify_by") if k in fields]
    for name in changed:
        setattr(hazard, name, fields[name])
    hazard.save(update_fields=changed or None)
    _project_changed(hazard.check_record.project_id, hazard.check_record.project.campaign_id)
    return hazard


@transaction.atomic
def rectify_hazard(hazard: Hazard, user, *, rectification: str,
                   rectified_on: datetime.date | None = None, photos=()) -> Hazard:
    """The team's 整改完毕, with what was done and photos of it (one taken before the hazard was
    found is marked not this period's): a general hazard is closed out (销号); a major one awaits
    the supervision group's 复核 (supervision.hazards), who are told once this commits.
    Only once per round: the row is locked and read again, so concurrent requests carry it out
    once and the others are refused."""
    hazard.status, hazard.review_round, hazard.level = Hazard.objects.select_for_update().values_list(
        "status", "review_round", "level").get(pk=hazard.pk)
    if hazard.status == Hazard.Status.AWAITING_REVIEW:
        raise ValidationError(_("This hazard's rectification is already awaiting review."))
    if hazard.status != Hazard.Status.OPEN:
        raise ValidationError(_("This hazard is already rectified."))
    _not_after_today("rectified_on", rectified_on)
    _not_before("rectified_on", rectified_on, hazard.check_record.checked_on,
                _("A hazard cannot be rectified before the check that found it (%(day)s)."))
    hazard.rectification = rectification
    hazard.rectified_on = rectified_on or local_date()
    if hazard.needs_review:
        hazard.status = Hazard.Status.AWAITING_REVIEW
        hazard.review_round += 1
        # By the task's name: the supervision group is told by the layer above this one.
        enqueue_on_commit("supervision.announce_hazard_review", hazard.pk)
    else:
        hazard.status = Hazard.Status.RECTIFIED
    hazard.save(update_fields=["rectification", "rectified_on", "status", "review_round"])
    photo_copies.store(HazardPhoto, photos, hazard=hazard, stage=HazardPhoto.Stage.RECTIFIED,
                       since=photo_copies.period_start(hazard.check_record.project.campaign, local_date(),
                                                       not_before=hazard.check_record.checked_on))
    _project_changed(hazard.check_record.project_id, hazard.check_record.project.campaign_id)
    return hazard


# --- Meetings and action items (专题会, 现场调研; 定人定时定责) ------------------------------------------

MEETING_FIELDS = ("kind", "title", "held_on", "location", "summary")


@transaction.atomic
def create_meeting(campaign, user, *, projects=(), **fields) -> Meeting:
    check_plausible({"held_on": fields.get("held_on")})
    meeting = Meeting.objects.create(campaign=campaign, chaired_by=user,
                                     **{k: fields[k] for k in MEETING_FIELDS if k in fields})
    meeting.projects.set(projects)
    pagecache.bump_campaigns([campaign.pk])
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, user, *, projects=None, **fields) -> Meeting:
    check_plausible({"held_on": fields.get("held_on")})
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
    check_plausible({"due_date": due_date})
    item = ActionItem.objects.create(meeting=meeting, project=project, description=description,
                                     owner=owner, due_date=due_date)
    pagecache.bump_campaigns([meeting.campaign_id])
    return item


@transaction.atomic
def update_action_item(item: ActionItem, user, **fields) -> ActionItem:
    if item.done_on is not None:
        raise ValidationError(_("This action item is done and can no longer be changed."))
    check_plausible({"due_date": fields.get("due_date")})
    changed = [k for k in ("description", "owner", "due_date", "project") if k in fields]
    for name in changed:
        setattr(item, name, fields[name])
    item.save(update_fields=changed or None)
    pagecache.bump_campaigns([item.meeting.campaign_id])
    return item


@transaction.atomic
def complete_action_item(item: ActionItem, user, *, done_on: datetime.date | None = None) -> ActionItem:
    item.done_on = ActionItem.objects.select_for_update().values_list(
        "done_on", flat=True).get(pk=item.pk)  # locked and read again: done once when concurrent
    if item.done_on is not None:
        raise ValidationError(_("This action item is already done."))
    _not_after_today("done_on", done_on)
    _not_before("done_on", done_on, item.meeting.held_on,
                _("An action item cannot be done before the meeting that set it (%(day)s)."))
    item.done_on = done_on or local_date()
    item.save(update_fields=["done_on"])
    pagecache.bump_campaigns([item.meeting.campaign_id])
    return item


# --- Setup by the campaign office (设置): projects, milestones, teams ------------------------------

PROJECT_FIELDS = ("code", "name", "level", "listed_by", "owner", "category", "goal",
                  "planned_start", "planned_end", "planned_investment", "leader")


def _check_people_of(campaign, people, field: str) -> None:
    """Leaders and team members are people of the campaign's town (or its villages and
    departments): another town's people are not offered, and not accepted either."""
    scope = campaign.unit.descendant_ids()
    for person in people:
        profile = getattr(person, "profile", None)
        if profile is None or profile.unit_id not in scope or not person.is_active:
            raise ValidationError({field: _("%(name)s is not a person of %(town)s.")
                                   % {"name": name_of(person), "town": campaign.unit.name}})


def leader_problem(person, *, project: Project | None = None, roles=None) -> str | None:
    """Why the person cannot be the leader (包项目领导) of the project, or None. A project is
    led by someone holding the leader role; the project's current leader stays acceptable even
    if their roles changed since it was given (saving the project must not need a new leader).

    The one rule for the setup form (which offers only such people), save_project and the Excel
    import: `project` is the project as it is (None for a new one); `roles`, the role code names
    the person is about to have (a person the import's people sheet adds or changes) instead of
    those they hold."""
    if project is not None and project.pk is not None and project.leader_id == person.pk:
        return None
    held = roles_of(person) if roles is None else {str(r) for r in roles}
    if Role.LEADER.value in held:
        return None
    return _("%(name)s does not have the project leader role: give it to them in Setup › People, "
             "or choose another leader.") % {"name": name_of(person)}


def leader_choices(people, project: Project | None = None):
    """Of `people` (a queryset of users), those the setup form offers as the project's leader:
    what leader_problem accepts."""
    current = project.leader_id if project is not None and project.pk is not None else None
    holds = people.model.groups.through.objects.filter(user_id=OuterRef("pk"),
                                                       group__name=Role.LEADER.value)
    return people.filter(Q(Exists(holds)) | Q(pk=current))


def _set_milestones(project: Project, rows) -> bool:
    """Make the project's milestones these rows ({"pk"?, name, due_date, planned_percent}):
    rows with a pk change that milestone (its completion kept), the others are added, and the
    milestones not listed are removed. True when anything changed."""
    existing = {m.pk: m for m in project.milestones.all()}
    problems = plan.milestone_problems(rows)
    if problems:
        raise ValidationError({"milestones": problems})
    changed, kept = False, set()
    for row in rows:
        milestone = existing.get(row.get("pk")) if row.get("pk") else None
        if milestone is None:
            milestone = Milestone(project=project)
        values = {"name": row["name"].strip(), "due_date": row["due_date"],
                  "planned_percent": row["planned_percent"]}
        if milestone.pk and all(getattr(milestone, k) == v for k, v in values.items()):
            kept.add(milestone.pk)
            continue
        for name, value in values.items():
            setattr(milestone, name, value)
        try:
            milestone.full_clean(exclude=["project"])
        except ValidationError as exc:
            raise ValidationError({"milestones": _("Milestone %(name)s: %(error)s") % {
                "name": values["name"], "error": " ".join(exc.messages)}}) from None
        milestone.save()
        kept.add(milestone.pk)
        changed = True
    gone = [pk for pk in existing if pk not in kept]
    if gone:
        for milestone in project.milestones.filter(pk__in=gone):
            milestone.delete()  # one by one: each removal is kept in the history
        changed = True
    return changed


def _set_team(project: Project, rows) -> bool:
    """Make the project's team these rows ({user, role, unit}), one row per person. True when
    anything changed."""
    users = [row["user"] for row in rows]
    if len({u.pk for u in users}) != len(users):
        raise ValidationError({"team": _("A person is on the team twice.")})
    _check_people_of(project.campaign, users, "team")
    existing = {a.user_id: a for a in project.assignments.all()}
    changed = False
    for row in rows:
        assignment = existing.pop(row["user"].pk, None)
        # A row without a unit (the import) keeps the one set before, else the person's own.
        unit = row.get("unit") or (assignment.unit if assignment is not None and "unit" not in row
                                   else None) or getattr(row["user"].profile, "unit", None)
        if assignment is not None and assignment.role == row["role"] \
                and assignment.unit_id == (unit.pk if unit else None):
            continue
        assignment = assignment or Assignment(project=project, user=row["user"])
        assignment.role, assignment.unit = row["role"], unit
        assignment.save()
        changed = True
    for assignment in existing.values():
        assignment.delete()
        changed = True
    return changed


@transaction.atomic
def save_project(campaign, user, *, project: Project | None = None, milestones=None, team=None,
                 baseline: dict | None = None, **fields) -> tuple[Project, bool]:
    """Create a project of the campaign, or change one, with its milestones and team (None
    leaves them as they are), and for a project not yet reported, its progress when entered
    (record_baseline). Returns (project, whether anything changed)."""
    if project is None:
        # Entered once the campaign has begun: reports are owed from today, not for the weeks
        # before it was set up (Campaign.reporting_window).
        today = local_date()
        project = Project(campaign=campaign,
                          entered_on=today if today > campaign.start_date else None)
    else:
        project = Project.objects.select_for_update().get(pk=project.pk, campaign=campaign)
    values = {k: fields[k] for k in PROJECT_FIELDS if k in fields}
    if "leader" in values:
        _check_people_of(campaign, [values["leader"]], "leader")
        if (problem := leader_problem(values["leader"], project=project)) is not None:
            raise ValidationError({"leader": problem})
    changed = project.pk is None or any(getattr(project, k) != v for k, v in values.items())
    for name, value in values.items():
        setattr(project, name, value)
    if changed:
        project.full_clean(exclude=["campaign"])
        project.save()
    if milestones is not None:
        changed |= _set_milestones(project, milestones)
    if team is not None:
        changed |= _set_team(project, team)
    if baseline is not None:
        changed |= record_baseline(project, user, **baseline) is not None
    if changed:
        _project_changed(project.pk, campaign.pk)
    return project, changed


def record_baseline(project: Project, user, *, percent: Decimal | None,
                    investment_done: Decimal | None = None) -> ProgressReport | None:
    """A project already under way when it is entered: how far it is (形象进度, 完成投资), as
    its first report — by whoever enters it, now — so the rules compare the plan with what is
    true rather than with 0 % (a project 30 % done went red the day it was entered). Only for a
    project with no report yet (afterwards the team reports, and corrections go through a
    report); it counts as the week's report, for its figures are this week's. None when there is
    nothing to record (no figures, or the project already has reports)."""
    if not percent and not investment_done:
        return None
    if project.reports.exists():
        return None
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the campaign's language
        work = _("Progress when the project was entered, by the campaign office; the team "
                 "reports every week from now on.")
    return submit_report(project, user, percent=percent or Decimal(0),
                         investment_done=investment_done or Decimal(0), work_done=work)


@transaction.atomic
def suspend_project(project: Project, user, *, reason: str, approved: bool) -> Project:
    """Suspend a project with its reason; an approved suspension keeps no light until it resumes
    (the approval and who gave it are kept in the history)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the suspension.")})
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status == Project.Status.COMPLETED:
        raise ValidationError(_("A completed project cannot be suspended."))
    locked.status, locked.pause_reason, locked.pause_approved = (
        Project.Status.SUSPENDED, reason.strip(), approved)
    locked.save(update_fields=["status", "pause_reason", "pause_approved"])
    _project_changed(locked.pk, locked.campaign_id)
    return locked


@transaction.atomic
def resume_project(project: Project, user) -> Project:
    """Take a suspended project back into the plan (weekly reports are owed again from today)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status != Project.Status.SUSPENDED:
        raise ValidationError(_("Only a suspended project can be resumed."))
    locked.status = Project.Status.IN_PROGRESS if locked.progress > 0 else Project.Status.NOT_STARTED
    locked.save(update_fields=["status"])
    _project_changed(locked.pk, locked.campaign_id)
    return locked


@transaction.atomic
def complete_project(project: Project, user) -> Project:
    """Mark a project completed (竣工)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status == Project.Status.COMPLETED:
        raise ValidationError(_("This project is already completed."))
    locked.status = Project.Status.COMPLETED
    locked.save(update_fields=["status"])
    _project_changed(locked.pk, locked.campaign_id)
    return locked
