"""One submission, one record: a one-time token issued with every create form (a hidden field,
``{% once_field %}``), consumed in the same transaction as the create.

The token is stored (unique) when the form is carried out, with where its result is; a second
submission of the same form — a double click, a resend, five at once — finds it and goes to the
first result instead of storing the thing again. Concurrent submissions wait on the unique
index until the first commits, then see its row. A form posted without a token (an old page)
is carried out as before.

A token is new each time the form is opened, and a browser's Back reloads a signed-in page (they
are not cached: Cache-Control no-store) with the fields as typed: submitting that again would store
the thing twice under a new token. So each carried-out form also keeps a fingerprint of what was
sent (the address, every field but the tokens, each file's name and size); the same user sending
the same content to the same address within REPEAT_WINDOW is that submission again.

It lives here rather than in core/ because it needs a table and core has no models; every app
with views sits above campaign/.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import add_service_errors

from .models import FormToken

FIELD = "once"
#: The same content sent again within this time is the same submission (see above).
REPEAT_WINDOW = datetime.timedelta(minutes=30)
#: The tokens: fields that differ between two openings of one form, whatever was typed.
NOT_TYPED = frozenset({FIELD, "csrfmiddlewaretoken"})


def typed(post):
    """(name, values) of what the user typed into a form: its fields but the tokens and the
    passwords (shown back on the CSRF page, kept across a sign-in — never those)."""
    return [(name, values) for name, values in post.lists()
            if name not in NOT_TYPED and "password" not in name]


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
    fingerprint = _fingerprint(request)
    earlier = _same_content(request.user, fingerprint)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            row = FormToken.objects.create(token=token, user=request.user, fingerprint=fingerprint)
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


def _fingerprint(request) -> str:
    """What a posted form says, whatever its tokens: its address, every other field's values
    and each file's field, name and size."""
    digest = hashlib.sha256(request.path.encode())
    for key in sorted(set(request.POST) - NOT_TYPED):
        for value in request.POST.getlist(key):
            digest.update(b"\0f" + key.encode() + b"\0" + value.encode())
    for key in sorted(request.FILES):
        for upload in request.FILES.getlist(key):
            digest.update(b"\0u" + f"{key}\0{upload.name}\0{upload.size}".encode())
    return digest.hexdigest()


def _same_content(user, fingerprint: str) -> Outcome | None:
    row = (FormToken.objects.filter(user=user, fingerprint=fingerprint,
                                    used_at__gte=timezone.now() - REPEAT_WINDOW)
           .exclude(result_url="").order_by("-used_at").first())
    return None if row is None else Outcome(None, row.result_url, True)


def respond(request, outcome: Outcome, message: str):
    """The redirect after a carried-out form: `message` the first time, and for a repeat a
    note that it had been saved already (nothing stored twice)."""
    if outcome.repeated:
        messages.info(request, _("This form had already been submitted; it was saved once, here it is."))
    else:
        messages.success(request, message)
    return redirect(outcome.url)
