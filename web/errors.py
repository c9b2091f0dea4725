"""The site's own 400 page: a request too large (or otherwise refused before any view ran)
answered in the user's language inside the site's layout, not Django's bare "Bad Request"; and
its page for a form sent with a stale CSRF token (signed in or out in another tab since the form
was opened), in place of Django's bare English-or-Chinese "CSRF验证失败"."""

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from campaign import once

#: At most this many of the typed values are shown back.
_MAX_SHOWN = 30


def _back(request) -> str:
    """The page the user came from, when it is this site's own; "" otherwise. Never raises: the
    400 handler also answers a request whose Host is not in ALLOWED_HOSTS, where get_host()
    raises DisallowedHost again (and would turn the 400 into a 500)."""
    back = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if not url_has_allowed_host_and_scheme(back, {host}, request.is_secure()):
        return ""
    return back


def bad_request(request, exception=None):
    # request.POST is never read here: reading it is what raised RequestDataTooBig.
    back = _back(request)
    too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    return render(request, "400.html", {
        "too_big": too_big,
        "limit_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
        "back": back,
    }, status=400)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a form whose token no longer matches the session's (the user
    signed in or out in another tab, or the page stayed open past a sign-in). Nothing is saved;
    the page says so in the user's language, links back to the form and shows what was typed,
    to copy into the reloaded form (every field but the tokens and passwords)."""
    typed = []
    for _name, values in once.typed(request.POST):
        typed.extend(v for v in values if v.strip())
    return render(request, "403_csrf.html", {"back": _back(request), "typed": typed[:_MAX_SHOWN]},
                  status=403)
