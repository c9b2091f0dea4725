"""Forms of the campaign office's setup: a campaign, a person, a unit of the town. Errors are
shown beside their field by crispy-bootstrap5; a bound form re-renders everything typed."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Campaign, Unit
from .people import clean_phone, label_of
from .services import CAMPAIGN_FIELDS, OFFICE_ROLES, OFFICE_UNIT_KINDS


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "report_due_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.instance.unit = unit  # for the model's own checks
            if self.instance.pk is None:
                # The town's own: 湖南镇 湖督, 江田镇 江督 (never another town's).
                self.fields["notice_prefix"].initial = f"{unit.name[:1]}督"
        self.fields["webhook_url"].assume_scheme = "https"
        self.helper = _helper()


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("full name"), max_length=50)
    username = forms.RegexField(
        label=_("login name"), max_length=150, regex=r"^[\w.@+-]+$",
        help_text=_("Letters, digits and . @ + - _ only; used to sign in."),
        error_messages={"invalid": _("Use letters, digits and . @ + - _ only.")})
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("job title"), max_length=100, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    roles = forms.MultipleChoiceField(label=_("roles"), widget=forms.CheckboxSelectMultiple,
                                      choices=[(r.value, r.label) for r in OFFICE_ROLES])

    def __init__(self, *args, scope_unit: Unit, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            pk__in=scope_unit.descendant_ids()).order_by("kind", "name")
        self.fields["unit"].label_from_instance = lambda u: (
            u.name if u.pk == scope_unit.pk else f"{scope_unit.name} · {u.name}")
        if editing is not None:
            self.fields["username"].disabled = True
            self.fields["username"].required = False
        self.helper = _helper()

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class UnitForm(forms.Form):
    """A village (community), department or company of the town: its name and kind. The name's
    uniqueness in the town is the service's to say (campaign.services.create_unit)."""

    name = forms.CharField(label=_("name"), max_length=100,
                           help_text=_("As people call it, as in 湖南村 or 镇农业服务中心: the "
                                       "person form and the Excel import find the unit by it."))
    kind = forms.ChoiceField(label=_("kind"), widget=forms.RadioSelect,
                             choices=[(k.value, k.label) for k in OFFICE_UNIT_KINDS],
                             initial=Unit.Kind.VILLAGE.value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


def people_queryset(scope_unit: Unit, *, active_only=True):
    """The people of the office's town and of its villages and departments, with what their
    picker label shows (姓名（单位·职务）) read in the same query."""
    # Never an operator: an office that could reset a superuser's password would be one.
    qs = (get_user_model().objects.filter(profile__unit_id__in=scope_unit.descendant_ids(),
                                          is_superuser=False)
          .select_related("profile__unit").order_by("profile__full_name", "username"))
    return qs.filter(is_active=True) if active_only else qs


def search_people(qs, query: str):
    """People whose name, login name, unit, job title or phone contains the query."""
    query = query.strip()
    if not query:
        return qs
    return qs.filter(Q(profile__full_name__icontains=query) | Q(username__icontains=query)
                     | Q(profile__unit__name__icontains=query)
                     | Q(profile__title__icontains=query) | Q(profile__phone__icontains=query))


PICKER_HINT = _("Type a name, unit or job title to filter")


class PersonChoiceField(forms.ModelChoiceField):
    """A person picker: every option reads 姓名（单位·职务）, never a bare login name, and a box
    above it filters the options as one types (static/js/gongjian.js)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(attrs={"data-person-picker": PICKER_HINT}))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return label_of(obj)
