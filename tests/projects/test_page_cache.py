"""The whole page kept for its reader (core.pagecache.page_cached): the dashboard and the project
page on a hit render nothing, and what is the reader's own stays right — their CSRF token, their
messages, their bell, their language."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse

from supervision import notify

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _reader(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _pages(town):
    return [reverse("dashboard"), reverse("project_detail", args=[town.project.pk])]


def test_a_second_look_renders_nothing_and_gives_the_same_page(town, shared_cache):
    reader = _reader(town.team_member)
    for url in _pages(town):
        first = reader.get(url)
        assert first.status_code == 200 and first.templates, "the first look renders the page"
        again = reader.get(url)
        assert again.status_code == 200
        assert again.templates == [], f"{url}: kept, not rendered again"
        assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())
        assert again["Content-Type"] == "text/html; charset=utf-8"
        assert again["Cache-Control"] == "private, no-store"


def test_a_kept_page_carries_the_requests_own_csrf_token_which_its_forms_can_post(
        town, shared_cache):
    reader = _reader(town.team_member)
    url = reverse("project_detail", args=[town.project.pk])
    reader.get(url)
    page = reader.get(url).content.decode()
    tokens = TOKEN.findall(page)
    assert tokens and "gj-csrf" not in page
    # The language switch in the kept header posts with the token put in for this answer.
    switch = {"language": "en", "next": url, "csrfmiddlewaretoken": tokens[0]}
    assert reader.post(reverse("set_language"), switch).status_code == 302
    # Another reader's kept page carries their own token, which this session refuses.
    other = _reader(town.other_member)
    other.get(reverse("dashboard"))
    theirs = TOKEN.findall(other.get(reverse("dashboard")).content.decode())[0]
    switch["csrfmiddlewaretoken"] = theirs
    assert reader.post(reverse("set_language"), switch).status_code == 403


def test_a_message_is_shown_once_and_never_kept(town, shared_cache):
    reader = _reader(town.team_member)
    url = reverse("dashboard")
    reader.get(url)  # the page is kept
    request = HttpRequest()
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, "填报已保存（测试消息）")
    carrier = HttpResponse()
    storage.update(carrier)
    reader.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    shown = reader.get(url)
    assert "填报已保存（测试消息）" in shown.content.decode() and shown.templates
    later = reader.get(url).content.decode()
    assert "填报已保存（测试消息）" not in later


def test_a_new_notification_shows_on_the_kept_page_at_once(town, shared_cache):
    reader = _reader(town.team_member)
    url = reverse("project_detail", args=[town.project.pk])
    reader.get(url)
    assert "gj-bell-count" not in reader.get(url).content.decode()
    notify.notify([town.team_member], kind="reminder", title="请于周五前填报")
    page = reader.get(url).content.decode()
    assert re.search(r'gj-bell-count">1<', page), "the bell counts the new notification"


def test_each_reader_and_each_language_has_a_page_of_its_own(town, shared_cache):
    member, observer = _reader(town.team_member), _reader(town.observer)
    url = reverse("project_detail", args=[town.project.pk])
    for client in (member, observer, member, observer):
        client.get(url)
    report = reverse("report_create", args=[town.project.pk])
    assert report in member.get(url).content.decode()
    assert report not in observer.get(url).content.decode()
    member.cookies["django_language"] = "en"
    english = member.get(url).content.decode()
    assert "Log out" in english and "退出" not in english
    del member.cookies["django_language"]
    assert "退出" in member.get(url).content.decode()


def test_a_write_to_the_campaign_shows_on_the_kept_page_at_once(town, shared_cache):
    reader = _reader(town.observer)
    url = reverse("dashboard")
    reader.get(url)
    reader.get(url)
    town.project.name = "新名称：滨海大道"
    town.project.save()  # the model's save bumps its campaign (the admin, scripts)
    assert "新名称：滨海大道" in reader.get(url).content.decode()
