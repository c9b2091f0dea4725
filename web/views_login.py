"""The login page with "记住我": a phone that asks is kept signed in for REMEMBER_ME_DAYS;
otherwise the session ends SESSION_COOKIE_AGE (12 h) after login, as before."""

import datetime
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _

from .auth import LoginForm as NameCheckedLoginForm
from .middleware import kept_form_waits


class LoginForm(NameCheckedLoginForm):
    """The login form (the login name's length checked: web.auth) with 记住我."""

    remember = forms.BooleanField(
        required=False, help_text=_("Only on your own phone or computer, never on a shared one."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the language of this request: the label is made per form, not at import.
        self.fields["remember"].label = _("Remember me on this device for %(days)d days") % {
            "days": settings.REMEMBER_ME_DAYS}


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A form sent after the session ended, kept to be filled in again (web.middleware).
        context["form_kept"] = kept_form_waits(self.request,
                                               urlsplit(context.get("next") or "").path)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data.get("remember"):
            self.request.session.set_expiry(datetime.timedelta(days=settings.REMEMBER_ME_DAYS))
        return response
