"""Forms of the officials' web: the weekly report, obstacles, hazards, meetings and action items.

Errors are English msgids (translated to Chinese by the locale files) and shown beside their field
by crispy-bootstrap5; a bound form re-renders everything typed.
"""

import uuid
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.forms import PersonChoiceField
from campaign.models import Unit
from core.dates import local_date, plausible_range
from core.textlimits import LONG_TEXT, MINUTES_TEXT, SHORT_TEXT, limit_lengths
from core.uploads import check_image

from .models import ActionItem, Hazard, Meeting, Obstacle, Project

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 9
#: Pillow's format name → the extension the stored file gets (the uploaded name is not kept).
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def check_photo(upload) -> None:
    """One photo that proves the work: a JPEG or PNG by its content, within the size and pixel
    limits (core.uploads), at most MAX_PHOTO_BYTES; else a ValidationError naming it. It is then
    renamed: the uploaded name is neither trusted nor kept."""
    name = getattr(upload, "name", "")
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": name}, code="too_big")
    kind = check_image(upload, formats=set(PHOTO_FORMATS))
    upload.name = f"{uuid.uuid4().hex}.{PHOTO_FORMATS[kind]}"


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS JPEG or PNG images of at most MAX_PHOTO_BYTES each, checked by content
    (check_photo): the photos of a report, an obstacle, a hazard, a finding or a response, stored
    by projects.photos.store."""

    widget = MultipleFileInput

    def __init__(self, *, too_many=None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault("help_text", _("JPEG or PNG, at most 10 MB each and 9 at once."))
        super().__init__(**kwargs)
        self.too_many = too_many or _("At most %(max)d photos at once; you chose %(count)d.")
        # Checked in the browser before sending as well (static/js/gongjian.js).
        self.widget.attrs.update({"accept": "image/jpeg,image/png", "data-max-bytes": MAX_PHOTO_BYTES,
                                  "data-max-count": MAX_PHOTOS,
                                  "data-msg-too-big": _("Each photo must be at most 10 MB."),
                                  "data-msg-too-many": _("At most 9 photos at once.")})

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(self.too_many % {"max": MAX_PHOTOS, "count": len(files)},
                                  code="too_many")
        errors = []
        for upload in files:
            try:
                check_photo(super().clean(upload, initial))
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return files


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReportForm(forms.Form):
    """The weekly progress report (进度填报)."""

    percent = forms.DecimalField(
        label=_("Progress (%)"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Cumulative, 0 to 100."),
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "0.1", "inputmode": "decimal"}),
    )
    investment_done = forms.DecimalField(
        label=_("Investment done (10k yuan)"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Cumulative, in 10k yuan."),
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
    )
    work_done = forms.CharField(label=_("Work done this week"), max_length=LONG_TEXT,
                                widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(label=_("Next steps"), required=False, max_length=SHORT_TEXT,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    problems = forms.CharField(label=_("Problems"), required=False, max_length=SHORT_TEXT,
                               widget=forms.Textarea(attrs={"rows": 2}))
    needs_coordination = forms.CharField(label=_("Needs coordination"), required=False, max_length=SHORT_TEXT,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    decrease_reason = forms.CharField(
        label=_("Reason for lower progress"), required=False, max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the progress is lower than in the last report."),
    )
    photos = PhotosField(label=_("Site photos"),
                         help_text=_("JPEG or PNG, at most 10 MB each and 9 per report."),
                         too_many=_("At most %(max)d photos per report; you chose %(count)d."))

    def __init__(self, *args, last_percent: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_percent = last_percent
        if last_percent is not None:
            self.fields["percent"].widget.attrs["data-last-percent"] = str(last_percent)
            self.fields["percent"].help_text = _(
                "Cumulative, 0 to 100. Last report: %(last)s%%.") % {"last": last_percent}
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        percent = data.get("percent")
        if (self.last_percent is not None and percent is not None and percent < self.last_percent
                and not (data.get("decrease_reason") or "").strip()):
            self.add_error("decrease_reason", ValidationError(
                _("Progress is lower than the last report (%(last)s%%): please give the reason.")
                % {"last": self.last_percent}, code="decrease_reason"))
        return data


def responsible_units(town: Unit, keep: int | None = None):
    """Who can answer an obstacle of the town's projects: the town and the units under it (its
    villages, its own offices), and the departments and companies of the county and city above it;
    never another town's units. `keep` stays offered (an obstacle's unit, if it moved)."""
    above = [u.pk for u in town.ancestors()]
    scope = Q(pk__in=town.descendant_ids()) | Q(
        parent_id__in=above, kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.COMPANY])
    if keep:
        scope |= Q(pk=keep)
    return Unit.objects.filter(scope).order_by("kind", "name")


class ObstacleForm(forms.ModelForm):
    photos = PhotosField(label=_("Photos of the problem"))

    class Meta:
        model = Obstacle
        fields = ["title", "category", "description", "responsible_unit", "due_date", "status"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, town: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = responsible_units(
            town, keep=self.instance.responsible_unit_id)
        self.fields["status"].choices = [c for c in Obstacle.Status.choices
                                         if c[0] != Obstacle.Status.RESOLVED]
        if self.instance.pk is None:
            del self.fields["status"]
        else:
            del self.fields["photos"]  # photos come with the obstacle and with its resolution
        limit_lengths(self, {"description": LONG_TEXT})
        self.helper = _helper()

    def clean_due_date(self):
        """A new obstacle's deadline is today or later: one already past would turn the project
        red the moment it is saved (overdue beyond its grace) for a problem raised today."""
        due = self.cleaned_data["due_date"]
        # A date of year 1 is left to the service's plausibility check, which says so.
        if self.instance.pk is None and due is not None \
                and plausible_range()[0] <= due < local_date():
            raise forms.ValidationError(_("The deadline cannot be before today (the problem is "
                                          "raised today)."))
        return due


class ResolveObstacleForm(forms.Form):
    resolution = forms.CharField(label=_("How it was resolved"), max_length=LONG_TEXT,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    resolved_on = forms.DateField(label=_("Resolved on"), widget=DateInput())
    photos = PhotosField(label=_("Photos of the result"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class HazardForm(forms.Form):
    checked_on = forms.DateField(label=_("Found on the check of"), widget=DateInput())
    description = forms.CharField(label=_("Hazard"), max_length=SHORT_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.ChoiceField(label=_("Level"), choices=Hazard.Level.choices)
    rectify_by = forms.DateField(label=_("Rectify by"), widget=DateInput())
    photos = PhotosField(label=_("Photos of the hazard"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["checked_on"]
            del self.fields["photos"]  # photos come with the hazard and with its rectification
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        checked, due = data.get("checked_on"), data.get("rectify_by")
        if checked and due and due < checked:
            self.add_error("rectify_by", _("The rectification date cannot be before the check."))
        return data


class RectifyHazardForm(forms.Form):
    rectification = forms.CharField(label=_("What was done"), max_length=LONG_TEXT,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    rectified_on = forms.DateField(label=_("Rectified on"), widget=DateInput())
    photos = PhotosField(label=_("Photos after rectification"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "title", "held_on", "location", "projects", "summary"]
        widgets = {"held_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 4}),
                   "projects": forms.CheckboxSelectMultiple}

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = Project.objects.filter(campaign=campaign).order_by("code")
        limit_lengths(self, {"summary": MINUTES_TEXT})
        self.helper = _helper()


def _people():
    return (get_user_model().objects.filter(is_active=True)
            .select_related("profile__unit").order_by("profile__full_name", "username"))


class ActionItemForm(forms.ModelForm):
    owner = PersonChoiceField(label=_("Owner"), queryset=None)

    class Meta:
        model = ActionItem
        fields = ["description", "owner", "project", "due_date"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, campaign, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["project"].queryset = Project.objects.filter(campaign=campaign).order_by("code")
        limit_lengths(self, {"description": SHORT_TEXT})
        self.helper = _helper()


class CompleteActionItemForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReplanForm(forms.Form):
    """调整计划: a new planned end, each milestone's due date, and why (the campaign office)."""

    planned_end = forms.DateField(label=_("New planned end"), widget=DateInput())
    reason = forms.CharField(label=_("Reason for the change (approval, cause)"),
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project: Project, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones = list(milestones)
        self.fields["planned_end"].initial = project.planned_end
        for m in self.milestones:
            self.fields[f"milestone_{m.pk}"] = forms.DateField(
                label=_("Milestone “%(name)s” (%(percent)s%%) due") % {
                    "name": m.name, "percent": m.planned_percent},
                initial=m.due_date, widget=DateInput(),
                disabled=m.completed_on is not None,
                help_text=_("Completed: its date stays.") if m.completed_on else "")
        self.order_fields(["planned_end", *[f"milestone_{m.pk}" for m in self.milestones],
                           "reason"])
        self.helper = _helper()

    def milestone_dates(self) -> dict:
        return {m.pk: self.cleaned_data[f"milestone_{m.pk}"] for m in self.milestones
                if m.completed_on is None}
