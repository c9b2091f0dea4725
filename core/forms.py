"""The one adapter from a service's refusal to a form: its ValidationError beside the fields."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


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
