"""Signing in: django-axes' lockout on every web login, then the users' passwords; changing a
temporary password."""

from functools import partial

from axes.backends import AxesStandaloneBackend
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.models import Group
from django.contrib.auth.views import PasswordChangeView
from django.contrib.postgres.expressions import ArraySubquery
from django.core.validators import MaxLengthValidator
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from campaign import access
from campaign.models import Role
from campaign.services import password_changed
from core import pagecache, prepared
from supervision.models import Notification


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
        cached = pagecache.enabled()
        # Without the shared cache: what viewer_state gives, read with the user in the same query.
        with_viewer = not cached and connection.vendor == "postgresql"
        user = _session_user(user_id, with_viewer)
        if user is None or not self.user_can_authenticate(user):
            return None
        if cached:
            state = pagecache.user_cached(user.pk, "viewer", lambda: viewer_state(user))
            user._gongjian_roles = set(state["roles"])
            user._gongjian_units = None if state["units"] is None else set(state["units"])
            user._gongjian_unread = state["unread"]
            user._gongjian_campaigns = state["campaigns"]
        elif with_viewer:
            user._gongjian_roles = set(user.viewer_roles) | (
                {Role.TOWN_ADMIN.value} if user.is_superuser else set())
            if not user.is_superuser:
                user._gongjian_units = set(user.viewer_units)
            user._gongjian_unread = user.viewer_unread
        return user


def _session_user_query(pk, with_viewer=False):
    users = get_user_model()._default_manager.select_related("profile").filter(pk=pk)
    return users.annotate(**_viewer_columns()) if with_viewer else users


#: The session's user with their profile (and, without the shared cache, the viewer columns), read
#: on every signed-in request: its SQL built once per process (core.prepared). Building it cost
#: the ORM ~0.35 ms of CPU a request, more than the query itself (0.40 ms against 0.06 ms).
_SESSION_USER = {False: prepared.Statement(_session_user_query, pk=int),
                 True: prepared.Statement(partial(_session_user_query, with_viewer=True), pk=int)}


def _session_user(pk, with_viewer: bool):
    found = _SESSION_USER[with_viewer](pk=pk)
    return found[0] if found else None


#: The units whose campaigns the user's profile unit reads (campaign.access.unit_scope: the
#: unit, every unit below it, every unit above it), for the user row of the outer query.
_UNIT_SCOPE_SQL = """ARRAY(
    WITH RECURSIVE start AS (
        SELECT unit_id AS id FROM campaign_profile
        WHERE user_id = "auth_user"."id" AND unit_id IS NOT NULL),
    down(id) AS (SELECT id FROM start
                 UNION SELECT u.id FROM campaign_unit u JOIN down ON u.parent_id = down.id),
    up(id, parent_id) AS (SELECT u.id, u.parent_id FROM campaign_unit u JOIN start ON u.id = start.id
                          UNION SELECT u.id, u.parent_id FROM campaign_unit u
                          JOIN up ON u.id = up.parent_id)
    SELECT id FROM down UNION SELECT id FROM up)"""


def _viewer_columns() -> dict:
    """viewer_state as columns of the user's row (PostgreSQL): role names, unit scope, unread."""
    return {
        "viewer_roles": ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
        "viewer_units": RawSQL(_UNIT_SCOPE_SQL, []),  # nosec B611  # constant SQL, no parameters
        "viewer_unread": Coalesce(Subquery(
            Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True).order_by()
            .values("user").annotate(n=Count("pk")).values("n")[:1]), 0),
    }


def viewer_state(user) -> dict:
    """What the header and the access rules read of the signed-in user besides the user row: one
    cache entry, read with the user on every request."""
    units = access.visible_unit_ids(user)
    return {"roles": sorted(access.roles_of(user)),
            "units": None if units is None else sorted(units),
            "unread": user.notifications.filter(read_at__isnull=True).count(),
            # The campaign switch and pick_campaign: kept with the user (under the global
            # version, which every change to campaigns, units and profiles bumps, and theirs).
            "campaigns": access.visible_campaign_list(user)}


class PasswordChange(PasswordChangeView):
    """Django's password change; choosing one's own password ends the office's temporary one."""

    class Form(PasswordChangeForm):
        """Django's, with what the password validators say (too short, too like the login name)
        beside 新密码, where the password is chosen, rather than under its confirmation."""

        def validate_password_for_user(self, user, password_field_name="new_password2"):  # nosec B107  # a field name
            if self.cleaned_data.get(password_field_name):  # typed twice alike (else said there)
                super().validate_password_for_user(user, "new_password1")

    form_class = Form

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
