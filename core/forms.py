"""Forms, site-wide: the one adapter from a service's refusal to a form (its ValidationError beside
the fields), and the form renderer that makes every select's empty choice read 请选择 and a
choice gone since the page was opened say so."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (the rest above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def apply_service(form: forms.Form, call: Callable[[], object]):
    """call() — a service — or None with its ValidationError put on the form."""
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


# --- 请选择, not "---------" ---------------------------------------------------------------------

#: What a select shows before anything is chosen.
PLEASE_CHOOSE = _("Please choose")
#: Django's own empty choice, of ModelChoiceField and of a model field's choices alike.
DJANGO_EMPTY_LABEL = BLANK_CHOICE_DASH[0][1]


def please_choose(field: forms.Field) -> None:
    """Show 请选择 where Django would show "---------" as a select's empty choice; an empty choice
    a form names itself (全部 on a filter) is kept."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = PLEASE_CHOOSE
    elif isinstance(field, forms.ChoiceField) and any(
            value == "" and label == DJANGO_EMPTY_LABEL for value, label in field.choices):
        field.choices = [(value, PLEASE_CHOOSE if value == "" and label == DJANGO_EMPTY_LABEL else label)
                         for value, label in field.choices]


#: A choice no longer offered: the page was opened before the list changed (a draft issued, a
#: project finished or removed by a colleague). Django's says "5 不在可用的选项中", an id the user
#: never saw.
STALE_CHOICE = _("A choice you made is no longer available (the list changed after the page was "
                 "opened): reload the page and choose again.")
_STALE_KEYS = ("invalid_choice", "invalid_pk_value")


def stale_choice_message(field: forms.Field) -> None:
    """Say STALE_CHOICE where a choice field would give Django's own message; a message a form
    words itself is kept."""
    if not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return
    defaults = {id(klass.__dict__.get("default_error_messages", {}).get(key))
                for klass in type(field).__mro__ for key in _STALE_KEYS}
    for key in _STALE_KEYS:
        if key in field.error_messages and id(field.error_messages[key]) in defaults:
            field.error_messages[key] = STALE_CHOICE


class PleaseChooseBoundField(BoundField):
    """A form field as rendered and as cleaned (Django binds every field before cleaning it): its
    select's empty choice reads 请选择, and a stale choice is said in words."""

    def __init__(self, form, field, name):
        please_choose(field)  # the form's own deep copy of the field
        stale_choice_message(field)
        super().__init__(form, field, name)


class FormRenderer(DjangoTemplates):
    """The site's form renderer (settings.FORM_RENDERER): Django's, with every form's fields bound
    as PleaseChooseBoundField — one place for every form of every app, crispy or not."""

    bound_field_class = PleaseChooseBoundField
