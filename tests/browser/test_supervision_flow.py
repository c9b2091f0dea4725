"""In a real browser: the supervision group finds an overdue (red) project, drafts and issues a
notice, the leader acknowledges and answers it from their own page with a photo, the group closes
it, drafts and publishes the bulletin, and the bulletin lists the closed notice."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from campaign.models import Role
from projects.models import Project
from supervision.models import Bulletin, Flag, Notice, Severity
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.factories import placed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("plain_http")]


@pytest.fixture
def town_with_a_red_project(db):
    campaign = factories.CampaignFactory()
    town = campaign.unit
    supervisor = placed(factories.UserFactory(username="dcz", roles=[Role.SUPERVISOR]), town)
    leader = placed(factories.UserFactory(username="leader3", roles=[Role.LEADER]), town)
    leader.profile.full_name = "张明"
    leader.profile.save(update_fields=["full_name"])
    project = factories.ProjectFactory(campaign=campaign, leader=leader, code="HN-03",
                                       name="湖南镇安置房一期工程", health=Project.Health.RED)
    factories.ProgressReportFactory(project=project, percent=Decimal("18"),
                                    reported_at=timezone.now() - datetime.timedelta(days=3))
    Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        opened_at=timezone.now() - datetime.timedelta(days=6),
                        details={"lag": "27.0"})
    return campaign, supervisor, leader, project


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(out, "PNG")
    return out.getvalue()


def test_a_red_project_goes_to_a_closed_notice_and_a_published_bulletin(page, town_with_a_red_project):
    campaign, supervisor, leader, project = town_with_a_red_project

    # The supervision group finds the red project on its overview and drafts a notice.
    login(page, "dcz", next_path="/supervision/")
    row = page.locator("#open-flags tr.flag-row", has_text="HN-03")
    assert row.count() == 1
    row.locator("a[href*='/supervision/notices/new/']").click()
    page.fill("textarea[name=required_action]", "三日内制定赶工计划，增加施工班组")
    page.locator("#notice-form button").click()
    page.wait_for_url("**/supervision/notices/*/")
    notice = Notice.objects.get()
    assert notice.reason  # prefilled from the open flags of the project
    page.click("#do-issue")
    page.wait_for_selector("#step-issue", state="detached")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ISSUED and notice.number
    screenshot(page, "supervision-notice-issued")
    page.context.clear_cookies()

    # The leader answers from their own page of notices, with a photo as evidence.
    login(page, "leader3")
    page.click("#nav-my-notices")
    page.get_by_role("link", name=notice.number).click()
    page.click("#do-acknowledge")
    page.wait_for_selector("#step-respond")
    page.fill("textarea[name=respond-measures]", "已制定赶工计划，新增两个施工班组，夜间加班施工")
    page.set_input_files("input[name=respond-files]", files=[
        {"name": "site.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.click("#do-respond")
    page.wait_for_selector("#step-respond", state="detached")
    # The photo shows as its thumbnail, never as the original.
    assert page.locator("img.gj-photo[src$='/thumb/']").count() == 1
    page.context.clear_cookies()

    # The supervision group verifies and closes it.
    login(page, "dcz", next_path=f"/supervision/notices/{notice.pk}/")
    page.fill("textarea[name=close-comment]", "现场核查属实，予以销号")
    page.click("#do-close")
    page.wait_for_selector("#step-close", state="detached")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CLOSED
    events = page.locator("#notice-events li").all_inner_texts()
    assert len(events) == 5 and "张明" in events[2] and "张明" in events[3]

    # The bulletin of the period lists the closed notice.
    page.click("#nav-supervision")
    page.click("a.dropdown-item[href='/supervision/bulletins/']")
    today = timezone.localdate()
    page.fill("input[name=period_start]", (today - datetime.timedelta(days=6)).isoformat())
    page.fill("input[name=period_end]", today.isoformat())
    page.click("#draft-bulletin")
    page.wait_for_url("**/supervision/bulletins/*/")
    page.click("#publish-bulletin")
    # A confirmation page says who will be notified; nothing is published before it is confirmed.
    page.wait_for_selector("#confirm-notified")
    assert Bulletin.objects.get().status == Bulletin.Status.DRAFT
    page.click("#confirm-submit")
    page.wait_for_selector("#bulletin-notices")
    bulletin = Bulletin.objects.get()
    assert bulletin.status == Bulletin.Status.PUBLISHED
    notices = page.locator("#bulletin-notices").inner_text()
    assert notice.number in notices and "HN-03" in notices
    assert "HN-03" in page.locator("#bulletin-red").inner_text()
    screenshot(page, "supervision-bulletin-published")
    page.context.clear_cookies()

    # The leader reads the published bulletin too.
    login(page, "leader3", next_path=f"/supervision/bulletins/{bulletin.pk}/")
    assert notice.number in page.locator("#bulletin-notices").inner_text()
