"""The main menu is rendered once per process for each (roles, page, language) and reused
(web.templatetags.landing.main_menu): what one person sees must never leak to another with other
roles, another page or another language."""

import re

from django.conf import settings
from django.urls import reverse


def _menu(client, url):
    body = client.get(url).content.decode()
    return re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>\s*<ul class="navbar-nav ms-auto',
                     body, re.S).group(1)


def test_the_menu_follows_the_roles_the_page_and_the_language(client, town):
    client.force_login(town.team_member)
    member = _menu(client, reverse("dashboard"))
    assert 'id="nav-todo"' in member and 'id="nav-setup"' not in member
    assert f'class="nav-link active" href="{reverse("dashboard")}"' in member

    client.force_login(town.user("town_admin"))
    admin = _menu(client, reverse("dashboard"))
    assert 'id="nav-setup"' in admin and 'id="nav-todo"' not in admin

    client.force_login(town.team_member)
    todo = _menu(client, reverse("todo"))
    assert f'class="nav-link active" href="{reverse("todo")}"' in todo
    assert f'class="nav-link active" href="{reverse("dashboard")}"' not in todo
    assert _menu(client, reverse("dashboard")) == member

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _menu(client, reverse("dashboard"))
    assert ">Dashboard<" in english and ">攻坚总览<" not in english
    assert ">攻坚总览<" in member
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert _menu(client, reverse("dashboard")) == member
