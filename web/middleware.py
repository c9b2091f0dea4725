"""Chinese by default, whatever the browser says; English only when the user chose it."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
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
