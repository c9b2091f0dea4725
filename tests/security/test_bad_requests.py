"""Requests refused before any view runs get the site's Chinese page; long texts are refused
beside their field with what was typed kept."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.projects.conftest import town  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

VALID = {"percent": "35.5", "investment_done": "420", "next_steps": "铺设排水管", "problems": "",
         "needs_coordination": "", "decrease_reason": ""}


def test_a_request_over_the_size_limit_gets_a_chinese_page_inside_the_site(client, town):  # noqa: F811
    client.force_login(town.team_member)
    url = reverse("report_create", args=[town.project.pk])
    huge = "完" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)
    response = client.post(url, {**VALID, "work_done": huge}, HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 400
    body = response.content.decode()
    assert "超过" in body and f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)} MB" in body
    assert "gj-navbar" in body  # the site's layout, with its navigation
    assert f'href="http://testserver{url}"' in body
    assert "Bad Request" not in body


def test_a_foreign_referer_is_not_offered_as_the_way_back(client, town):  # noqa: F811
    client.force_login(town.team_member)
    url = reverse("report_create", args=[town.project.pk])
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post(url, {**VALID, "work_done": huge}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


def test_a_work_done_text_over_its_limit_is_refused_beside_the_field_and_kept(client, town):  # noqa: F811
    from core.textlimits import LONG_TEXT

    client.force_login(town.team_member)
    url = reverse("report_create", args=[town.project.pk])
    text = "完成路基填筑" + "。" * LONG_TEXT
    response = client.post(url, {**VALID, "work_done": text})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["work_done"])
    assert f"最多{LONG_TEXT}个字" in errors
    body = response.content.decode()
    assert text in body and "铺设排水管" in body
    assert f'maxlength="{LONG_TEXT}"' in body
