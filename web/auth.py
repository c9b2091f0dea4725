"""Signing in: django-axes' lockout on every web login, then the users' passwords; changing a
temporary password."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import PasswordChangeView

from campaign.services import password_changed


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before each login attempt.

    Every web login (the login page, the admin) passes the request and is counted and locked out
    by axes. A call without a request is not a web login — the test client's login(), a shell
    script — and axes cannot count it by address, so it is left to the next backend instead of
    failing with AxesBackendRequestParameterRequired.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class UserBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions); the session's user on every request is
    read with their profile (name, unit) in the same query."""

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("profile").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PasswordChange(PasswordChangeView):
    """Django's password change; choosing one's own password ends the office's temporary one."""

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(self.request.user)
        return response
