"""Report photos are served behind login, to readers of the project, only ever as images."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from projects.models import ReportPhoto
from tests import factories
from tests.projects.conftest import READERS, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(town):
    report = factories.ProgressReportFactory(project=town.project, percent=Decimal("10"))
    photo = ReportPhoto(report=report)
    photo.image.save("a.png", ContentFile(image_bytes("PNG")), save=True)
    return photo


@pytest.mark.parametrize("role", READERS)
def test_readers_of_the_project_see_the_photo_as_an_inline_image(client, town, photo, role):
    client.force_login(town.user(role))
    response = client.get(reverse("report_photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    # Not kept by a shared office browser after the user signs out.
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_user_of_another_town_gets_a_404(client, town, photo, caplog):
    client.force_login(town.outsider)
    assert client.get(reverse("report_photo", args=[photo.pk])).status_code == 404
    assert "refused read" in caplog.text


def test_an_anonymous_visitor_is_sent_to_log_in(client, photo):
    response = client.get(reverse("report_photo", args=[photo.pk]))
    assert response.status_code == 302


def test_a_stored_file_that_is_not_an_image_is_never_served(client, town):
    report = factories.ProgressReportFactory(project=town.project)
    bad = ReportPhoto(report=report)
    bad.image.save("evil.png", ContentFile(b"<html><script>alert(1)</script>"), save=True)
    client.force_login(town.leader)
    assert client.get(reverse("report_photo", args=[bad.pk])).status_code == 404


def test_uploads_have_no_public_url(client, photo):
    assert client.get("/media/" + photo.image.name).status_code in (302, 404)
