"""A new town's campaign office on its first day: an empty home page that leads it to 设置, and a
password change that speaks to whoever is changing it."""

import pytest
from django.urls import reverse

from campaign.models import Role

from .conftest import placed

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def test_the_office_of_a_town_without_campaigns_is_led_to_set_one_up(office_client):
    body = office_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("setup_campaign_new")}"' in body and "设置 › 新建攻坚行动" in body
    assert "请联系攻坚办" not in body and "联系" not in body.split("<main")[1]


def test_a_cadre_of_a_town_without_campaigns_is_told_to_ask_the_office(client, village):
    cadre = placed("cadre1", Role.SUPERVISOR, village, "李华", "村支书")
    client.force_login(cadre)
    body = client.get(reverse("home")).content.decode()
    assert reverse("setup_campaign_new") not in body
    assert "攻坚办" in body.split("<main")[1]


def test_the_forced_password_change_does_not_say_the_office_gave_the_password(client, office):
    office.profile.must_change_password = True
    office.profile.save()
    client.force_login(office)
    body = client.get(reverse("password_change")).content.decode()
    notice = body.split('id="password-must-change"')[1].split("</div>")[0]
    assert "临时密码" in notice and "攻坚办给您" not in notice


def test_after_changing_the_password_a_cadre_is_offered_their_own_home(client, village):
    cadre = placed("cadre1", Role.TEAM_MEMBER, village, "李华", "村支书")
    client.force_login(cadre)
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"},
    )
    done = client.get(reverse("password_change_done")).content.decode()
    assert f'href="{reverse("home")}" id="password-changed-home"' in done
    assert "返回攻坚总览" not in done


def test_a_password_like_the_login_name_is_refused_beside_the_new_password(client, office):
    client.force_login(office)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "hn_office1", "new_password2": "hn_office1"},
    )
    errors = response.context["form"].errors
    assert "用户名" in " ".join(errors["new_password1"]) and "new_password2" not in errors


def test_two_different_new_passwords_are_said_under_the_confirmation_only(client, office):
    client.force_login(office)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "hn_office1", "new_password2": "Xin-mima-2026!"},
    )
    errors = response.context["form"].errors
    assert list(errors) == ["new_password2"]
