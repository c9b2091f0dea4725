"""One submission, one record: a one-time token issued with every create form (a hidden field,
``{% once_field %}``), consumed in the same transaction as the create.

The token is stored (unique) when the form is carried out, with where its result is; a second
submission of the same form — a double click, a resend, five at once — finds it and goes to the
first result instead of storing the thing again. Concurrent submissions wait on the unique
index until the first commits, then see its row. A form posted without a token (an old page)
is carried out as before.

It lives here rather than in core/ because it needs a table and core has no models; every app
with views sits above campaign/.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core.forms import add_service_errors

from .models import FormToken

FIELD = "once"


def new_token() -> str:
    return uuid.uuid4().hex


def token_of(request) -> str:
    """The token a posted form carries (kept when the form is shown again with errors)."""
    value = (request.POST.get(FIELD) or "").strip() if request.method == "POST" else ""
    return value[:64] if value else new_token()


@dataclass
class Outcome:
    result: object | None  # what the service returned; None for a repeated submission
    url: str
    repeated: bool


def submit(request, form, call: Callable[[], object], url_of: Callable[[object], str]) -> Outcome | None:
    """Carry out call() (a service) once per form token.

    The first submission: call() and the token's row in one transaction; Outcome(result, url).
    A repeat of a carried-out form: Outcome(None, url of the first result, repeated=True).
    A ValidationError of the service goes beside the form's fields and None is returned (the
    token is not used up, so the corrected form can be sent)."""
    token = (request.POST.get(FIELD) or "").strip()[:64]
    if not token:
        try:
            with transaction.atomic():
                result = call()
        except ValidationError as exc:
            add_service_errors(form, exc)
            return None
        return Outcome(result, url_of(result), False)
    earlier = _earlier(request.user, token)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            row = FormToken.objects.create(token=token, user=request.user)
            result = call()
            row.result_url = url_of(result)
            row.save(update_fields=["result_url"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    except IntegrityError:
        # Another request with this token committed first (it held the unique index meanwhile).
        earlier = _earlier(request.user, token)
        if earlier is None:  # a token of someone else's form: never issued to this user
            form.add_error(None, _("This form has expired; please open it again."))
        return earlier
    return Outcome(result, row.result_url, False)


def _earlier(user, token: str) -> Outcome | None:
    row = FormToken.objects.filter(token=token, user=user).first()
    return None if row is None else Outcome(None, row.result_url, True)


def respond(request, outcome: Outcome, message: str):
    """The redirect after a carried-out form: `message` the first time, and for a repeat a
    note that it had been saved already (nothing stored twice)."""
    if outcome.repeated:
        messages.info(request, _("This form had already been submitted; it was saved once, here it is."))
    else:
        messages.success(request, message)
    return redirect(outcome.url)
