"""The campaign and the people: units in a tree, the hundred-day campaign and its rules, profiles."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core import pagecache
from core.dates import check_plausible
from core.webhooks import validate_webhook_url


class Role(models.TextChoices):
    """The Django groups of DESIGN.md: code names fixed, labels Chinese."""

    TOWN_ADMIN = "town_admin", _("Campaign office")
    LEADER = "leader", _("Project leader")
    TEAM_MEMBER = "team_member", _("Project team member")
    SUPERVISOR = "supervisor", _("Supervision group")
    OBSERVER = "observer", _("Higher-level supervision")


class Unit(models.Model):
    """An organisation in a tree: 福州市 › 长乐市 › 湖南镇 › villages; departments answer obstacles."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        TOWN = "town", _("Town")
        VILLAGE = "village", _("Village")
        DEPARTMENT = "department", _("Department")
        COMPANY = "company", _("Company")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_name_unique_in_parent"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """One name per parent, at the top of the tree too (the constraint lets two rows without
        a parent share a name, since NULLs are distinct)."""
        if self.name and Unit.objects.filter(parent_id=self.parent_id, name=self.name).exclude(
                pk=self.pk).exists():
            raise ValidationError({"name": _("There is already a unit called %(name)s here.")
                                   % {"name": self.name}})

    def ancestors(self) -> list["Unit"]:
        """This unit's parents, nearest first (a handful of rows: trees here are ≤ 6 deep)."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def descendant_ids(self) -> set[int]:
        """Ids of this unit and every unit below it, one query per level of the tree."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        return ids


class Campaign(models.Model):
    """A hundred-day campaign of one town, with the thresholds the lateness rules read."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", pgettext_lazy("campaign status", "Closed")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    unit = models.ForeignKey(Unit, verbose_name=_("town"), on_delete=models.PROTECT,
                             related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    notice_prefix = models.CharField(
        _("notice number prefix"), max_length=10,
        help_text=_("Printed before the year in notice numbers, as in 湖督〔2026〕12号."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PLANNING)
    declared_project_count = models.PositiveIntegerField(
        _("declared project count"), null=True, blank=True,
        help_text=_("The count announced; a mismatch with the real count is shown, not hidden."),
    )
    yellow_lag_points = models.PositiveSmallIntegerField(
        _("yellow at lag (points)"), default=5, validators=[MaxValueValidator(100)])
    red_lag_points = models.PositiveSmallIntegerField(
        _("red at lag (points)"), default=15, validators=[MaxValueValidator(100)])
    milestone_grace_days = models.PositiveSmallIntegerField(_("milestone grace days"), default=7)
    report_weekday = models.PositiveSmallIntegerField(
        _("weekly report day"), choices=Weekday.choices, default=Weekday.FRIDAY)
    report_due_time = models.TimeField(_("report due time"), default=datetime.time(18, 0))
    notice_response_days = models.PositiveSmallIntegerField(
        _("days to respond to a notice"), default=3, validators=[MinValueValidator(1)])
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate overdue notices after (days)"), default=3)
    auto_issue_notices = models.BooleanField(_("issue notices automatically"), default=False)
    webhook_url = models.URLField(
        _("group robot webhook"), blank=True, validators=[validate_webhook_url],
        help_text=_("Optional: notifications are also POSTed here as JSON (an https address of "
                    "a WeCom or DingTalk group robot)."),
    )
    issuing_body = models.CharField(
        _("issuing body"), max_length=100, blank=True,
        help_text=_("The 发文机关 that signs bulletins and notices, as in 湖南镇百日攻坚行动领导小组"
                    "办公室; the campaign's name when empty."),
    )
    issuing_short_name = models.CharField(
        _("issuing body's short name"), max_length=30, blank=True,
        help_text=_("Heads bulletins and names their files, as in 湖南镇百日攻坚 (湖南镇百日攻坚通报"
                    "第3期); the campaign's name when empty."),
    )
    recipients = models.CharField(
        _("main recipients"), max_length=300, blank=True,
        help_text=_("The 主送 line of a bulletin, as in 各挂钩领导，各村（社区），镇直各单位."),
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True,
                                      help_text=_("Printed on bulletins and notices as 联系人."))
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True,
                                     help_text=_("Printed on bulletins and notices as 电话."))
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                   name="campaign_ends_after_start"),
            models.CheckConstraint(condition=Q(red_lag_points__gte=models.F("yellow_lag_points")),
                                   name="campaign_red_not_below_yellow"),
        ]

    def __str__(self):
        return self.name

    # Its unit decides who reads its projects' pages (core.pagecache.project_cached): a save or a
    # delete from anywhere (the admin, a script) drops what was cached of them.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        pagecache.bump_campaigns([self.pk])

    def delete(self, *args, **kwargs):
        pagecache.bump_campaigns([self.pk])
        return super().delete(*args, **kwargs)

    def clean(self):
        """Field errors for what the constraints would refuse, beside the field in the admin."""
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        try:
            check_plausible({"start_date": self.start_date, "end_date": self.end_date})
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, messages)
        if self.yellow_lag_points is not None and self.red_lag_points is not None \
                and self.red_lag_points < self.yellow_lag_points:
            errors["red_lag_points"] = _("The red threshold cannot be below the yellow one "
                                         "(%(yellow)s points).") % {"yellow": self.yellow_lag_points}
        if errors:
            raise ValidationError(errors)

    @property
    def issuer(self) -> str:
        """The 发文机关 as signed, the campaign's name when none is set."""
        return self.issuing_body or self.name

    @property
    def issuer_short(self) -> str:
        """The short name that heads bulletins and names their files."""
        return self.issuing_short_name or self.name

    @property
    def length_days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def reporting_window(self, project_start: datetime.date, resumed_on: datetime.date | None = None,
                         entered_on: datetime.date | None = None
                         ) -> tuple[datetime.date, datetime.date]:
        """The dates between which a project starting on project_start owes weekly reports: from
        the later of the two starts, of the day it resumed after a justified pause (no report is
        owed for a week it was paused) and of the day it was entered (none for the weeks before
        it was in the app) to the campaign's end (the scan, the reminders, the ranking, 待办 and
        "My projects" all ask this)."""
        return (max(self.start_date, project_start, resumed_on or project_start,
                    entered_on or project_start), self.end_date)

    def day_number(self, as_of: datetime.date) -> int:
        """Day N of the campaign on as_of (1 on start_date), clamped to 0 before and length after."""
        return max(0, min(self.length_days, (as_of - self.start_date).days + 1))

    def days_left(self, as_of: datetime.date) -> int:
        """Days of the campaign after as_of; before it starts, all of them (never more)."""
        return min(self.length_days, max(0, (self.end_date - as_of).days))

    def days_to_start(self, as_of: datetime.date) -> int:
        """Days until the campaign starts; 0 once it has."""
        return max(0, (self.start_date - as_of).days)


class Profile(models.Model):
    """One per user: the name, unit, title and phone a town office knows people by."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                                on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(_("full name"), max_length=50)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="profiles")
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"), default=False,
        help_text=_("Set when the campaign office gives a temporary password: the person is sent "
                    "to change it at the next sign-in."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.full_name


class FormToken(models.Model):
    """A form submission that was carried out (campaign.once): its one-time token, unique, and
    where its result is, so a second submission of the same form goes there instead of storing
    the thing again; and the fingerprint of what was submitted, so the same content sent again
    from a form opened anew (Back, then submit: the reloaded form has a new token) goes there
    too."""

    token = models.CharField(_("form token"), max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(_("result address"), max_length=500, blank=True)
    used_at = models.DateTimeField(_("used at"), default=timezone.now, db_index=True)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("form token")
        indexes = [models.Index(fields=["user", "fingerprint", "used_at"],
                                name="form_token_same_content")]
        verbose_name_plural = _("form tokens")

    def __str__(self):
        return self.token
