"""The session's user, read on every signed-in request from SQL the ORM compiled once
(web.auth._session_user, a core.prepared.Statement of model instances): the same object
QuerySet.get makes, its profile with it."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from supervision import notify
from tests import factories
from web.auth import _SESSION_USER, _session_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def _fields(user) -> list:
    return [getattr(user, f.attname) for f in User._meta.concrete_fields]


@pytest.mark.parametrize("with_viewer", [False, True])
def test_the_compiled_query_gives_what_the_orm_gives(with_viewer, django_assert_num_queries):
    if with_viewer and connection.vendor != "postgresql":
        pytest.skip("the viewer columns are read with the user on PostgreSQL only")
    user = factories.UserFactory(username="cadre-compiled", profile__full_name="王小明",
                                 roles=["team_member"], email="w@example.cn")
    user.last_login = timezone.now() - datetime.timedelta(hours=3)
    user.save()
    notify.notify([user], kind="reminder", title="请填报")
    for pk in (user.pk, user.pk):  # compiled once, run twice with the same answer
        with django_assert_num_queries(1):
            got = _session_user(pk, with_viewer)
            assert got.profile.full_name == "王小明"  # read with the user: no second query
        expected = User.objects.select_related("profile").get(pk=pk)
        assert _fields(got) == _fields(expected)
        assert got.last_login == user.last_login and got.last_login.tzinfo is not None
        assert got.is_active is True and got.check_password("pw-for-tests-1")
        assert got.profile.pk == expected.profile.pk and got.profile.user is got
        if with_viewer:
            assert got.viewer_roles == [expected.groups.get().name]
            assert got.viewer_unread == 1
    if connection.vendor == "postgresql":
        assert _SESSION_USER[with_viewer]._compiled["default"] is not None, "its SQL built once"
    other = factories.UserFactory(username="cadre-other", profile__full_name="李四")
    assert _session_user(other.pk, with_viewer).profile.full_name == "李四"


def test_no_such_user_and_a_user_without_a_profile(django_assert_num_queries):
    assert _session_user(987_654_321, False) is None
    bare = User.objects.create_user("no-profile", password="pw-for-tests-1")
    got = _session_user(bare.pk, False)
    assert got.username == "no-profile"
    with django_assert_num_queries(0), pytest.raises(User.profile.RelatedObjectDoesNotExist):
        got.profile  # noqa: B018  # known to be missing without asking the database
