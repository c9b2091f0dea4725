"""Every select of every form in the apps starts at 请选择, never at Django's "---------": each form
class found in the apps' modules is built and rendered as the pages render it (crispy) and as
Django renders it."""

import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.contrib.auth.models import User
from django.utils import translation

from projects.models import Project
from supervision.models import Flag, Notice, Severity
from tests import factories
from tests.projects.conftest import town  # noqa: F401  (a town with one person of every role)

APPS = ["core", "campaign", "projects", "supervision", "web"]


def form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined in the apps' modules (migrations aside)."""
    found = {}
    for app in APPS:
        package = importlib.import_module(app)
        for module_info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for name, obj in vars(module).items():
                if (inspect.isclass(obj) and issubclass(obj, forms.BaseForm)
                        and obj.__module__ == module.__name__ and not inspect.isabstract(obj)):
                    found[f"{obj.__module__}.{name}"] = obj
    return [found[key] for key in sorted(found)]


def _arguments(place, form_class) -> dict:
    """Keyword arguments for form_class, by the name of each parameter of its __init__, with
    choices to offer (querysets that are not empty)."""
    project = place.project
    known = {
        "unit": place.campaign.unit, "scope_unit": place.campaign.unit, "town": place.campaign.unit,
        "campaign": place.campaign, "project": project, "last_percent": Decimal("10"),
        "milestones": project.milestones.all(), "people": User.objects.all(),
        "leaders": User.objects.all(), "projects": Project.objects.all(),
        "drafts": Notice.objects.all(), "flags": Flag.objects.all(),
    }
    kwargs = {}
    for name, parameter in inspect.signature(form_class.__init__).parameters.items():
        if parameter.kind is not parameter.KEYWORD_ONLY:
            continue
        if name in known:
            kwargs[name] = known[name]
        elif parameter.default is parameter.empty:
            pytest.fail(f"{form_class.__qualname__} needs {name}=…: add a value for it in this test")
    return kwargs


@pytest.fixture
def choices_to_offer(town):  # noqa: F811
    factories.MilestoneFactory(project=town.project)
    Flag.objects.create(project=town.project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        details={"lag": "20"})
    return town


def test_the_apps_forms_are_found():
    names = {f.__name__ for f in form_classes()}
    assert {"ReportForm", "ObstacleForm", "CriticismForm", "ProjectSetupForm", "PersonForm",
            "WallLinkForm"} <= names


@pytest.mark.django_db
def test_no_select_of_any_form_starts_at_dashes(choices_to_offer):
    rendered = {}
    with translation.override("zh-hans"):
        for form_class in form_classes():
            form = form_class(**_arguments(choices_to_offer, form_class))
            html = render_crispy_form(form) + str(form)
            rendered[form_class.__qualname__] = html
    dashes = sorted(name for name, html in rendered.items() if "---------" in html)
    assert not dashes, f"forms with a “---------” choice: {dashes}"
    # The empty choice is there, in words: the project of a criticism, the unit of a person, the
    # category of an obstacle (a model field's choices), the leader of a project.
    for name in ("CriticismForm", "PersonForm", "ObstacleForm", "ProjectSetupForm"):
        assert '<option value="" selected>请选择</option>' in rendered[name], name
    # A filter's own empty choice is kept.
    assert '<option value="" selected>全部</option>' in rendered["OverviewFilterForm"]


@pytest.mark.django_db
def test_a_choice_gone_since_the_page_was_opened_is_said_in_words_on_every_form(choices_to_offer):
    """Found by the supervision group's walk: a project or draft gone from a list since the page
    was opened gave "选择一个有效的选项。 5 不在可用的选项中。" — an id the user never saw. Every
    choice field of every form, sent a value it does not offer, says to reload and choose again
    (a form's own wording, as the bulk issue's, is kept)."""
    checked, wrong = 0, {}
    with translation.override("zh-hans"):
        for form_class in form_classes():
            probe = form_class(**_arguments(choices_to_offer, form_class))
            fields = {name: f for name, f in probe.fields.items()
                      if isinstance(f, forms.ChoiceField | forms.ModelChoiceField)}
            if not fields:
                continue
            data = {name: ["999999"] if isinstance(f, forms.MultipleChoiceField
                                                  | forms.ModelMultipleChoiceField)
                    else "999999" for name, f in fields.items()}
            form = form_class(data=data, **_arguments(choices_to_offer, form_class))
            form.is_valid()
            for name in fields:
                for message in form.errors.get(name, []):
                    if "999999" in message or "不在可用的选项中" in message:
                        wrong[f"{form_class.__qualname__}.{name}"] = message
                    elif "刷新页面" in message:
                        checked += 1
    assert not wrong, wrong
    assert checked >= 10  # the project, person, unit, category… pickers of the apps' forms
