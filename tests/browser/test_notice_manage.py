"""In a real browser: the supervision group edits a draft notice before issuing it, issues it,
urges the leader by hand (催办) with a note, and the list counts the urging; the leader finds the
urging in their bell."""

import pytest

from campaign.models import Role
from supervision import notices
from supervision.models import Notice, NoticeEvent, Notification
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.factories import placed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("plain_http")]


@pytest.fixture
def draft(db):
    campaign = factories.CampaignFactory()
    supervisor = placed(factories.UserFactory(username="dcz", roles=[Role.SUPERVISOR]), campaign.unit)
    leader = placed(factories.UserFactory(username="leader3", roles=[Role.LEADER]), campaign.unit)
    project = factories.ProjectFactory(campaign=campaign, leader=leader, code="HN-05",
                                       name="滨海大道拓宽工程")
    notice = notices.create_draft_notice(project, reason="进度滞后", required_action="加快进度",
                                         created_by=supervisor)
    return notice, leader


def test_a_supervisor_edits_a_draft_issues_it_and_urges_the_leader(page, draft):
    notice, leader = draft
    login(page, "dcz", next_path=f"/supervision/notices/{notice.pk}/")

    # Edit the draft: what was typed is what is issued.
    page.click("#edit-draft")
    page.wait_for_url("**/edit/")
    page.fill("textarea[name=required_action]", "三日内增加两个施工班组，每日报送进度")
    page.click("#save-draft")
    page.wait_for_url(f"**/supervision/notices/{notice.pk}/")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert notice.required_action == "三日内增加两个施工班组，每日报送进度"
    assert "三日内增加两个施工班组" in page.inner_text("main")

    page.click("#do-issue")
    page.wait_for_selector("#step-issue", state="detached")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ISSUED and notice.number
    assert notice.required_action == "三日内增加两个施工班组，每日报送进度"

    # 催办 by hand, with a note: counted on the notice and in the list, told to the leader.
    page.fill("textarea[name=urge-note]", "请今日内签收并反馈")
    page.click("#do-urge")
    page.wait_for_selector("#urge-count")
    assert "1" in page.inner_text("#urge-count")
    page.fill("textarea[name=urge-note]", "再次催办")
    page.click("#do-urge")
    page.wait_for_function("document.querySelector('#urge-count').textContent.includes('2')")
    assert NoticeEvent.objects.filter(notice=notice, action=NoticeEvent.Action.URGED).count() == 2
    assert Notice.objects.get(pk=notice.pk).urge_count == 2
    screenshot(page, "notice-urged-twice")

    page.goto("/supervision/notices/")
    row = page.locator("tr", has_text=notice.number)
    assert row.locator(".urge-count").inner_text().strip() == "2"

    # The leader was told, with the note.
    told = Notification.objects.filter(user=leader)
    assert any("请今日内签收并反馈" in (n.body or "") + (n.title or "") for n in told), list(told.values())
