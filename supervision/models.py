"""What is late and what is done about it: flags, notices, criticism, spot checks, bulletins,
notifications."""

import os

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.dates import local_date
from projects.models import StoredPhoto


class Severity(models.TextChoices):
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Flag(models.Model):
    """A warning (预警) raised by the scan; at most one open flag per project and kind.

    opened_at and resolved_at make the history of each light ("days in red" in the bulletin).
    """

    class Kind(models.TextChoices):
        BEHIND_PLAN = "behind_plan", _("Behind plan")
        MILESTONE_OVERDUE = "milestone_overdue", _("Milestone overdue")
        REPORT_MISSING = "report_missing", _("Weekly report missing")
        OBSTACLE_OVERDUE = "obstacle_overdue", _("Obstacle overdue")
        HAZARD_OVERDUE = "hazard_overdue", _("Safety hazard overdue")
        FINISH_AT_RISK = "finish_at_risk", _("Finish at risk")
        NOTICE_OVERDUE = "notice_overdue", _("Notice overdue")

    project = models.ForeignKey("projects.Project", verbose_name=_("project"),
                                on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], condition=Q(resolved_at__isnull=True),
                                    name="flag_one_open_per_project_kind"),
        ]
        indexes = [models.Index(fields=["resolved_at"], name="flag_resolved_at")]

    def __str__(self):
        return f"{self.project_id} {self.kind} {self.severity}"


class Notice(models.Model):
    """A supervision notice (督办单): draft → issued → acknowledged → responded → closed,
    or returned (back to acknowledged). Numbered per campaign and year when issued, with no gaps.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESPONDED = "responded", _("Responded")
        RETURNED = "returned", _("Returned")
        CLOSED = "closed", _("Closed")

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="notices")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    number = models.CharField(_("number"), max_length=40, null=True, blank=True)
    project = models.ForeignKey("projects.Project", verbose_name=_("project"),
                                on_delete=models.CASCADE, related_name="notices")
    flags = models.ManyToManyField(Flag, verbose_name=_("flags"), blank=True, related_name="notices")
    issued_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued to"),
                                  on_delete=models.PROTECT, related_name="notices_received")
    reason = models.TextField(_("reason"))
    #: The reason was written from the project's warnings (by the scan) and not edited since:
    #: issuing brings its figures up to date.
    auto_reason = models.BooleanField(_("reason from the warnings"), default=False)
    required_action = models.TextField(_("required action"))
    respond_by = models.DateField(_("respond by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="notices_created")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    last_urged_at = models.DateTimeField(_("last urged at"), null=True, blank=True)
    urge_count = models.PositiveSmallIntegerField(_("times urged"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="notice_number_unique_in_campaign"),
            models.UniqueConstraint(fields=["campaign", "year", "sequence"],
                                    name="notice_sequence_unique_in_campaign_year"),
            models.CheckConstraint(condition=Q(status="draft") | Q(number__isnull=False),
                                   name="notice_issued_has_number"),
        ]
        indexes = [models.Index(fields=["status", "respond_by"], name="notice_status_due")]

    def __str__(self):
        return self.number or _("Draft notice #%(pk)s") % {"pk": self.pk}

    AWAITING_RESPONSE = (Status.ISSUED, Status.ACKNOWLEDGED, Status.RETURNED)

    def is_overdue(self, as_of) -> bool:
        """Past respond_by (a local date) with no response yet."""
        return (self.status in self.AWAITING_RESPONSE and self.respond_by is not None
                and as_of > self.respond_by)


class NoticeCounter(models.Model):
    """The last number issued per campaign and year; bumped under a row lock so numbers have
    no gaps and no duplicates (a rolled-back issue rolls the counter back with it)."""

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE,
                                 related_name="notice_counters")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "year"], name="notice_counter_per_year"),
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.year}: {self.last}"


class NoticeEvent(models.Model):
    """One step of a notice's life, stamped with who and when (issue, urge, return, close…)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Drafted")
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESPONDED = "responded", _("Responded")
        RETURNED = "returned", _("Returned")
        CLOSED = "closed", _("Closed")
        URGED = "urged", _("Urged")
        ESCALATED = "escalated", _("Escalated")
        EDITED = "edited", _("Draft edited")

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE,
                               related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    #: The response date this step set (issuing, returning): with the steps' times, when the
    #: notice was overdue and for how long stays known after it is answered or given a new date
    #: (supervision.notices.standing).
    respond_by = models.DateField(_("respond by"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class NoticeResponse(models.Model):
    """The leader's rectification answer (整改反馈) with evidence."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE,
                               related_name="responses")
    measures = models.TextField(_("measures taken"))
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responded by"),
                                     on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(_("responded at"), default=timezone.now)

    class Meta:
        verbose_name = _("notice response")
        verbose_name_plural = _("notice responses")
        ordering = ["responded_at"]

    def __str__(self):
        return self.measures[:40]


def evidence_path(instance, filename):
    return f"evidence/{local_date():%Y/%m}/{filename}"


class Evidence(models.Model):
    response = models.ForeignKey(NoticeResponse, verbose_name=_("response"),
                                 on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    #: The name the file had on the leader's computer: shown and given back on download (the
    #: stored name gets a suffix when another file of that name is there: doc_e9XqXFQ.pdf).
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.original_name or os.path.basename(self.file.name)


class ResponsePhoto(StoredPhoto):
    """A photo given as evidence with a response: stored without metadata, shown as a thumbnail
    (a document stays an Evidence file)."""

    PHOTO_FOLDER = "evidence"
    URL_NAME = "response_photo"

    response = models.ForeignKey(NoticeResponse, verbose_name=_("response"),
                                 on_delete=models.CASCADE, related_name="photos")

    class Meta(StoredPhoto.Meta):
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")


class Criticism(models.Model):
    """A notice of criticism (通报批评) against a project and a person, for a bulletin."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="criticisms")
    project = models.ForeignKey("projects.Project", verbose_name=_("project"),
                                on_delete=models.CASCADE, related_name="criticisms")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                               on_delete=models.PROTECT, related_name="criticisms")
    notice = models.OneToOneField(Notice, verbose_name=_("from notice"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="criticism")
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    #: A withdrawn draft stays on the record (who withdrew it, when), never in a bulletin.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("withdrawn by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice of criticism")
        verbose_name_plural = _("notices of criticism")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.project} · {self.person}"


class SpotCheck(models.Model):
    """A scheduled inspection (定期检查) or a random spot check (不定期抽查).

    A random one stores its seed and sample size, so anyone can redraw it and get the same projects.
    """

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled inspection")
        RANDOM = "random", _("Random spot check")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("spot check status", "Planned")
        DONE = "done", _("Done")

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="spot_checks")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    planned_on = models.DateField(_("planned on"))
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    sample_size = models.PositiveSmallIntegerField(_("sample size"), null=True, blank=True)
    weight_red = models.BooleanField(_("weight red projects"), default=False)
    projects = models.ManyToManyField("projects.Project", verbose_name=_("projects"), blank=True,
                                      related_name="spot_checks")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-planned_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="scheduled") | (Q(seed__isnull=False) & Q(sample_size__isnull=False)),
                name="spotcheck_random_has_seed_and_size",
            ),
        ]

    def __str__(self):
        return self.title


class Finding(models.Model):
    spot_check = models.ForeignKey(SpotCheck, verbose_name=_("spot check"),
                                   on_delete=models.CASCADE, related_name="findings")
    project = models.ForeignKey("projects.Project", verbose_name=_("project"),
                                on_delete=models.CASCADE, related_name="findings")
    description = models.TextField(_("finding"))
    notice = models.OneToOneField(Notice, verbose_name=_("notice"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="finding")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    rectify_by = models.DateField(
        _("rectify by"), null=True, blank=True,
        help_text=_("The rectification deadline (整改时限): within the campaign, not before the check."))
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return self.description[:40]

    def is_overdue(self, as_of) -> bool:
        """Past its deadline (整改时限) and not confirmed rectified by as_of."""
        return (self.rectify_by is not None and self.rectify_by < as_of
                and (self.rectified_on is None or self.rectified_on > as_of))


def review_photo_path(instance, filename):
    return f"reviews/{local_date():%Y/%m}/{filename}"


class HazardReview(models.Model):
    """The supervision group's 复核 of a major hazard's 整改完毕: verified (通过, the hazard is
    closed) or returned (退回, back to 整改中 with the note). One per round of the hazard (a
    database constraint): of concurrent identical reviews one is stored. The photo is kept as
    projects.photos makes report photos (no metadata; screen size and thumbnail)."""

    class Verdict(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        RETURNED = "returned", _("Returned")

    hazard = models.ForeignKey("projects.Hazard", verbose_name=_("safety hazard"),
                               on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("review round"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    note = models.TextField(_("review note"), blank=True)
    rectification = models.TextField(_("rectification reviewed"), blank=True)
    rectified_on = models.DateField(_("rectified on (as reported)"), null=True, blank=True)
    photo = models.ImageField(_("photo"), upload_to=review_photo_path, blank=True)
    photo_screen = models.ImageField(_("screen-size copy"), upload_to=review_photo_path, blank=True)
    photo_thumbnail = models.ImageField(_("thumbnail"), upload_to=review_photo_path, blank=True)
    photo_taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    #: 非本期照片: taken before this period, or before the rectification it is to verify
    #: (projects.photos.taken_before, as every stored photo is marked).
    photo_taken_before_period = models.BooleanField(_("taken before the reporting week"), default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    SIZES = {"thumbnail": "photo_thumbnail", "screen": "photo_screen", "image": "photo"}

    class Meta:
        verbose_name = _("hazard review")
        verbose_name_plural = _("hazard reviews")
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hazard", "round"], name="hazardreview_once_per_round"),
            models.CheckConstraint(condition=Q(verdict="verified") | ~Q(note=""),
                                   name="hazardreview_returned_has_note"),
        ]

    def __str__(self):
        return f"{self.hazard_id} #{self.round} {self.verdict}"

    def file_for(self, size: str):
        return getattr(self, self.SIZES.get(size, "photo")) or self.photo


class FindingPhoto(StoredPhoto):
    """A photo of what a spot check found."""

    PHOTO_FOLDER = "findings"
    URL_NAME = "finding_photo"

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE,
                                related_name="photos")

    class Meta(StoredPhoto.Meta):
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")


class Bulletin(models.Model):
    """A bulletin (通报) for a period: a frozen snapshot of the figures taken when generated."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.CASCADE, related_name="bulletins")
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    issue_number = models.PositiveIntegerField(
        _("issue number"), null=True, blank=True, editable=False,
        help_text=_("第N期: given at publication, per campaign, without gaps."))
    snapshot = models.JSONField(_("snapshot"), default=dict)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    criticisms = models.ManyToManyField(Criticism, verbose_name=_("criticism"), blank=True,
                                        related_name="bulletins")
    highlights = models.ManyToManyField("projects.Highlight", verbose_name=_("highlights"),
                                        blank=True, related_name="bulletins")

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "period_start", "period_end"],
                                    name="bulletin_one_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="bulletin_period_ordered"),
            models.UniqueConstraint(fields=["campaign", "issue_number"],
                                    name="bulletin_issue_number_unique_in_campaign"),
            models.CheckConstraint(
                condition=Q(status="draft", issue_number__isnull=True)
                | Q(status="published", issue_number__isnull=False),
                name="bulletin_published_has_issue_number"),
        ]

    def __str__(self):
        return self.title


class Notification(models.Model):
    """An in-app message to one user; e-mail and webhook deliveries hang off it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="notifications")
    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("campaign"), null=True,
                                 blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(
        _("dedupe key"), max_length=200, blank=True,
        help_text=_("The same key for the same user is sent once (a reminder re-run sends nothing)."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="notification_once_per_key"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_unread",
                                condition=Q(read_at__isnull=True))]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """One channel's delivery of a notification: an outbox row, claimed and sent once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(Notification, verbose_name=_("notification"),
                                     on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A claim older than the task time limit belongs to a worker that died: it may be taken again.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["next_attempt_at"], name="delivery_due",
                                condition=Q(status__in=["pending", "sending"]))]

    def __str__(self):
        return f"{self.channel} {self.status}"
