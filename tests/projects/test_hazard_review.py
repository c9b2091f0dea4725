"""复核 of major safety hazards: the team's 整改完毕 of a 重大 hazard waits for the supervision group
of the campaign's town, who verify it (closed) or return it (整改中 again, the note shown to the
team); a general hazard is closed by the team itself."""

import datetime
import importlib
import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from campaign.models import Role
from core.dates import local_date
from projects.models import Hazard
from supervision.models import HazardReview, Notification
from tests import factories
from tests.photos import phone_photo
from tests.projects.conftest import place, upload

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'<input type="hidden" name="once" value="([0-9a-f]{32})">')


@pytest.fixture
def tasks_registered():
    """The Celery entry points, as the worker's autodiscovery loads them (nothing imports them)."""
    importlib.import_module("supervision.tasks")


def _major(town, **fields) -> Hazard:
    check = factories.SafetyCheckFactory(project=town.project,
                                         checked_on=local_date() - datetime.timedelta(days=3))
    fields.setdefault("level", Hazard.Level.MAJOR)
    return factories.HazardFactory(check_record=check,
                                   rectify_by=local_date() + datetime.timedelta(days=2), **fields)


def _rectify(client, user, hazard, text="已加装防护栏"):
    client.force_login(user)
    return client.post(reverse("hazard_rectify", args=[hazard.pk]),
                       {"rectification": text, "rectified_on": local_date().isoformat()})


def _review(client, user, hazard, verdict, note="", **extra):
    client.force_login(user)
    return client.post(reverse("hazard_review", args=[hazard.pk]),
                       {"verdict": verdict, "note": note, **extra})


def _phone_photo() -> bytes:
    """A JPEG with a GPS position and a camera model in its EXIF, as a phone writes it."""
    image = Image.new("RGB", (1200, 900), (40, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "PhoneCam X"  # Model
    exif[0x8825] = {1: "N", 2: (26.0, 5.0, 0.0), 3: "E", 4: (119.0, 30.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_general_hazard_is_closed_by_the_team(client, town):
    hazard = _major(town, level=Hazard.Level.GENERAL)
    assert _rectify(client, town.team_member, hazard).status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.RECTIFIED and hazard.review_round == 0
    assert not HazardReview.objects.exists()


def test_a_major_hazard_waits_for_review_and_the_supervisors_are_told(
        client, town, celery_eager, tasks_registered, django_capture_on_commit_callbacks):
    hazard = _major(town)
    with django_capture_on_commit_callbacks(execute=True):
        response = _rectify(client, town.team_member, hazard)
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_REVIEW and hazard.review_round == 1
    assert hazard.rectified_on == local_date()
    told = Notification.objects.filter(kind="hazard_review")
    assert {n.user_id for n in told} == {town.supervisor.pk}
    assert told.get().url == reverse("hazard_review", args=[hazard.pk])
    # The team cannot mark it again, nor edit it, while it is awaiting review.
    again = _rectify(client, town.team_member, hazard)
    assert again.status_code == 200
    assert "该隐患的整改已在等待复核。" in again.content.decode()
    opened = client.get(reverse("hazard_rectify", args=[hazard.pk]))
    assert opened.status_code == 302 and opened.url.endswith(f"#hazard-{hazard.pk}")
    assert client.get(reverse("hazard_update", args=[hazard.pk])).status_code == 302


def test_verified_closes_the_hazard_with_who_and_when(client, town):
    hazard = _major(town)
    _rectify(client, town.team_member, hazard)
    response = _review(client, town.supervisor, hazard, "verified", "现场核实，防护栏已加装到位")
    assert response.status_code == 302
    assert response.url == reverse("project_detail", args=[town.project.pk]) + f"#hazard-{hazard.pk}"
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.RECTIFIED
    review = HazardReview.objects.get()
    assert (review.verdict, review.round, review.reviewed_by) == ("verified", 1, town.supervisor)
    assert review.rectification == "已加装防护栏" and review.reviewed_at is not None


def test_returned_goes_back_to_the_team_and_round_two_is_verified(client, town):
    hazard = _major(town)
    _rectify(client, town.team_member, hazard)
    # A return needs a note, in Chinese beside the field; nothing is stored without it.
    no_note = _review(client, town.supervisor, hazard, "returned")
    assert no_note.status_code == 400
    assert no_note.context["form"].errors["note"] == ["请说明退回的理由。"]
    assert not HazardReview.objects.exists()

    assert _review(client, town.supervisor, hazard, "returned", "东侧仍缺防护栏").status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.OPEN and hazard.rectified_on is None and hazard.was_returned
    returned = Notification.objects.filter(kind="hazard_returned")
    assert {n.user_id for n in returned} == {town.leader.pk, town.team_member.pk}
    assert returned.first().body == "东侧仍缺防护栏"

    # The team sees the note on the project page and on 待办, one tap from the form.
    client.force_login(town.team_member)
    page = client.get(reverse("project_detail", args=[town.project.pk])).content.decode()
    assert "东侧仍缺防护栏" in page and "已退回" in page and "整改中" in page
    todo = client.get(reverse("todo"))
    item = next(i for i in todo.context["items"] if i["kind"] == "hazard")
    assert "东侧仍缺防护栏" in item["title"] and item["url"] == reverse("hazard_rectify", args=[hazard.pk])

    assert _rectify(client, town.team_member, hazard, "东侧已补装").status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_REVIEW and hazard.review_round == 2
    assert _review(client, town.supervisor, hazard, "verified", "已补装").status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.RECTIFIED
    assert list(HazardReview.objects.order_by("round").values_list("round", "verdict")) == [
        (1, "returned"), (2, "verified")]
    assert all(i["kind"] != "hazard" for i in client.get(reverse("todo")).context["items"])


def test_the_town_office_may_review_too(client, town):
    hazard = _major(town)
    _rectify(client, town.leader, hazard)
    assert _review(client, town.town_admin, hazard, "verified", "同意").status_code == 302
    assert HazardReview.objects.get().reviewed_by == town.town_admin


@pytest.mark.parametrize("role", ["team_member", "leader", "observer", "other_member"])
def test_others_who_read_the_project_get_a_403_and_nothing_changes(client, town, role):
    hazard = _major(town)
    _rectify(client, town.team_member, hazard)
    assert _review(client, town.user(role), hazard, "verified", "自己核实").status_code == 403
    assert client.get(reverse("hazard_review", args=[hazard.pk])).status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_REVIEW and not HazardReview.objects.exists()


def test_a_supervisor_of_another_town_gets_a_404(client, town):
    hazard = _major(town)
    _rectify(client, town.team_member, hazard)
    stranger = place(factories.UserFactory(username="dcz_tantou", roles=[Role.SUPERVISOR]),
                     town.outsider.profile.unit)
    assert _review(client, stranger, hazard, "verified", "通过").status_code == 404
    assert not HazardReview.objects.exists()


def test_a_hazard_not_awaiting_review_cannot_be_reviewed(client, town):
    hazard = _major(town)
    response = _review(client, town.supervisor, hazard, "verified", "通过")
    assert response.status_code == 400
    assert "该隐患不在待复核状态" in response.content.decode()
    assert not HazardReview.objects.exists()


def test_the_review_photo_is_stored_without_its_metadata_and_shown_as_a_thumbnail(client, town):
    hazard = _major(town)
    _rectify(client, town.team_member, hazard)
    response = _review(client, town.supervisor, hazard, "verified", "现场照片为证",
                       photo=upload("site.jpg", _phone_photo()))
    assert response.status_code == 302
    review = HazardReview.objects.get()
    for copy in (review.photo, review.photo_screen, review.photo_thumbnail):
        with copy.open("rb") as fh, Image.open(fh) as img:
            assert not img.getexif() and max(img.size) <= 1200
    with review.photo_thumbnail.open("rb") as fh, Image.open(fh) as img:
        assert max(img.size) <= 480
    client.force_login(town.team_member)
    page = client.get(reverse("project_detail", args=[town.project.pk])).content.decode()
    assert reverse("hazard_review_photo_thumb", args=[review.pk]) in page
    assert client.get(reverse("hazard_review_photo_thumb", args=[review.pk])).status_code == 200


def test_a_file_that_is_not_a_photo_is_refused_beside_the_field(client, town):
    hazard = _major(town)
    _rectify(client, town.team_member, hazard)
    response = _review(client, town.supervisor, hazard, "verified", "通过",
                       photo=upload("site.jpg", b"not an image at all", "image/jpeg"))
    assert response.status_code == 400 and response.context["form"].errors["photo"]
    assert 'value="通过"' in response.content.decode() or "通过" in response.content.decode()
    assert not HazardReview.objects.exists()


def test_the_overview_lists_and_counts_the_hazards_awaiting_review(client, town):
    waiting = [_major(town, description=f"隐患{i}") for i in range(2)]
    for hazard in waiting:
        _rectify(client, town.team_member, hazard)
    _major(town, description="尚未整改")
    client.force_login(town.supervisor)
    page = client.get(reverse("supervision_overview")).content.decode()
    section = page[page.index('id="hazards-awaiting-review"'):page.index('id="open-flags"')]
    assert re.search(r'id="count-awaiting-review">2<', section)
    assert "隐患0" in section and "隐患1" in section and "尚未整改" not in section
    assert reverse("hazard_review", args=[waiting[0].pk]) in section
    # The higher office reads the list without the buttons.
    client.force_login(town.observer)
    page = client.get(reverse("supervision_overview")).content.decode()
    assert 'id="count-awaiting-review">2<' in page
    assert reverse("hazard_review", args=[waiting[0].pk]) not in page


def test_a_hazard_awaiting_review_is_not_overdue_and_a_returned_one_is_again(client, town):
    from supervision.models import Flag
    from supervision.scan import scan_project

    hazard = _major(town)
    Hazard.objects.filter(pk=hazard.pk).update(rectify_by=local_date() - datetime.timedelta(days=1))
    _rectify(client, town.team_member, hazard)
    scan_project(town.project.pk)
    assert not Flag.objects.filter(project=town.project, kind="hazard_overdue",
                                   resolved_at__isnull=True).exists()
    _review(client, town.supervisor, hazard, "returned", "未整改到位")
    scan_project(town.project.pk)
    flag = Flag.objects.get(project=town.project, kind="hazard_overdue", resolved_at__isnull=True)
    assert flag.severity == "red"  # a major hazard overdue is red


def test_a_lost_announcement_is_made_up_by_the_reminders_once(town):
    from supervision.hazards import announce_awaiting_review
    from supervision.reminders import send_reminders

    hazard = _major(town, status=Hazard.Status.AWAITING_REVIEW, rectified_on=local_date(),
                    rectification="已整改", review_round=1)  # its announcement never went out
    send_reminders()
    send_reminders()
    told = Notification.objects.filter(kind="hazard_review")
    assert list(told.values_list("user_id", "url")) == [
        (town.supervisor.pk, reverse("hazard_review", args=[hazard.pk]))]
    assert announce_awaiting_review(hazard.pk) == 0  # the task run late sends nothing twice
    Hazard.objects.filter(pk=hazard.pk).update(review_round=2)  # a second round is told again
    assert announce_awaiting_review(hazard.pk) == 1


@pytest.mark.parametrize("days_before_rectified, marked", [(2, True), (0, False)])
def test_a_review_photo_taken_before_the_rectification_is_marked_not_this_periods(
        client, town, days_before_rectified, marked):
    """A 复核 photo proves the rectification only if taken after it: one taken earlier (an old
    photo of the site) is marked 非本期照片, as every other stored photo is."""
    hazard = _major(town)
    _rectify(client, town.team_member, hazard)  # rectified today
    taken = datetime.datetime.combine(local_date() - datetime.timedelta(days=days_before_rectified),
                                      datetime.time(0, 5))
    response = _review(client, town.supervisor, hazard, "verified", "现场照片为证",
                       photo=upload("site.jpg", phone_photo(taken, size=(1200, 900))))
    assert response.status_code == 302
    review = HazardReview.objects.get()
    assert review.photo_taken_before_period is marked
    client.force_login(town.team_member)
    page = client.get(reverse("project_detail", args=[town.project.pk])).content.decode()
    assert ("非本期照片" in page) is marked


def test_the_reviewer_sees_the_photos_of_the_hazard_and_of_its_rectification(client, town):
    """Found by the supervision group's walk: the 复核 page showed the team's words but not the
    photo they sent with 整改完毕 — the evidence the decision rests on."""
    hazard = _major(town)
    client.force_login(town.team_member)
    response = client.post(reverse("hazard_rectify", args=[hazard.pk]), {
        "rectification": "已在基坑东侧补设防护栏杆", "rectified_on": local_date().isoformat(),
        "photos": [upload("after.jpg", _phone_photo())]})
    assert response.status_code == 302
    client.force_login(town.supervisor)
    page = client.get(reverse("hazard_review", args=[hazard.pk])).content.decode()
    photo = hazard.photos.get(stage="rectified")
    box = page[page.index('id="rectified-photos"'):]
    assert photo.thumbnail_url in box[:1500]
