"""Spot-check findings and notice responses take photos as reports do: stored without GPS or
camera, shown as thumbnails with their capture time (a document stays a file link), marked
非本期照片 when older than what they prove, and served only to the readers of their page."""

import datetime
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core.dates import local_date, local_zone
from supervision import notices, spotchecks
from supervision.models import Evidence, FindingPhoto, ResponsePhoto, SpotCheck
from tests.photos import bytes_of_images, image_sources, phone_photo, stored_sizes

from .conftest import make_notice

pytestmark = pytest.mark.django_db


def _minus(**delta) -> datetime.datetime:
    return datetime.datetime.now(local_zone()).replace(microsecond=0, second=0) - datetime.timedelta(**delta)


def _jpeg(taken, size=(4000, 3000), name="IMG_0001.jpg"):
    return SimpleUploadedFile(name, phone_photo(taken, size=size), "image/jpeg")


def _check(campaign, project, supervisor) -> SpotCheck:
    check = spotchecks.plan_inspection(campaign, title="定期检查", planned_on=local_date(),
                                       projects=[project], created_by=supervisor)
    return check


def _respond(client, notice, leader, files):
    client.force_login(leader)
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "已设置围挡", "respond-files": files})
    assert response.status_code == 302, response.content.decode()[:3000]
    return notice.responses.get()


def test_a_finding_s_phone_photo_is_stored_without_metadata_and_shown_as_a_thumbnail(
        client, campaign, project, supervisor):
    check = _check(campaign, project, supervisor)
    taken = _minus(hours=1)
    client.force_login(supervisor)
    response = client.post(reverse("finding_add", args=[check.pk]), {
        "project": project.pk, "description": "现场未见安全围挡", "rectify_by": local_date().isoformat(),
        "photos": [_jpeg(taken)]})
    assert response.status_code == 302
    photo = FindingPhoto.objects.get(finding__spot_check=check)
    sizes = stored_sizes(photo)
    assert sizes["image"] == (4000, 3000) and max(sizes["thumbnail"]) == 480
    assert photo.taken_at == taken and not photo.taken_before_period
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("spotcheck_detail", args=[check.pk])).content.decode()
    assert image_sources(body) == [reverse("finding_photo_thumb", args=[photo.pk])]
    assert bytes_of_images(client, body) <= 60 * 1024
    assert f"拍摄于 {taken:%m-%d %H:%M}" in body
    assert f'href="{reverse("finding_photo_original", args=[photo.pk])}"' in body


def test_a_finding_photo_is_for_the_readers_of_its_spot_check_or_of_its_notice(
        client, campaign, project, supervisor, leader, outsider):
    check = _check(campaign, project, supervisor)
    finding = spotchecks.record_finding(check, project, "现场未见安全围挡", supervisor,
                                        rectify_by=local_date(),
                                        photos=[_jpeg(_minus(hours=1), size=(640, 480))])
    url = reverse("finding_photo_thumb", args=[finding.photos.get().pk])
    client.force_login(supervisor)
    assert client.get(url).status_code == 200
    client.force_login(leader)  # the spot check's page is the supervision group's
    assert client.get(url).status_code == 404
    client.force_login(outsider)  # a supervisor of another town
    assert client.get(url).status_code == 404
    # Made a notice and issued, the finding's photo goes with it to the leader.
    notice = spotchecks.finding_to_notice(finding, supervisor, required_action="立即设置围挡")
    client.force_login(leader)
    assert client.get(url).status_code == 404  # a draft is not the leader's yet
    notices.issue_notice(notice, supervisor)
    assert client.get(url).status_code == 200
    body = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert image_sources(body) == [url]
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_an_evidence_photo_shows_as_a_thumbnail_and_a_document_as_a_file_link(
        client, project, supervisor, leader):
    notice = make_notice(project, supervisor, "acknowledged")
    taken = _minus(minutes=20)
    response = _respond(client, notice, leader, [
        _jpeg(taken), SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 test", "application/pdf")])
    photo = ResponsePhoto.objects.get(response=response)
    assert max(stored_sizes(photo)["thumbnail"]) == 480
    assert photo.taken_at == taken and not photo.taken_before_period
    evidence = Evidence.objects.get(response=response)
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert image_sources(body) == [reverse("response_photo_thumb", args=[photo.pk])]
    assert bytes_of_images(client, body) <= 60 * 1024
    assert f"拍摄于 {taken:%m-%d %H:%M}" in body
    assert f'href="{reverse("evidence_file", args=[evidence.pk])}">整改报告.pdf</a>' in body


def test_an_evidence_photo_taken_before_the_notice_was_issued_is_marked(client, project,
                                                                        supervisor, leader):
    notice = make_notice(project, supervisor, "acknowledged")
    old = _minus(days=1) if local_date(notice.issued_at) == local_date() else _minus(days=30)
    response = _respond(client, notice, leader, [_jpeg(old, size=(800, 600))])
    assert response.photos.get().taken_before_period
    client.cookies["django_language"] = "zh-hans"
    assert "非本期照片" in client.get(reverse("notice_detail", args=[notice.pk])).content.decode()


def test_an_evidence_photo_is_for_the_readers_of_its_notice_only(client, project, supervisor,
                                                                 leader, team_member, outsider):
    notice = make_notice(project, supervisor, "acknowledged")
    response = _respond(client, notice, leader, [_jpeg(_minus(hours=1), size=(640, 480))])
    pk = response.photos.get().pk
    urls = [reverse(name, args=[pk]) for name in
            ("response_photo", "response_photo_thumb", "response_photo_original")]
    for user in (supervisor, leader, team_member):
        client.force_login(user)
        assert [client.get(u).status_code for u in urls] == [200, 200, 200]
    client.force_login(outsider)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]


def test_ten_evidence_photos_are_refused_beside_the_field(client, project, supervisor, leader):
    notice = make_notice(project, supervisor, "acknowledged")
    client.force_login(leader)
    small = [_jpeg(_minus(hours=1), size=(40, 30), name=f"{i}.jpg") for i in range(10)]
    response = client.post(reverse("notice_step", args=[notice.pk, "respond"]), {
        "respond-measures": "已整改", "respond-files": small})
    assert response.status_code == 400
    assert "At most 9 photos at once; you chose 10." in response.content.decode()
    assert not ResponsePhoto.objects.exists()


@pytest.mark.parametrize("count", [1, 5])
def test_the_spot_check_page_makes_the_same_number_of_queries_for_1_and_5_findings_with_photos(
        postgres, client, campaign, project, supervisor, django_assert_num_queries, count):
    check = _check(campaign, project, supervisor)
    for i in range(count):
        spotchecks.record_finding(check, project, f"问题{i}", supervisor, rectify_by=local_date(),
                                  photos=[_jpeg(_minus(hours=1), size=(64, 48))] * 2)
    client.force_login(supervisor)
    client.get(reverse("spotcheck_detail", args=[check.pk]))
    # The session, the user (with roles, units and unread count), the check, its projects, the
    # findings, their photos, the projects offered in the finding form.
    with django_assert_num_queries(7):
        response = client.get(reverse("spotcheck_detail", args=[check.pk]))
    assert len(response.context["findings"]) == count


def test_images_stored_as_evidence_files_before_become_photos_by_the_command(
        project, supervisor, leader, django_capture_on_commit_callbacks):
    notice = make_notice(project, supervisor, "responded")
    response = notice.responses.get()
    taken = _minus(hours=2)
    old = Evidence(response=response)
    old.file.save("现场.jpg", ContentFile(phone_photo(taken, size=(1200, 900))), save=True)
    pdf = Evidence(response=response)
    pdf.file.save("报告.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    old_path = old.file.path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("make_photo_copies", stdout=io.StringIO())
        call_command("make_photo_copies", stdout=io.StringIO())  # a second run changes nothing
    photo = ResponsePhoto.objects.get(response=response)
    assert photo.taken_at == taken and max(stored_sizes(photo)["thumbnail"]) == 480
    assert list(Evidence.objects.filter(response=response)) == [pdf]  # the document stays a file
    assert not os.path.exists(old_path)  # the file with the GPS position is gone


def test_the_admin_shows_every_kind_of_photo_read_only(admin_client, campaign, project, supervisor,
                                                       team_member):
    from projects import services

    small = [_jpeg(_minus(hours=1), size=(64, 48))]
    obstacle = services.record_obstacle(project, team_member, title="用电", category="water_power",
                                        due_date=local_date(), photos=small)
    hazard = services.record_hazard(project, team_member, checked_on=local_date(), description="临边",
                                    level="general", rectify_by=local_date(), photos=small)
    finding = spotchecks.record_finding(_check(campaign, project, supervisor), project, "资料不全",
                                        supervisor, rectify_by=local_date(), photos=small)
    notice = make_notice(project, supervisor, "acknowledged")
    response = notices.respond_to_notice(notice, project.leader, "已整改", files=small)
    for admin_name, pk in (("projects_obstacle", obstacle.pk), ("projects_hazard", hazard.pk),
                           ("supervision_finding", finding.pk),
                           ("supervision_noticeresponse", response.pk)):
        page = admin_client.get(reverse(f"admin:{admin_name}_change", args=[pk]))
        assert page.status_code == 200, admin_name
        # An upload here would skip the stripping: the photo inline has no file input, no new row.
        photos = next(f for f in page.context["inline_admin_formsets"]
                      if f.formset.prefix == "photos")
        assert not photos.has_add_permission and not photos.has_change_permission, admin_name
        assert 'type="file"' not in page.content.decode(), admin_name
