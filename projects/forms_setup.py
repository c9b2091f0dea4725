"""Forms of the campaign office's project setup: the project with its leader, its milestones
and its team (two formsets on the same page), and a suspension."""

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from campaign.forms import PersonChoiceField, people_queryset
from campaign.models import Unit

from .imports import half_width
from .models import Assignment, Milestone, Project
from .services import PROJECT_FIELDS, leader_choices

DATE = {"type": "date"}


def _helper(tag=False) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = tag
    helper.disable_csrf = True
    return helper


class ProjectSetupForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "planned_start": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "goal": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.campaign = campaign
        town = campaign.unit
        self.fields["leader"] = PersonChoiceField(
            label=_("responsible leader"),
            queryset=leader_choices(people_queryset(town), self.instance))
        self.fields["listed_by"].queryset = Unit.objects.filter(
            pk__in=[town.pk, *[u.pk for u in town.ancestors()]])
        if self.instance.pk is None or not self.instance.reports.exists():
            # A project already under way: how far it is now (services.record_baseline), so its
            # light compares the plan with the truth, not with 0 %.
            self.fields["baseline_percent"] = forms.DecimalField(
                label=_("Progress now (%)"), required=False, min_value=0, max_value=100,
                max_digits=4, decimal_places=1,
                help_text=_("For a project already under way: its progress today, kept as its "
                            "first report. Leave empty for a project not started."))
            self.fields["baseline_investment"] = forms.DecimalField(
                label=_("Investment done so far (10k yuan)"), required=False, min_value=0,
                max_digits=12, decimal_places=2)
        self.helper = _helper()

    def baseline(self) -> dict | None:
        """The progress typed for a project not yet reported, for save_project (None: none)."""
        percent = self.cleaned_data.get("baseline_percent")
        investment = self.cleaned_data.get("baseline_investment")
        if percent is None and investment is None:
            return None
        return {"percent": percent, "investment_done": investment}

    def clean_code(self):
        """The code written down one way, as the Excel import reads it (ＪＴ－１０ is JT-10), so
        one project is not entered twice under two widths."""
        return half_width(self.cleaned_data.get("code"))

    def validate_unique(self):
        pass  # the code's uniqueness is checked by the model's clean(), beside the field


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "due_date", "planned_percent"]
        widgets = {"due_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["user", "role", "unit"]

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        town = campaign.unit
        self.fields["user"] = PersonChoiceField(
            label=_("person"), queryset=people_queryset(town))
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=town.descendant_ids())
        self.fields["unit"].required = False


#: Empty rows offered below the filled ones: enough for most projects in one save (a project of
#: the article has four to six milestones); with JavaScript one shows at a time, with a button to
#: add the next (static/js/gongjian.js).
EMPTY_ROWS = 6

MilestoneFormSet = inlineformset_factory(Project, Milestone, form=MilestoneForm, extra=EMPTY_ROWS,
                                         can_delete=True)
class _TeamFormSetBase(BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        # Django's says "Please correct the duplicate data for user" (the field's code name).
        return _("A person is on the team twice.")


TeamFormSet = inlineformset_factory(Project, Assignment, form=AssignmentForm,
                                    formset=_TeamFormSetBase, extra=EMPTY_ROWS, can_delete=True)


def formset_rows(formset, keep_pk=True) -> list[dict]:
    """The filled, not deleted rows of a valid formset, as the service takes them."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        row = {k: v for k, v in data.items() if k not in ("DELETE", "id", "project")}
        if keep_pk and data.get("id") is not None:
            row["pk"] = data["id"].pk
        rows.append(row)
    return rows


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("reason for suspension"), widget=forms.Textarea(attrs={"rows": 3}))
    approved = forms.BooleanField(
        label=_("suspension approved"), required=False,
        help_text=_("Approved by the town leadership: the project keeps no light until it resumes."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    workbook = forms.FileField(label=_("Workbook (.xlsx)"),
                               widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
