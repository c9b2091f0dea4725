"""Chinese by default, whatever the browser says; English only when the user chose it. A
temporary password is changed before anything else."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware without the Accept-Language guess.

    A town office's computer often runs an English browser or system; the campaign is run in
    Chinese, so the page language is the one chosen with the switch in the header (kept in the
    language cookie), else LANGUAGE_CODE.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PasswordChangeRequiredMiddleware:
    """A person given a temporary password by the campaign office (Profile.must_change_password)
    is sent to change it before anything else; signing out and switching language still work."""

    ALLOWED = {"password_change", "password_change_done", "logout", "set_language", "healthz"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)  # read with the user (web.auth.UserBackend)
            if profile is not None and profile.must_change_password:
                match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
                if match is None or match.url_name not in self.ALLOWED:
                    return redirect("password_change")
        return self.get_response(request)


def _resolve(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in user: pages, exports and
    photos hold the campaign's data, so no proxy and no shared office browser may keep a copy
    (the back button then asks the server again, which checks the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


class MethodNotAllowedPageMiddleware:
    """An address that only takes a form's POST (urge, publish…) opened by a link, a bookmark or
    the address bar: the site's own page in the user's language, where Django answers 405 with
    an empty body (the browser then shows its own error page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and request.method in ("GET", "HEAD") \
                and not getattr(response, "streaming", False) and not response.content:
            page = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
