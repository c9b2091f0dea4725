"""The weekly report form: who may report, what it checks, and what saving does."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from projects.models import ProgressReport, Project, ReportPhoto
from tests import factories
from tests.projects.conftest import REFUSED_WRITERS, WRITERS, bomb_png, image_bytes, upload

pytestmark = pytest.mark.django_db

VALID = {"percent": "35.5", "investment_done": "420", "work_done": "完成路基填筑",
         "next_steps": "铺设排水管", "problems": "", "needs_coordination": "", "decrease_reason": ""}


def url(project):
    return reverse("report_create", args=[project.pk])


@pytest.mark.parametrize("role", WRITERS)
def test_the_leader_the_team_and_the_office_may_report(client, town, role):
    client.force_login(town.user(role))
    assert client.get(url(town.project)).status_code == 200
    response = client.post(url(town.project), VALID)
    assert response.status_code == 302
    assert response.url == reverse("project_detail", args=[town.project.pk])
    assert ProgressReport.objects.filter(project=town.project, reported_by=town.user(role)).exists()


@pytest.mark.parametrize("role", REFUSED_WRITERS)
def test_others_of_the_campaign_are_refused_with_a_403_and_it_is_logged(client, town, role, caplog):
    client.force_login(town.user(role))
    assert client.get(url(town.project)).status_code == 403
    assert client.post(url(town.project), VALID).status_code == 403
    assert not ProgressReport.objects.exists()
    assert "refused write" in caplog.text


def test_a_user_of_another_town_gets_a_404(client, town):
    client.force_login(town.outsider)
    assert client.post(url(town.project), VALID).status_code == 404


def test_saving_updates_the_project_and_rescans_it_on_commit(
        client, town, celery_eager, django_capture_on_commit_callbacks):
    # A light the scan would never leave on a project in progress: the rescan must replace it.
    Project.objects.filter(pk=town.project.pk).update(health=Project.Health.DONE)
    client.force_login(town.team_member)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url(town.project), VALID)
    project = Project.objects.get(pk=town.project.pk)
    assert project.progress == Decimal("35.5") and project.investment_done == Decimal("420")
    assert project.last_reported_at is not None
    assert callbacks, "the scan is sent only once the report is committed"
    assert project.health != Project.Health.DONE


def _errors(response, field):
    return response.context["form"].errors.get(field, [])


@pytest.mark.parametrize("field,value", [
    ("percent", "100.5"), ("percent", "-1"), ("percent", "abc"), ("investment_done", "-0.01"),
    ("work_done", ""),
])
def test_bad_values_are_refused_beside_their_field_and_nothing_typed_is_lost(client, town, field, value):
    client.force_login(town.team_member)
    data = {**VALID, field: value, "problems": "征迁未完成"}
    response = client.post(url(town.project), data)
    assert response.status_code == 200
    assert _errors(response, field)
    body = response.content.decode()
    assert "征迁未完成" in body and "铺设排水管" in body
    assert not ProgressReport.objects.exists()


def test_errors_are_in_chinese_by_default(client, town):
    client.force_login(town.team_member)
    with translation.override("zh-hans"):
        response = client.post(url(town.project), {**VALID, "percent": "101"})
    assert "100" in _errors(response, "percent")[0]
    assert "确保" in _errors(response, "percent")[0]
    body = response.content.decode()
    # crispy-bootstrap5 puts the message under the field itself.
    assert 'id="error_1_id_percent"' in body and "is-invalid" in body


def test_a_lower_percent_needs_a_reason(client, town):
    factories.ProgressReportFactory(project=town.project, percent=Decimal("40"))
    client.force_login(town.team_member)
    response = client.post(url(town.project), {**VALID, "percent": "30"})
    assert response.status_code == 200
    assert _errors(response, "decrease_reason")
    response = client.post(url(town.project), {**VALID, "percent": "30",
                                               "decrease_reason": "上周多报，按监理核定数更正"})
    assert response.status_code == 302
    assert ProgressReport.objects.filter(percent=Decimal("30")).get().decrease_reason


def test_the_form_starts_from_the_last_report(client, town):
    factories.ProgressReportFactory(project=town.project, percent=Decimal("40"))
    client.force_login(town.team_member)
    form = client.get(url(town.project)).context["form"]
    assert form.initial["percent"] == Decimal("40.0")
    assert 'data-last-percent="40.0"' in str(form["percent"])


def test_photos_are_saved_with_the_report_under_names_of_our_own(client, town):
    client.force_login(town.team_member)
    photos = [upload("工地.jpg", image_bytes("JPEG")), upload("shot.png", image_bytes("PNG"), "image/png")]
    response = client.post(url(town.project), {**VALID, "photos": photos})
    assert response.status_code == 302
    saved = list(ReportPhoto.objects.order_by("pk"))
    assert len(saved) == 2
    assert saved[0].image.name.endswith(".jpg") and saved[1].image.name.endswith(".png")
    assert "工地" not in saved[0].image.name


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(client, town):
    client.force_login(town.team_member)
    fake = upload("photo.jpg", b"<html><script>alert(1)</script></html>")
    response = client.post(url(town.project), {**VALID, "photos": [fake]})
    assert response.status_code == 200
    assert _errors(response, "photos")
    assert 'id="photos-lost"' in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_gif_is_refused(client, town):
    client.force_login(town.team_member)
    gif = upload("a.gif", image_bytes("GIF"), "image/gif")
    response = client.post(url(town.project), {**VALID, "photos": [gif]})
    assert _errors(response, "photos")


def test_at_most_nine_photos(client, town):
    client.force_login(town.team_member)
    jpeg = image_bytes("JPEG")
    photos = [upload(f"{i}.jpg", jpeg) for i in range(10)]
    response = client.post(url(town.project), {**VALID, "photos": photos})
    assert response.status_code == 200 and _errors(response, "photos")


def test_at_most_10_mb_a_photo(client, town, monkeypatch):
    monkeypatch.setattr("projects.forms.MAX_PHOTO_BYTES", 1000)
    client.force_login(town.team_member)
    big = upload("big.png", image_bytes("PNG", (400, 400)), "image/png")
    response = client.post(url(town.project), {**VALID, "photos": [big]})
    assert response.status_code == 200
    assert "10 MB" in " ".join(_errors(response, "photos"))


def test_a_decompression_bomb_is_refused_in_chinese_and_what_was_typed_is_kept(client, town):
    client.force_login(town.team_member)
    bomb = upload("工地全景.png", bomb_png(), "image/png")
    assert bomb.size < 100_000
    with translation.override("zh-hans"):
        response = client.post(url(town.project), {**VALID, "photos": [bomb],
                                                   "problems": "征迁未完成"})
    assert response.status_code == 200
    errors = " ".join(_errors(response, "photos"))
    assert "工地全景.png" in errors and "像素" in errors
    body = response.content.decode()
    assert "征迁未完成" in body and "完成路基填筑" in body
    assert not ProgressReport.objects.exists()


def test_an_image_just_over_the_pixel_limit_is_refused_with_its_size(client, town):
    client.force_login(town.team_member)
    # 10000 × 8000 = 80 million pixels: under Pillow's own bomb limit, over ours.
    big = upload("big.png", bomb_png(10000, 8000), "image/png")
    response = client.post(url(town.project), {**VALID, "photos": [big]})
    assert response.status_code == 200
    assert "10000 × 8000" in " ".join(_errors(response, "photos"))


def test_too_many_decimals_is_said_in_plain_chinese_with_a_chinese_full_stop(client, town):
    """Django's own wording ends in an English full stop ("确认小数不超过 1 位."); ours does not."""
    client.force_login(town.team_member)
    response = client.post(url(town.project), {**VALID, "percent": "44.75"})
    assert _errors(response, "percent") == ["最多保留1位小数。"]
    response = client.post(url(town.project), {**VALID, "investment_done": "1234567890123.5"})
    assert all(not e.endswith(".") for e in _errors(response, "investment_done"))


def test_too_long_a_text_is_said_in_plain_chinese(client, town):
    """Django's own: "确保该变量包含不超过 1000 字符 (目前字符数 1001)。" — ours counts 字."""
    client.force_login(town.team_member)
    response = client.post(url(town.project), {**VALID, "problems": "问" * 1001})
    assert _errors(response, "problems") == ["最多1000个字，现有1001个字。"]
