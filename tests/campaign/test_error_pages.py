"""The 403, 404 and 500 pages are the site's own, in Chinese, with DEBUG off."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_debug_is_off_in_the_suite(settings):
    assert settings.DEBUG is False


def test_an_unknown_address_gets_the_chinese_404_page_in_the_layout(client, town):
    client.force_login(town.team_member)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'id="error-page"' in body and "页面不存在" in body
    assert 'id="gj-nav"' in body  # inside the site's layout, with its menu
    assert "Not Found" not in body


def test_an_anonymous_visitor_gets_the_chinese_404_too(client):
    response = client.get("/static-nothing/here/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_a_refused_write_gets_the_chinese_403_page(client, town):
    client.force_login(town.other_member)  # on another project's team: may read, not write
    response = client.get(reverse("report_create", args=[town.project.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert 'id="error-page"' in body and "无权进行此操作" in body
    assert "403 Forbidden" not in body


def test_the_500_page_renders_without_a_request_or_context():
    body = render_to_string("500.html")
    assert "系统出现问题" in body and 'id="error-page"' in body


def test_the_500_handler_answers_with_the_chinese_page():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统出现问题" in response.content.decode()
