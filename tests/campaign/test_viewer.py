"""The signed-in user's header state from the shared cache (campaign.viewer): the bell, the menu
and the name stay right after every write that changes them, each user sees only their own, and
with Redis away the pages are as before."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from campaign.models import Role
from supervision import notify
from supervision.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def _bell(client) -> int:
    """The number on the bell of the page the user sees (0 when there is no badge)."""
    html = client.get(reverse("dashboard")).content.decode()
    found = re.search(r'gj-bell-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


def _header(client) -> str:
    html = client.get(reverse("dashboard")).content.decode()
    return html[html.index("<nav"):html.index("</nav>")]


def test_the_bell_counts_new_notifications_and_drops_read_ones(client, town, shared_cache):
    client.force_login(town.team_member)
    assert _bell(client) == 0
    notify.notify([town.team_member], kind="test", title="本周进度未报")  # the bulk path
    assert _bell(client) == 1
    second = Notification.objects.create(user=town.team_member, kind="test", title="节点将到期")
    assert _bell(client) == 2
    client.post(reverse("notifications:read", args=[second.pk]))
    assert _bell(client) == 1
    client.post(reverse("notifications:read_all"))
    assert _bell(client) == 0
    Notification.objects.create(user=town.team_member, kind="test", title="督办单")
    assert _bell(client) == 1
    Notification.objects.filter(user=town.team_member).delete()
    assert _bell(client) == 0


def test_another_users_notification_leaves_my_bell_alone(client, town, shared_cache):
    client.force_login(town.team_member)
    assert _bell(client) == 0
    notify.notify([town.leader], kind="test", title="给领导的")
    assert _bell(client) == 0
    client.force_login(town.leader)
    assert _bell(client) == 1


def test_a_role_given_or_taken_shows_in_the_menu_at_once(client, town, shared_cache):
    client.force_login(town.team_member)
    assert 'id="nav-supervision"' not in _header(client)
    town.team_member.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    assert 'id="nav-supervision"' in _header(client)
    Group.objects.get(name=Role.SUPERVISOR).user_set.remove(town.team_member)  # the other side
    assert 'id="nav-supervision"' not in _header(client)
    Group.objects.get(name=Role.SUPERVISOR).user_set.add(town.team_member)
    assert 'id="nav-supervision"' in _header(client)
    Group.objects.get(name=Role.SUPERVISOR).user_set.clear()
    assert 'id="nav-supervision"' not in _header(client)


def test_a_new_name_shows_in_the_header_at_once(client, town, shared_cache):
    client.force_login(town.team_member)
    assert "林改名" not in _header(client)
    profile = town.team_member.profile
    profile.full_name = "林改名"
    profile.save()
    assert "林改名" in _header(client)


def test_a_profile_moved_to_another_town_loses_the_campaign_at_once(client, town, shared_cache):
    client.force_login(town.team_member)
    assert town.project.name in client.get(reverse("dashboard")).content.decode()
    profile = town.team_member.profile
    profile.unit = town.outsider.profile.unit
    profile.save()
    assert town.project.name not in client.get(reverse("dashboard")).content.decode()
    assert client.get(reverse("project_detail", args=[town.project.pk])).status_code == 404


def test_a_deactivated_user_is_signed_out_at_once(client, town, shared_cache):
    client.force_login(town.team_member)
    assert client.get(reverse("dashboard")).status_code == 200
    town.team_member.is_active = False
    town.team_member.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_password_changed_elsewhere_ends_the_other_sessions(client, town, shared_cache):
    client.force_login(town.team_member)
    assert client.get(reverse("dashboard")).status_code == 200
    town.team_member.set_password("another-password-2026")
    town.team_member.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_each_user_sees_their_own_header_and_a_fresh_token(client, town, shared_cache):
    town.team_member.profile.full_name = "陈一"
    town.team_member.profile.save()
    town.leader.profile.full_name = "王二"
    town.leader.profile.save()
    notify.notify([town.leader], kind="test", title="领导的通知")
    tokens = set()
    for _ in range(2):  # the second round comes from the per-process fragments
        for user, name, other, bell in ((town.team_member, "陈一", "王二", 0),
                                        (town.leader, "王二", "陈一", 1)):
            client.force_login(user)
            header = _header(client)
            assert name in header and other not in header
            assert _bell(client) == bell
            tokens.update(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header))
    assert len(tokens) == 4, "the CSRF token is masked anew on every page, not kept"


def test_the_language_switch_returns_to_the_page_it_was_used_on(client, town, shared_cache):
    client.force_login(town.team_member)
    for url in (reverse("dashboard") + "?sort=-lag", reverse("my_projects")):
        for _ in range(2):
            html = client.get(url).content.decode()
            assert f'name="next" value="{url.replace("&", "&amp;")}"' in html


def test_the_menu_follows_the_language(client, town, shared_cache):
    client.force_login(town.team_member)
    assert "我的项目" in _header(client)
    client.cookies["django_language"] = "en"
    assert "My projects" in _header(client)


def test_a_new_campaign_of_the_town_shows_in_the_switch_at_once(client, town, shared_cache):
    client.force_login(town.team_member)
    assert "去年的百日攻坚" not in client.get(reverse("dashboard")).content.decode()
    factories.CampaignFactory(unit=town.campaign.unit, name="去年的百日攻坚", status="closed")
    assert "去年的百日攻坚" in client.get(reverse("dashboard")).content.decode()


def test_without_redis_the_header_is_read_from_the_database(client, town, redis_down, caplog):
    client.force_login(town.team_member)
    assert _bell(client) == 0
    notify.notify([town.team_member], kind="test", title="本周进度未报")
    assert _bell(client) == 1
    town.team_member.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    assert 'id="nav-supervision"' in _header(client)
    assert "cache unreachable, user read from the database" in caplog.text
