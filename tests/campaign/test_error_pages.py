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


def test_a_form_sent_after_signing_in_again_elsewhere_gets_the_sites_page_with_what_was_typed(
        town):
    """The report form opened, then a sign-out and sign-in in another tab (a new CSRF token), then
    the first tab submitted: Django's check refuses it. The answer is the site's own page in
    Chinese — nothing saved, a link back to the form, the typed text shown to copy (never a
    password or a token) — not the bare "CSRF验证失败"."""
    from django.test import Client

    from projects.models import ProgressReport

    client = Client(enforce_csrf_checks=True)
    client.force_login(town.team_member)
    form_url = reverse("report_create", args=[town.project.pk])
    client.get(form_url)
    stale = client.cookies["csrftoken"].value
    client.logout()
    client.force_login(town.team_member)
    client.get(form_url)  # the other tab: a new token
    response = client.post(form_url, {
        "csrfmiddlewaretoken": stale, "percent": "44.7", "investment_done": "420",
        "work_done": "完成路基填筑200米", "next_steps": "铺设排水管", "password": "secret-x"},
        HTTP_REFERER=f"http://testserver{form_url}")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'id="error-page"' in body and "页面已过期，本次提交未保存" in body
    assert 'id="gj-nav"' in body and "CSRF验证失败" not in body
    assert f'href="http://testserver{form_url}"' in body
    assert "完成路基填筑200米" in body and "44.7" in body and "铺设排水管" in body
    assert "secret-x" not in body and stale not in body
    assert not ProgressReport.objects.filter(project=town.project).exists()


def test_a_steps_address_opened_as_a_page_gets_the_sites_405_page(client, town):
    """A POST-only step (urge, publish) opened by its address: the site's page in Chinese, not an
    empty 405 that the browser shows as its own error."""
    from supervision.models import Notice

    client.force_login(town.supervisor)
    response = client.get(reverse("bulletin_generate"))
    assert response.status_code == 405 and response.has_header("Allow")
    body = response.content.decode()
    assert 'id="error-page"' in body and "这个地址是一个操作步骤" in body and 'id="gj-nav"' in body
    assert Notice.objects.count() == 0


def test_a_request_for_a_host_the_site_does_not_serve_gets_the_sites_400_page(client):
    """A load balancer's probe or a scanner sending another Host: Django refuses it with a 400;
    the site's 400 handler must answer it (its back link tolerates the host), never a 500."""
    for path in ("/healthz", "/dashboard/"):
        response = client.get(path, HTTP_HOST="not-this-site.example",
                              HTTP_REFERER="http://not-this-site.example/form/")
        assert response.status_code == 400, path
        body = response.content.decode()
        assert "提交未被受理" in body and "系统出现问题" not in body  # the site's 400, not its 500
        assert 'href="http://not-this-site.example/form/"' not in body
