"""Forms of the supervision workbench (rendered with crispy-bootstrap5)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaign.forms import PersonChoiceField
from campaign.people import label_of
from core.dates import local_date
from core.textlimits import LONG_TEXT, SHORT_TEXT
from core.uploads import IMAGE_KINDS, KIND_OF_EXTENSION, check_document
from projects.forms import MAX_PHOTO_BYTES, MAX_PHOTOS, PHOTO_FORMATS, PhotosField, check_photo
from projects.models import Highlight, Project

from .models import Flag, HazardReview, Notice, Severity

#: Evidence a leader may attach to a response: photos (JPEG, PNG: they are stored as photos, without
#: their metadata, projects.forms.check_photo), scans and office documents, each checked by its
#: content (core.uploads), not only by its name.
EVIDENCE_EXTENSIONS = frozenset(ext for ext, kind in KIND_OF_EXTENSION.items()
                                if kind not in IMAGE_KINDS or kind in PHOTO_FORMATS)
MAX_EVIDENCE_FILES = 10
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


class DateInput(forms.DateInput):
    """An <input type=date>: its value must be ISO whatever the language, or the browser drops it
    (Chinese formats a date as 2026/12/02)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def project_label(project: Project) -> str:
    return f"{project.code} {project.name}"


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return project_label(obj)


class ProjectsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return project_label(obj)


# --- Overview ---------------------------------------------------------------------------------


class OverviewFilterForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("All"))] + list(Severity.choices))
    kind = forms.ChoiceField(label=_("Flag kind"), required=False,
                             choices=[("", _("All"))] + list(Flag.Kind.choices))
    level = forms.ChoiceField(label=_("Project level"), required=False,
                              choices=[("", _("All"))] + list(Project.Level.choices))
    leader = forms.ModelChoiceField(label=_("Leader"), required=False, queryset=None,
                                    empty_label=_("All"))

    def __init__(self, *args, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders if leaders is not None else \
            get_user_model().objects.none()
        self.fields["leader"].label_from_instance = label_of


class BulkIssueForm(forms.Form):
    notices = forms.ModelMultipleChoiceField(
        label=_("Draft notices"), queryset=Notice.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one draft notice to issue."),
            # Issued meanwhile (another tab, a colleague): say so, not "5 is not a valid choice".
            "invalid_choice": _("A ticked notice is no longer a draft (it was issued or removed "
                                "meanwhile): reload the page and tick again."),
        })
    respond_by = forms.DateField(label=_("Respond by"), required=False, widget=DateInput,
                                 help_text=_("Empty: the campaign's days to respond from today."))

    def __init__(self, *args, drafts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if drafts is not None:
            self.fields["notices"].queryset = drafts

    def clean_respond_by(self):
        # Checked here as well as by issue_notice, so the date is refused once, beside its field,
        # with the ticked drafts kept, rather than once per draft after the page is left.
        respond_by = self.cleaned_data.get("respond_by")
        if respond_by is not None and respond_by < local_date():
            raise ValidationError(_("The response date cannot be in the past."))
        return respond_by


# --- Notices ----------------------------------------------------------------------------------


class NoticeDraftForm(forms.Form):
    project = ProjectChoiceField(label=_("Project"), queryset=Project.objects.none())
    flags = forms.ModelMultipleChoiceField(label=_("Open flags"), required=False,
                                           queryset=Flag.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason"), max_length=SHORT_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))
    required_action = forms.CharField(label=_("Required action"), max_length=SHORT_TEXT,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, projects=None, flags=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects
        if flags is not None:
            self.fields["flags"].queryset = flags
        self.fields["flags"].label_from_instance = lambda f: (
            f"{f.project.code} · {f.get_kind_display()} · {f.get_severity_display()}")

    def clean(self):
        data = super().clean()
        project, flags = data.get("project"), data.get("flags") or []
        if project is not None and any(f.project_id != project.pk for f in flags):
            self.add_error("flags", _("Choose only flags of the chosen project."))
        return data


class IssueForm(forms.Form):
    respond_by = forms.DateField(label=_("Respond by"), required=False, widget=DateInput,
                                 help_text=_("Empty: the campaign's days to respond from today."))


class RespondForm(forms.Form):
    measures = forms.CharField(label=_("Measures taken"), max_length=LONG_TEXT,
                               widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(
        label=_("Evidence (photos, files)"), required=False,
        help_text=_("Up to %(count)s files: photos (JPEG or PNG, 10 MB each, shown as thumbnails), "
                    "PDF, Word, Excel or text (%(mb)s MB each).")
        % {"count": MAX_EVIDENCE_FILES, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Checked in the browser before sending as well (static/js/gongjian.js).
        self.fields["files"].widget.attrs.update({
            "data-max-bytes": MAX_EVIDENCE_BYTES, "data-max-count": MAX_EVIDENCE_FILES,
            "data-msg-too-big": _("Each file must be at most %(mb)s MB.")
            % {"mb": MAX_EVIDENCE_BYTES // (1024 * 1024)},
            "data-msg-too-many": _("Attach at most %(count)s files.") % {"count": MAX_EVIDENCE_FILES}})

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_EVIDENCE_FILES:
            raise ValidationError(_("Attach at most %(count)s files.") % {"count": MAX_EVIDENCE_FILES})
        errors = []
        photos = 0
        for f in files:
            if f.size > MAX_EVIDENCE_BYTES:
                errors.append(ValidationError(_("%(name)s is larger than %(mb)s MB.")
                              % {"name": f.name, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)}))
                continue
            try:
                if check_document(f, EVIDENCE_EXTENSIONS) in IMAGE_KINDS:
                    check_photo(f)  # the same rule as every photo that proves the work
                    photos += 1
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if photos > MAX_PHOTOS:
            errors.append(ValidationError(_("At most %(max)d photos at once; you chose %(count)d.")
                                          % {"max": MAX_PHOTOS, "count": photos}))
        if errors:
            raise ValidationError(errors)
        return files


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Why the response is returned"), max_length=SHORT_TEXT,
                              widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    comment = forms.CharField(label=_("Verification note"), required=False, max_length=SHORT_TEXT,
                              widget=forms.Textarea(attrs={"rows": 2}))


class NoticeEditForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=SHORT_TEXT,
                             widget=forms.Textarea(attrs={"rows": 4}))
    required_action = forms.CharField(label=_("Required action"), max_length=SHORT_TEXT,
                                      widget=forms.Textarea(attrs={"rows": 3}))


class UrgeForm(forms.Form):
    note = forms.CharField(label=_("Note to the leader"), max_length=SHORT_TEXT,
                           widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(forms.Form):
    """A step with nothing to type (acknowledge)."""


# --- Spot checks ------------------------------------------------------------------------------


class InspectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    planned_on = forms.DateField(label=_("Planned on"), widget=DateInput)
    projects = ProjectsChoiceField(label=_("Projects"), queryset=Project.objects.none(),
                                   widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["projects"].queryset = projects


class RandomDrawForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    planned_on = forms.DateField(label=_("Planned on"), widget=DateInput)
    sample_size = forms.IntegerField(label=_("Number of projects to draw"), min_value=1)
    weight_red = forms.BooleanField(label=_("Weight red projects (three times as likely)"),
                                    required=False)
    seed = forms.IntegerField(label=_("Seed"), required=False, min_value=1, max_value=2**53 - 1,
                              help_text=_("Leave empty for a new random seed; it is stored so anyone "
                                          "can redraw the same projects."))


class FindingForm(forms.Form):
    project = ProjectChoiceField(label=_("Project"), queryset=Project.objects.none())
    description = forms.CharField(label=_("Finding"), max_length=SHORT_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    rectify_by = forms.DateField(label=_("Rectify by"), widget=DateInput(),
                                 help_text=_("Within the campaign, not before the check."))
    photos = PhotosField(label=_("Photos of what was found"))

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects


class FindingNoticeForm(forms.Form):
    required_action = forms.CharField(label=_("Required action"), max_length=SHORT_TEXT,
                                      widget=forms.Textarea(attrs={"rows": 2}))


class HazardReviewForm(forms.Form):
    """The supervision group's 复核 of a major hazard's 整改完毕."""

    #: A choice to make reads as a verb (通过, 退回); the model's labels name a review's recorded
    #: state (已退回), as a list or the admin shows it.
    VERDICTS = [(HazardReview.Verdict.VERIFIED, _("Verify")),
                (HazardReview.Verdict.RETURNED, _("Return"))]

    verdict = forms.ChoiceField(label=_("Verdict"), choices=VERDICTS, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Review note"), required=False, max_length=SHORT_TEXT,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required when returned: what is still to be done."))
    photo = forms.FileField(label=_("Photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
                            help_text=_("JPEG or PNG, at most 10 MB."))

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            check_photo(upload)  # the report photos' checks: type by content, size, pixels
        return upload

    def clean(self):
        data = super().clean()
        if data.get("verdict") == HazardReview.Verdict.RETURNED and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the rectification is returned."))
        return data


# --- Criticism, highlights, bulletins ---------------------------------------------------------


class CriticismForm(forms.Form):
    project = ProjectChoiceField(label=_("Project"), queryset=Project.objects.none())
    person = PersonChoiceField(label=_("Person"), required=False,
                               queryset=get_user_model().objects.none(),
                               help_text=_("Empty: the project's leader."))
    reason = forms.CharField(label=_("Reason"), max_length=SHORT_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, projects=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects
        if people is not None:
            self.fields["person"].queryset = people


class HighlightForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Highlight.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=LONG_TEXT,
                           widget=forms.Textarea(attrs={"rows": 4}))
    project = ProjectChoiceField(label=_("Project"), required=False, queryset=Project.objects.none())
    person_name = forms.CharField(label=_("Person"), max_length=50, required=False)
    photo = forms.FileField(label=_("Photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={
                                "accept": "image/jpeg,image/png", "data-max-bytes": MAX_PHOTO_BYTES}),
                            help_text=_("JPEG or PNG, at most 10 MB."))

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects
        self.fields["photo"].widget.attrs["data-msg-too-big"] = _(
            "The photo is larger than %(mb)s MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            check_photo(upload)  # every photo's checks: type by content, size, pixels
        return upload


class BulletinForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), widget=DateInput)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Empty: the campaign's name and the period."))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after its start."))
        return data
