"""Criticism and highlights through their pages."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from projects.models import Highlight
from supervision.models import Criticism
from tests.photos import phone_photo

pytestmark = pytest.mark.django_db


def test_a_criticism_is_drafted_by_hand_and_confirmed(client, campaign, project, supervisor, leader):
    client.force_login(supervisor)
    response = client.post(reverse("criticism_new"), {"campaign": campaign.pk, "project": project.pk,
                                                      "reason": "连续两周未报送进度"})
    assert response.status_code == 302
    item = Criticism.objects.get()
    assert item.person == leader and item.status == Criticism.Status.DRAFT
    client.post(reverse("criticism_confirm", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == Criticism.Status.CONFIRMED and item.confirmed_by == supervisor
    page = client.get(reverse("criticism_list")).content.decode()
    assert "for the next bulletin" in page
    client.post(reverse("criticism_withdraw", args=[item.pk]))
    assert Criticism.objects.filter(pk=item.pk).exists()  # only a draft can be withdrawn


def test_a_criticism_without_reason_says_so_and_a_leader_cannot_write_one(client, campaign, project,
                                                                          supervisor, leader):
    client.force_login(supervisor)
    response = client.post(reverse("criticism_new"), {"campaign": campaign.pk, "project": project.pk})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    client.force_login(leader)
    assert client.get(reverse("criticism_list")).status_code == 403


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "JPEG")
    return out.getvalue()


def test_a_highlight_with_a_photo_is_shown_behind_login(client, campaign, project, supervisor, leader):
    client.force_login(supervisor)
    response = client.post(reverse("highlight_new"), {
        "campaign": campaign.pk, "kind": "person", "title": "征迁一线的好干部", "body": "连续三十天驻村",
        "person_name": "黄志伟", "project": project.pk,
        "photo": SimpleUploadedFile("p.jpg", _jpeg(), "image/jpeg")})
    assert response.status_code == 302
    highlight = Highlight.objects.get()
    client.force_login(leader)
    page = client.get(reverse("highlight_list")).content.decode()
    assert "征迁一线的好干部" in page
    photo = client.get(reverse("highlight_photo", args=[highlight.pk]))
    assert photo["Content-Type"] == "image/jpeg" and photo["X-Content-Type-Options"] == "nosniff"
    client.logout()
    assert client.get(reverse("highlight_photo", args=[highlight.pk])).status_code == 302


def test_a_highlight_photo_is_kept_without_the_phones_position_and_camera(
        client, campaign, project, supervisor):
    """Highlights are published in bulletins that leave the town: the photo is kept as every
    photo is (projects.photos), without the GPS position and the camera the phone wrote."""
    client.force_login(supervisor)
    taken = datetime.datetime(2026, 12, 1, 9, 30)
    original = phone_photo(taken, size=(1600, 1200))
    with Image.open(io.BytesIO(original)) as img:  # what the phone wrote: position and camera
        assert img.getexif().get_ifd(ExifTags.IFD.GPSInfo) and img.getexif()[ExifTags.Base.Model]
    response = client.post(reverse("highlight_new"), {
        "campaign": campaign.pk, "kind": "practice", "title": "夜间施工不扰民", "body": "做法",
        "photo": SimpleUploadedFile("IMG_0001.jpg", original, "image/jpeg")})
    assert response.status_code == 302
    served = b"".join(client.get(reverse("highlight_photo",
                                         args=[Highlight.objects.get().pk])).streaming_content)
    with Image.open(io.BytesIO(served)) as img:
        assert img.format == "JPEG" and img.size == (1600, 1200)
        exif = img.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Model not in exif
    assert "IMG_0001" not in Highlight.objects.get().photo.name  # the uploaded name is not kept


def test_an_exemplary_person_needs_a_name_and_a_photo_must_be_an_image(client, campaign, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("highlight_new"), {
        "campaign": campaign.pk, "kind": "person", "title": "好干部", "body": "事迹",
        "photo": SimpleUploadedFile("p.jpg", b"not an image", "image/jpeg")})
    page = response.content.decode()
    assert response.status_code == 200 and "好干部" in page
    assert "p.jpg is not an image of an accepted kind (JPEG, PNG)." in page
    assert 'id="photos-lost"' in page  # the chosen file is gone from the form: said
    response = client.post(reverse("highlight_new"), {
        "campaign": campaign.pk, "kind": "person", "title": "好干部", "body": "事迹"})
    assert "Name the exemplary person." in response.content.decode()
    assert 'id="photos-lost"' not in response.content.decode()  # nothing was chosen
    assert not Highlight.objects.exists()


@pytest.mark.parametrize(("page", "args", "back"), [
    ("criticism_new", [], "criticism_list"),
    ("highlight_new", [], "highlight_list"),
    ("spotcheck_new", ["random"], "spotcheck_list"),
    ("spotcheck_new", ["scheduled"], "spotcheck_list"),
    ("notice_new", [], "notice_list"),
])
def test_every_new_record_form_has_a_cancel_link_back_to_its_list(client, campaign, supervisor,
                                                                 page, args, back):
    client.force_login(supervisor)
    body = client.get(reverse(page, args=args) + f"?campaign={campaign.pk}").content.decode()
    assert f'href="{reverse(back)}?campaign={campaign.pk}">Cancel</a>' in body


def test_the_criticism_form_lists_people_by_name(client, campaign, project, supervisor, leader,
                                                 other_leader):
    from projects.models import Project

    Project.objects.create(**{**{f.name: getattr(project, f.name) for f in Project._meta.fields
                                 if f.name not in ("id", "code", "leader")},
                              "code": "HN-99", "leader": other_leader})
    first, second = sorted([leader, other_leader], key=lambda user: user.username)
    first.profile.full_name, second.profile.full_name = "王五", "李四"  # against the usernames
    first.profile.save()
    second.profile.save()
    client.force_login(supervisor)
    form = client.get(reverse("criticism_new") + f"?campaign={campaign.pk}").context["form"]
    names = [user.profile.full_name for user in form.fields["person"].queryset]
    assert names == sorted(names)


def test_a_criticism_names_only_the_project_s_leader_or_team(client, campaign, project, supervisor,
                                                            leader, other_leader, team_member):
    from projects.models import Project

    Project.objects.create(**{**{f.name: getattr(project, f.name) for f in Project._meta.fields
                                 if f.name not in ("id", "code", "leader")},
                              "code": "HN-99", "leader": other_leader})
    client.force_login(supervisor)
    data = {"campaign": campaign.pk, "project": project.pk, "reason": "连续两周未报送进度"}
    response = client.post(reverse("criticism_new"), {**data, "person": other_leader.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["person"] == [
        "This person is neither the leader nor on the team of the project."]
    assert not Criticism.objects.exists()
    assert client.post(reverse("criticism_new"), {**data, "person": team_member.pk}).status_code == 302
    assert Criticism.objects.get().person == team_member


def test_a_decompression_bomb_highlight_photo_is_refused_and_the_text_kept(client, campaign,
                                                                            supervisor):
    from tests.projects.conftest import bomb_png

    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"  # this page in Chinese
    response = client.post(reverse("highlight_new"), {
        "campaign": campaign.pk, "kind": "person", "title": "征迁一线的好干部", "body": "连续三十天驻村",
        "person_name": "黄志伟", "photo": SimpleUploadedFile("p.png", bomb_png(), "image/png")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "像素" in page and "连续三十天驻村" in page and "黄志伟" in page
    assert not Highlight.objects.exists()


def test_highlight_photos_kept_as_uploaded_before_lose_their_metadata_by_the_command(
        campaign, project, django_capture_on_commit_callbacks):
    """Highlights stored before this release kept the phone's file: `make_photo_copies` re-encodes
    them without metadata and deletes the old file; a second run changes nothing."""
    import os

    from django.core.files.base import ContentFile
    from django.core.management import call_command

    old = Highlight(campaign=campaign, project=project, kind="practice", title="旧宣传", body="做法")
    old.photo.save("IMG_0002.jpg", ContentFile(phone_photo(datetime.datetime(2026, 11, 20, 8),
                                                           size=(1200, 900))), save=True)
    without = Highlight.objects.create(campaign=campaign, kind="deed", title="无图", body="事迹")
    old_path = old.photo.path
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("make_photo_copies", stdout=out)
        call_command("make_photo_copies", stdout=out)  # a second run changes nothing
    assert "1 highlight photos stripped of metadata" in out.getvalue()
    assert "0 highlight photos stripped of metadata" in out.getvalue()
    old.refresh_from_db()
    with old.photo.open("rb") as fh, Image.open(fh) as img:
        assert img.size == (1200, 900) and not img.getexif()
    assert not os.path.exists(old_path)  # the file with the GPS position is gone
    assert not Highlight.objects.get(pk=without.pk).photo


def test_the_admin_shows_a_highlights_photo_but_takes_no_upload(admin_client, campaign):
    """An upload through the admin would skip the re-encoding: the photo is read-only there."""
    highlight = Highlight.objects.create(campaign=campaign, kind="deed", title="事迹", body="正文")
    page = admin_client.get(reverse("admin:projects_highlight_change", args=[highlight.pk]))
    assert page.status_code == 200
    assert 'name="photo"' not in page.content.decode()


def test_the_person_criticised_is_told_once_when_it_is_confirmed(campaign, project, supervisor,
                                                                 leader):
    """Found by the higher office's walk: the person named in a 通报批评 heard nothing until the
    bulletin was published. Told on confirmation, once however often it is confirmed."""
    from supervision import criticism as criticism_service
    from supervision.models import Notification

    draft = criticism_service.draft_criticism(project, person=leader, reason="督办单逾期未反馈")
    assert not Notification.objects.filter(user=leader).exists()  # a draft may be withdrawn
    criticism_service.confirm_criticism(draft, supervisor)
    criticism_service.confirm_criticism(draft, supervisor)
    [told] = Notification.objects.filter(user=leader, kind="criticism_confirmed")
    assert project.code in told.title and told.body == "督办单逾期未反馈"
    assert told.url == reverse("project_detail", args=[project.pk])
