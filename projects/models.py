"""What is being built and how far it is: projects, teams, milestones, reports, and the field work
around them (obstacles, safety, meetings, highlights)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import pagecache
from core.dates import local_date
from core.queue import enqueue_on_commit

from . import plan

#: The original plan is in force from the beginning of time (it is what a past date reads).
SINCE_EVER = datetime.date(1900, 1, 1)

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def _percent_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=4, decimal_places=1,
                               validators=PERCENT_VALIDATORS, **kwargs)


def _wan_yuan_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2,
                               validators=[MinValueValidator(Decimal("0"))], **kwargs)


class Project(models.Model):
    """A key project of the campaign: one leader, one team, reported on weekly."""

    class Level(models.TextChoices):
        CITY = "city", _("City level")
        COUNTY = "county", _("County level")
        TOWN = "town", _("Town level")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        SUSPENDED = "suspended", _("Suspended")

    class Health(models.TextChoices):
        GREEN = plan.Health.GREEN, _("Green")
        YELLOW = plan.Health.YELLOW, _("Yellow")
        RED = plan.Health.RED, _("Red")
        DONE = plan.Health.DONE, _("Done")
        PAUSED = plan.Health.PAUSED, _("Paused")

    # No index of its own: (campaign, health) and the unique (campaign, code) begin with it.
    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="projects",
                                 db_index=False)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("project name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    listed_by = models.ForeignKey("campaign.Unit", verbose_name=_("listed by"),
                                  on_delete=models.PROTECT, related_name="listed_projects")
    owner = models.CharField(_("project owner"), max_length=200)
    category = models.CharField(_("category"), max_length=50, blank=True)
    goal = models.TextField(_("campaign goal"))
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    planned_investment = _wan_yuan_field(_("planned investment (10k yuan)"), default=Decimal("0"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible leader"),
                               on_delete=models.PROTECT, related_name="led_projects")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.NOT_STARTED)
    pause_reason = models.TextField(_("reason for suspension"), blank=True)
    pause_approved = models.BooleanField(
        _("suspension approved"), default=False,
        help_text=_("A suspension with an approved reason keeps no light until the project resumes."),
    )
    paused_on = models.DateField(
        _("paused on"), null=True, blank=True,
        help_text=_("The day the project last went into an approved suspension: on resuming, its "
                    "planned end and the milestones not yet due then move by the pause's length."),
    )
    resumed_on = models.DateField(
        _("resumed on"), null=True, blank=True,
        help_text=_("The day the project last came out of an approved suspension: weekly reports "
                    "are owed again from then, not for the weeks it was paused."),
    )
    entered_on = models.DateField(
        _("entered on"), null=True, blank=True,
        help_text=_("The day the project was entered, when the campaign had begun: weekly "
                    "reports are owed from then, not for the weeks before it was set up."),
    )
    # Derived, kept current by the report service and the scan.
    progress = _percent_field(_("progress (%)"), default=Decimal("0"))
    investment_done = _wan_yuan_field(_("investment done (10k yuan)"), default=Decimal("0"))
    health = models.CharField(_("health"), max_length=10, choices=Health.choices,
                              default=Health.GREEN)
    last_reported_at = models.DateTimeField(_("last reported at"), null=True, blank=True)
    #: The next review moment (supervision.rules.next_change): the scan's answer for this project
    #: cannot change before it with no new input, so the hourly scan assesses only the projects
    #: whose moment has passed. NULL is due now: every write to what the rules read of the
    #: project sets it so (review_now), in the writer's transaction. Not indexed: it is written
    #: for every project each scan assesses and by every report, and with no index on it (and
    #: room left in each page, migration 0009) those updates are HOT — no index is rewritten —
    #: where the light does not change; the hourly "who is due" read scans the table instead
    #: (62–91 ms for 200,000 projects).
    review_at = models.DateTimeField(_("next review"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["health", "last_reported_at", "review_at"])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="project_code_unique_in_campaign"),
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=100),
                                   name="project_progress_0_100"),
            models.CheckConstraint(condition=Q(planned_end__gte=F("planned_start")),
                                   name="project_ends_after_start"),
            models.CheckConstraint(condition=Q(investment_done__gte=0) & Q(planned_investment__gte=0),
                                   name="project_investment_not_negative"),
        ]
        # No index on (campaign, health): every count of lights is a campaign's, which the
        # (campaign, code) constraint's index finds; and an index on the light made every change
        # of light a write of every index of the row (no HOT update): the scan's update of a
        # batch's lights and review moments took twice as long (107 against 52 ms for 10,000).

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        # Every way a project's status changes (the admin, a script) comes through here.
        update_fields = kwargs.get("update_fields")
        resumes = self._resumes_from_pause(update_fields)
        if resumes:
            self.resumed_on = local_date()
            if update_fields is not None:
                kwargs["update_fields"] = [*kwargs["update_fields"], "resumed_on"]
        elif self._enters_pause(update_fields):
            self.paused_on = local_date()
            if update_fields is not None:
                kwargs["update_fields"] = [*kwargs["update_fields"], "paused_on"]
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Its page decides access from its campaign, leader and team (core.pagecache.
            # project_cached): a save from anywhere drops what was cached under the campaign it
            # was read from and the one it is in now.
            pagecache.bump_campaigns([self.campaign_id, getattr(self, "_read_campaign_id", None)])
            self._read_campaign_id = self.campaign_id
            if resumes and self.paused_on:
                self.shift_plan_for_pause(self.paused_on, self.resumed_on)

    @classmethod
    def from_db(cls, db, field_names, values):
        project = super().from_db(db, field_names, values)
        project._read_campaign_id = project.__dict__.get("campaign_id")
        return project

    def delete(self, *args, **kwargs):
        pagecache.bump_campaigns([self.campaign_id, getattr(self, "_read_campaign_id", None)])
        return super().delete(*args, **kwargs)

    def shift_plan_for_pause(self, paused_on, resumed_on, user=None):
        """On resuming from a justified pause: the planned end, and the milestones not yet due when
        the pause began (due on or after paused_on, not completed), move by the pause's length
        (resumed_on − paused_on days), kept as a plan version (projects.plans tells the rest).
        None for a pause of no length."""
        days = (resumed_on - paused_on).days
        if days <= 0:
            return None
        milestones = list(Milestone.objects.select_for_update().filter(project=self))
        PlanVersion.keep_original(self, milestones)
        pauses = PlanVersion.pause_rows(self)
        # Where the plan stood when the pause began: it stands there until the project resumes.
        standing = plan.planned_percent(
            paused_on, self.planned_start, self.planned_end,
            [m.as_fact() for m in milestones] + PlanVersion.pause_facts(pauses))
        pauses += [{"pause": True, "due_date": day.isoformat(), "planned_percent": str(standing)}
                   for day in (paused_on, resumed_on)]
        shift = datetime.timedelta(days=days)
        moved = [m for m in milestones if m.due_date >= paused_on and m.completed_on is None]
        for m in moved:
            m.due_date += shift
        Milestone.objects.bulk_update(moved, ["due_date"])
        self.planned_end += shift
        Project.objects.filter(pk=self.pk).update(planned_end=self.planned_end)
        version = PlanVersion.record(
            self, milestones, pauses=pauses, kind=PlanVersion.Kind.PAUSE,
            in_force_from=resumed_on, user=user,
            reason=gettext("Justified pause from %(start)s to %(end)s (%(days)s days): "
                           "%(reason)s") % {"start": paused_on.isoformat(),
                                            "end": resumed_on.isoformat(), "days": days,
                                            "reason": self.pause_reason})
        # What the rules and the pages read changes: due for review, re-scanned (by the task's
        # name) once this commits, and the campaign's cached pages dropped.
        Project.review_now([self.pk])
        enqueue_on_commit("supervision.scan_project", self.pk)
        pagecache.bump_campaigns([self.campaign_id])
        return version

    def _enters_pause(self, update_fields) -> bool:
        """True when this save puts the project into a justified pause (it was not in one)."""
        if not self.is_paused_with_reason:
            return False
        if update_fields is not None and not {"status", "pause_reason", "pause_approved"} & set(
                update_fields):
            return False
        return self.pk is None or not Project.objects.filter(
            Project.paused_with_reason_q(), pk=self.pk).exists()

    def clean(self):
        """Field errors for what the constraints would refuse (the admin shows them beside the
        field, instead of naming a constraint), and for a suspension approved without a reason."""
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The planned end cannot be before the planned start.")
        if self.campaign_id and self.code and Project.objects.filter(
                campaign_id=self.campaign_id, code=self.code).exclude(pk=self.pk).exists():
            errors["code"] = _("Another project of this campaign already has the code "
                               "%(code)s.") % {"code": self.code}
        if self.status == self.Status.SUSPENDED and self.pause_approved \
                and not self.pause_reason.strip():
            errors["pause_reason"] = _("An approved suspension needs its reason.")
        if errors:
            raise ValidationError(errors)

    def _resumes_from_pause(self, update_fields) -> bool:
        """True when this save takes the project out of a justified pause (the stored row is
        paused with an approved reason, this one is not)."""
        if self.pk is None or self.is_paused_with_reason:
            return False
        if update_fields is not None and not {"status", "pause_reason", "pause_approved"} & set(
                update_fields):
            return False
        return Project.objects.filter(Project.paused_with_reason_q(), pk=self.pk).exists()

    @classmethod
    def review_now(cls, project_ids) -> None:
        """What the rules read of these projects changes with the current transaction: the next
        hourly scan assesses them again (their review moment is due). Called explicitly by every
        service that writes a project's inputs, and by the admin's (projects.admin.MarksProjectsDue);
        a write that goes around both (a script, raw SQL) is caught by the nightly full
        re-evaluation."""
        ids = [pk for pk in project_ids if pk is not None]
        if ids:
            cls.objects.filter(pk__in=ids).update(review_at=None)

    @classmethod
    def pause_is_justified(cls, status: str, pause_approved: bool, pause_reason: str) -> bool:
        """Suspended with an approved, written reason (正当理由): such a project keeps no light.
        The one statement of the rule; paused_with_reason_q is it in SQL (clean() refuses an
        approved pause whose reason is blank, so the two agree on stored rows)."""
        return status == cls.Status.SUSPENDED and pause_approved and bool(pause_reason.strip())

    @property
    def is_paused_with_reason(self) -> bool:
        return self.pause_is_justified(self.status, self.pause_approved, self.pause_reason)

    @classmethod
    def paused_with_reason_q(cls) -> Q:
        """is_paused_with_reason as a query condition (reminders and figures agree with the scan)."""
        return Q(status=cls.Status.SUSPENDED, pause_approved=True) & ~Q(pause_reason="")


class Assignment(models.Model):
    """A town or village cadre on a project's team (工作专班)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead cadre")
        MEMBER = "member", _("Member")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    unit = models.ForeignKey("campaign.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="assignments")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team assignment")
        verbose_name_plural = _("team assignments")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="assignment_once_per_project"),
        ]

    def __str__(self):
        return f"{self.project.code} · {self.user}"

    # Who is on the team decides who writes to the project (its page's buttons, cached under the
    # campaign's version by core.pagecache.project_cached): a change from anywhere drops it.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._bump()

    def delete(self, *args, **kwargs):
        self._bump()
        return super().delete(*args, **kwargs)

    def _bump(self):
        if pagecache.enabled():  # no query for the campaign when nothing is cached
            pagecache.bump_campaigns([self.project.campaign_id])


class PlanVersion(models.Model):
    """A version of a project's plan (its dates and milestones), kept when the plan changes: the
    original, one moved by a justified pause, or a re-plan (调整计划) by the campaign office, with
    who, when and why. The rules read the version in force on the date they assess (the one with
    the latest in_force_from on or before it); a project that never changed has no version and
    its plan is the project's own fields."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original plan")
        PAUSE = "pause", _("Moved by a justified pause")
        REPLAN = "replan", _("Re-planned")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="plan_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    in_force_from = models.DateField(_("in force from"))
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    #: [{"id", "name", "due_date" (ISO), "planned_percent" (str)}] of the milestones of this plan.
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("made by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="plan_version_unique"),
        ]

    def __str__(self):
        return f"{self.project_id} v{self.number}"

    @classmethod
    def record(cls, project, milestones, *, kind, in_force_from, reason, user,
               pauses=None) -> "PlanVersion":
        """Keep the project's plan as it is now as its next version: its milestones and the
        points of its justified pauses (by default those of the latest version)."""
        last = project.plan_versions.order_by("-number").first()
        rows = [{"id": m.pk, "name": m.name, "due_date": m.due_date.isoformat(),
                 "planned_percent": str(m.planned_percent)}
                for m in sorted(milestones, key=lambda m: (m.due_date, m.planned_percent, m.pk))]
        rows += cls.pause_rows(project) if pauses is None else pauses
        return cls.objects.create(
            project=project, number=(last.number + 1) if last else 1, kind=kind,
            in_force_from=in_force_from, planned_start=project.planned_start,
            planned_end=project.planned_end, milestones=rows, reason=reason, created_by=user,
            created_at=timezone.now())

    @classmethod
    def pause_rows(cls, project) -> list[dict]:
        """The pause points of the project's latest version (none without one)."""
        last = project.plan_versions.order_by("-number").first()
        return [dict(m) for m in last.milestones if m.get("pause")] if last else []

    @staticmethod
    def pause_facts(rows) -> list:
        """Pause points (JSON rows) as the plan's MilestoneFacts."""
        return [plan.MilestoneFact(datetime.date.fromisoformat(m["due_date"]),
                                   Decimal(m["planned_percent"]), pause=True)
                for m in rows if m.get("pause")]

    @classmethod
    def keep_original(cls, project, milestones) -> None:
        """Before a project's first change, keep its plan as version 1, in force since ever."""
        if not project.plan_versions.exists():
            cls.record(project, milestones, kind=cls.Kind.ORIGINAL, in_force_from=SINCE_EVER,
                       reason="", user=None)


class Milestone(models.Model):
    """A node (节点) of the plan: by due_date the project should be at planned_percent."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="milestones")
    name = models.CharField(_("name"), max_length=200)
    due_date = models.DateField(_("due date"))
    planned_percent = _percent_field(_("planned progress (%)"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "planned_percent"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_percent__gte=0) & Q(planned_percent__lte=100),
                                   name="milestone_percent_0_100"),
        ]
        indexes = [models.Index(fields=["due_date"], name="milestone_due",
                                condition=Q(completed_on__isnull=True))]

    def __str__(self):
        return self.name

    def clean(self):
        """A milestone lies within its project's planned dates (the plan curve runs between them)."""
        project = getattr(self, "project", None)  # unsaved in the admin's add form: still set
        if project is None or not self.due_date or not project.planned_start \
                or not project.planned_end or project.planned_end < project.planned_start:
            return  # the project's own dates are refused first
        if not project.planned_start <= self.due_date <= project.planned_end:
            raise ValidationError({"due_date": _(
                "The due date must be within the project's planned dates (%(start)s to %(end)s)."
            ) % {"start": project.planned_start, "end": project.planned_end}})

    def as_fact(self) -> plan.MilestoneFact:
        return plan.MilestoneFact(self.due_date, self.planned_percent, self.completed_on)


class ProgressReport(models.Model):
    """A weekly report (进度填报): cumulative percent and investment, what was done, what is next."""

    #: Not indexed alone: report_latest (below) begins with it.
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="reports", db_index=False)
    percent = _percent_field(_("progress (%)"))
    investment_done = _wan_yuan_field(_("investment done (10k yuan)"))
    work_done = models.TextField(_("work done"))
    next_steps = models.TextField(_("next steps"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    needs_coordination = models.TextField(_("needs coordination"), blank=True)
    decrease_reason = models.TextField(
        _("reason for lower progress"), blank=True,
        help_text=_("Required when the progress is lower than in the last report."),
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"),
                                    on_delete=models.PROTECT, related_name="progress_reports")
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100),
                                   name="report_percent_0_100"),
            models.CheckConstraint(condition=Q(investment_done__gte=0),
                                   name="report_investment_not_negative"),
        ]
        indexes = [
            # A project's reports newest first, in the order the pages and the scan read them
            # (ties by id), with the percent: the scan's latest 4 reports a project are read
            # from the index alone (an index-only scan: no table row fetched, no sort).
            models.Index(fields=["project", "-reported_at", "-id"], include=["percent"],
                         name="report_latest"),
            # Reports dated after a moment (normally none), asked for by range.
            models.Index(fields=["reported_at"], name="report_reported_at"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.percent}% @ {self.reported_at:%Y-%m-%d}"


def report_photo_path(instance, filename):
    """Kept for the migrations that name it; photos are filed by stored_photo_path."""
    return f"reports/{local_date():%Y/%m}/{filename}"


def stored_photo_path(instance, filename):
    """reports/2026/12/<uuid>-thumb.jpg: the folder of the photo's kind, then the month."""
    return f"{instance.PHOTO_FOLDER}/{local_date():%Y/%m}/{filename}"


class StoredPhoto(models.Model):
    """A photo that proves the work, as stored by projects.photos.store: the original re-encoded
    without metadata (no GPS, no camera), a screen-size copy and a thumbnail, and the capture time
    read from the camera before the metadata was stripped. Pages show the thumbnail, link to the
    screen size and offer the original only on request, each through a view that checks that the
    reader may read the photo's parent (URL_NAME, URL_NAME_thumb, URL_NAME_original).

    taken_before_period marks a photo taken before the period it was meant to prove (the
    reporting week it was submitted in, or a later start its parent gives): 非本期照片."""

    #: The folder of the stored files and the name of the screen-size view (the others add
    #: _thumb and _original to it).
    PHOTO_FOLDER = "photos"
    URL_NAME = ""

    image = models.ImageField(_("photo"), upload_to=stored_photo_path)
    screen = models.ImageField(_("screen-size copy"), upload_to=stored_photo_path, blank=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=stored_photo_path, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True,
                                    help_text=_("From the camera (EXIF), read before it is stripped."))
    taken_before_period = models.BooleanField(
        _("taken before the reporting week"), default=False,
        help_text=_("Taken before the period it was to prove (the reporting week it was submitted "
                    "in): not this period's photo."))

    SIZES = ("thumbnail", "screen", "image")

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self):
        return self.image.name

    def file_for(self, size: str):
        """The stored copy of that size; photos stored before the copies existed have only image."""
        copy = getattr(self, size) if size in self.SIZES else self.image
        return copy or self.image

    @property
    def thumbnail_url(self) -> str:
        return reverse(f"{self.URL_NAME}_thumb", args=[self.pk])

    @property
    def screen_url(self) -> str:
        return reverse(self.URL_NAME, args=[self.pk])

    @property
    def original_url(self) -> str:
        return reverse(f"{self.URL_NAME}_original", args=[self.pk])


class ReportPhoto(StoredPhoto):
    """A site photo of a weekly report."""

    PHOTO_FOLDER = "reports"
    URL_NAME = "report_photo"

    report = models.ForeignKey(ProgressReport, verbose_name=_("report"), on_delete=models.CASCADE,
                               related_name="photos")

    class Meta(StoredPhoto.Meta):
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")


class Obstacle(models.Model):
    """An item on the problem list (问题清单), with the unit that must answer it and by when."""

    class Category(models.TextChoices):
        APPROVALS = "approvals", _("Approvals")
        WATER_POWER = "water_power", _("Water and power supply")
        POLE_RELOCATION = "pole_relocation", _("Pole and line relocation")
        LAND = "land", _("Land acquisition and handover")
        FUNDING = "funding", _("Funding")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COORDINATING = "coordinating", _("Coordinating")
        RESOLVED = "resolved", _("Resolved")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="obstacles")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    responsible_unit = models.ForeignKey("campaign.Unit", verbose_name=_("responsible unit"),
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="obstacles")
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="raised_obstacles")
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        ordering = ["due_date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_on__isnull=False),
                name="obstacle_resolved_has_date",
            ),
        ]
        indexes = [models.Index(fields=["due_date"], name="obstacle_open_due",
                                condition=~Q(status="resolved"))]

    def __str__(self):
        return self.title


class SafetyCheck(models.Model):
    """A safety inspection of a project (一岗双责: who manages the work manages its safety)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="safety_checks")
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="safety_checks")
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("safety check")
        verbose_name_plural = _("safety checks")
        ordering = ["-checked_on"]

    def __str__(self):
        return f"{self.project.code} {self.checked_on}"


class Hazard(models.Model):
    """A safety hazard (安全隐患) found on a check, to be rectified by a date.

    The team's 整改完毕 closes a general hazard. A major (重大) one waits for the supervision
    group's 复核 (supervision.HazardReview): verified it is closed, returned it is being rectified
    again. `rectified_on` is the date of the team's latest 整改完毕 — set while awaiting review
    (the team met its date; the review is the supervision group's to do), cleared when returned."""

    class Level(models.TextChoices):
        GENERAL = "general", _("General")
        MAJOR = "major", _("Major")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("hazard status", "Being rectified")
        AWAITING_REVIEW = "awaiting_review", pgettext_lazy("hazard status", "Awaiting review")
        RECTIFIED = "rectified", pgettext_lazy("hazard status", "Rectified")

    check_record = models.ForeignKey(SafetyCheck, verbose_name=_("safety check"),
                                     on_delete=models.CASCADE, related_name="hazards")
    description = models.TextField(_("description"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices,
                             default=Level.GENERAL)
    rectify_by = models.DateField(_("rectify by"))
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    rectification = models.TextField(_("rectification"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    review_round = models.PositiveSmallIntegerField(
        _("review round"), default=0,
        help_text=_("How many times the team's rectification was put to review (one review each)."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety hazard")
        verbose_name_plural = _("safety hazards")
        ordering = ["rectify_by"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(rectified_on__isnull=False),
                name="hazard_rectified_has_date",
            ),
        ]
        indexes = [models.Index(fields=["rectify_by"], name="hazard_open_due",
                                condition=Q(rectified_on__isnull=True))]

    def __str__(self):
        return self.description[:40]

    @property
    def needs_review(self) -> bool:
        """A major hazard's 整改完毕 is checked by the supervision group before it closes."""
        return self.level == self.Level.MAJOR

    @property
    def was_returned(self) -> bool:
        """Being rectified again after a 复核 sent it back (every review of an open hazard was a
        return: a verified one closes it)."""
        return self.status == self.Status.OPEN and self.review_round > 0


class ObstaclePhoto(StoredPhoto):
    """A photo of an obstacle: of the problem when it is raised, of the solution when resolved."""

    class Stage(models.TextChoices):
        RAISED = "raised", _("Raised")
        RESOLVED = "resolved", _("Resolved")

    PHOTO_FOLDER = "obstacles"
    URL_NAME = "obstacle_photo"

    obstacle = models.ForeignKey(Obstacle, verbose_name=_("obstacle"), on_delete=models.CASCADE,
                                 related_name="photos")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.RAISED)

    class Meta(StoredPhoto.Meta):
        verbose_name = _("obstacle photo")
        verbose_name_plural = _("obstacle photos")


class HazardPhoto(StoredPhoto):
    """A photo of a safety hazard: as found (登记) and once rectified (整改)."""

    class Stage(models.TextChoices):
        FOUND = "found", _("Found")
        RECTIFIED = "rectified", _("Rectified")

    PHOTO_FOLDER = "hazards"
    URL_NAME = "hazard_photo"

    hazard = models.ForeignKey(Hazard, verbose_name=_("safety hazard"), on_delete=models.CASCADE,
                               related_name="photos")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.FOUND)

    class Meta(StoredPhoto.Meta):
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")


class Meeting(models.Model):
    """A special meeting (专题会) or site visit (现场调研) of the town leadership."""

    class Kind(models.TextChoices):
        SPECIAL_MEETING = "special_meeting", _("Special meeting")
        SITE_VISIT = "site_visit", _("Site visit")

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    chaired_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chaired by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="chaired_meetings")
    projects = models.ManyToManyField(Project, verbose_name=_("projects"), blank=True,
                                      related_name="meetings")
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on"]

    def __str__(self):
        return self.title


class ActionItem(models.Model):
    """A decision of a meeting with an owner and a due date (定人定时定责)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="action_items")
    project = models.ForeignKey(Project, verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="action_items")
    description = models.TextField(_("description"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="action_items")
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date"]

    def __str__(self):
        return self.description[:40]

    @property
    def done(self) -> bool:
        return self.done_on is not None


def highlight_photo_path(instance, filename):
    return f"highlights/{local_date():%Y/%m}/{filename}"


class Highlight(models.Model):
    """A good practice, an exemplary person or deed (宣传), for the bulletin."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Good practice")
        PERSON = "person", _("Exemplary person")
        DEED = "deed", _("Exemplary deed")

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="highlights")
    project = models.ForeignKey(Project, verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="highlights")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    person_name = models.CharField(_("person"), max_length=50, blank=True)
    photo = models.ImageField(_("photo"), upload_to=highlight_photo_path, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="highlights")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("highlight")
        verbose_name_plural = _("highlights")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
