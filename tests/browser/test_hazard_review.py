"""In a real browser: a team member marks a major hazard rectified (整改完毕) from the project page;
it waits for review; the supervisor finds it on 督查总览's 待复核隐患 list and verifies it with a
note and a photo; the project page shows it closed with the review."""

import datetime
import io

import pytest
from PIL import Image

from core.dates import local_date
from projects.models import Hazard
from supervision.models import HazardReview
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("plain_http")]


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def test_a_team_member_reports_a_major_hazard_rectified_and_a_supervisor_verifies_it(page, town):
    check = factories.SafetyCheckFactory(project=town.project,
                                         checked_on=local_date() - datetime.timedelta(days=2))
    hazard = factories.HazardFactory(check_record=check, description="基坑东侧临边防护栏杆缺失",
                                     level=Hazard.Level.MAJOR,
                                     rectify_by=local_date() + datetime.timedelta(days=3))

    # The team member reports it rectified from the project page.
    login(page, "cadre1", next_path=f"/projects/{town.project.pk}/")
    card = page.locator(f"#hazard-{hazard.pk}")
    assert "整改中" in card.inner_text()
    card.get_by_role("link", name="整改完毕").click()
    page.fill("textarea[name=rectification]", "已加装1.2米高防护栏杆并设置警示标志")
    page.locator("#item-form button[type=submit]").click()
    page.wait_for_url(f"**/projects/{town.project.pk}/**")
    card = page.locator(f"#hazard-{hazard.pk}")
    assert "待复核" in card.locator(".gj-hazard-status").inner_text()
    assert card.get_by_role("link", name="整改完毕").count() == 0  # not the team's to close
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_REVIEW
    page.context.clear_cookies()

    # The supervisor finds it on the overview's list and verifies it with a note and a photo.
    login(page, "dcz", next_path=f"/supervision/?campaign={town.campaign.pk}")
    assert page.locator("#count-awaiting-review").inner_text() == "1"
    page.locator("#hazards-awaiting-review").get_by_role("link", name="复核").click()
    page.wait_for_url(f"**/supervision/hazards/{hazard.pk}/review/")
    assert "已加装1.2米高防护栏杆" in page.locator("#hazard-claim").inner_text()
    page.check("input[name=verdict][value=verified]")
    page.fill("textarea[name=note]", "现场核查，防护栏杆已加装到位")
    page.set_input_files("input[name=photo]", files=[
        {"name": "site.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    page.locator("#review-form button[type=submit]").click()
    page.wait_for_url(f"**/projects/{town.project.pk}/**")

    card = page.locator(f"#hazard-{hazard.pk}")
    assert "已整改" in card.locator(".gj-hazard-status").inner_text()
    assert "复核通过" in card.inner_text() and "现场核查，防护栏杆已加装到位" in card.inner_text()
    thumb = card.locator("img")
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.evaluate("img => img.naturalWidth") <= 480
    screenshot(page, "hazard-review-verified")
    hazard.refresh_from_db()
    review = HazardReview.objects.get()
    assert hazard.status == Hazard.Status.RECTIFIED
    assert (review.verdict, review.reviewed_by) == ("verified", town.supervisor)
    page.goto(f"/supervision/?campaign={town.campaign.pk}")
    assert page.locator("#count-awaiting-review").inner_text() == "0"
