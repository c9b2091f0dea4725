"""Signing in: django-axes' lockout on every web login, then the users' passwords; changing a
temporary password."""

from axes.backends import AxesStandaloneBackend
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import PasswordChangeView
from django.core.validators import MaxLengthValidator

from campaign import access
from campaign.services import password_changed
from core import pagecache


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
    """Django's ModelBackend (passwords, permissions). The session's user on every request is
    read with their profile (name, unit) in one query; with the shared cache, their roles, unit
    scope and unread count come from one cache entry (core.pagecache.user_cached), so a cached
    page makes that query and no other for the header and the access rules."""

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("profile").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        if pagecache.enabled():
            state = pagecache.user_cached(user.pk, "viewer", lambda: viewer_state(user))
            user._gongjian_roles = set(state["roles"])
            user._gongjian_units = None if state["units"] is None else set(state["units"])
            user._gongjian_unread = state["unread"]
        return user


def viewer_state(user) -> dict:
    """What the header and the access rules read of the signed-in user besides the user row."""
    units = access.visible_unit_ids(user)
    return {"roles": sorted(access.roles_of(user)),
            "units": None if units is None else sorted(units),
            "unread": user.notifications.filter(read_at__isnull=True).count()}


class PasswordChange(PasswordChangeView):
    """Django's password change; choosing one's own password ends the office's temporary one."""

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(self.request.user)
        return response


def lockout_username(request, credentials=None):
    """The username django-axes records: what was typed, cut to its 255-character column (a longer
    name is refused by the login form; this keeps any other caller from a database error)."""
    source = credentials or getattr(request, "POST", {})
    username = source.get("username")
    return username[:255] if isinstance(username, str) else username


class _UsernameLengthMixin:
    """Django's login forms set the username's max length on the widget only; enforce it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))


class LoginForm(_UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(_UsernameLengthMixin, AdminAuthenticationForm):
    pass
