"""Chinese by default, whatever the browser says; English only when the user chose it. A
temporary password is changed before anything else. A form sent after the session ended is
filled in again after signing in."""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render, resolve_url
from django.urls import Resolver404, resolve
from django.utils import translation

from campaign import once


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


class KeepFormAcrossSignInMiddleware:
    """A form sent after the session ended is not lost: the sign-in redirect keeps what was typed
    (in the anonymous session, which signing in keeps), and the form's page, opened again after
    signing in, is filled with it — not saved: the user checks it and sends it again.

    Kept: the fields but the tokens and passwords, at most MAX_FIELDS values and MAX_CHARS
    characters, for KEEP_SECONDS (a shared office computer: another person signing in later does
    not find it). Files cannot be kept; the page says to choose them again."""

    KEY = "gj_form_kept"
    KEEP_SECONDS = 30 * 60
    MAX_FIELDS = 200
    MAX_CHARS = 100_000

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kept = self.kept_for(request.session, request.path) if request.method == "GET" \
            and self.KEY in request.session and request.user.is_authenticated else None
        if kept is not None:
            request.restored_form = kept  # base.html and gongjian.js fill the form in
        response = self.get_response(request)
        if kept is not None and response.status_code == 200:
            del request.session[self.KEY]  # shown once; a redirect or an error page leaves it
        elif request.method == "POST" and not request.user.is_authenticated \
                and response.status_code == 302 and self._to_sign_in(response):
            self._keep(request)
        return response

    @staticmethod
    def _to_sign_in(response) -> bool:
        return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)

    def _keep(self, request):
        fields, chars = [], 0
        for name, values in once.typed(request.POST):
            for value in values:
                chars += len(name) + len(value)
                if len(fields) >= self.MAX_FIELDS or chars > self.MAX_CHARS:
                    return  # more than a form of this site: keep nothing rather than a part
                fields.append([name, value])
        if fields:
            request.session[self.KEY] = {"path": request.path, "at": time.time(),
                                         "fields": fields, "files": bool(request.FILES)}

    @classmethod
    def kept_for(cls, session, path: str):
        """What was kept of a form sent to path, while it may still be filled in."""
        kept = session.get(cls.KEY)
        if not kept or kept.get("path") != path \
                or time.time() - kept.get("at", 0) > cls.KEEP_SECONDS:
            return None
        return kept


def kept_form_waits(request, path: str) -> bool:
    """A form sent to path was kept by KeepFormAcrossSignInMiddleware (the sign-in page says so)."""
    return KeepFormAcrossSignInMiddleware.kept_for(request.session, path) is not None
