"""The site's own 400 page: a request too large (or otherwise refused before any view ran)
answered in the user's language inside the site's layout, not Django's bare "Bad Request"."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def bad_request(request, exception=None):
    # request.POST is never read here: reading it is what raised RequestDataTooBig.
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    return render(request, "400.html", {
        "too_big": too_big,
        "limit_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
        "back": back,
    }, status=400)
