"""In real headless Chromium on a phone: the supervision group's tables keep each Chinese header
on one line and scroll sideways, instead of stacking a header one character a line."""

import pytest

from campaign.models import Role
from supervision.models import Flag, Severity
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.workbench.conftest import make_notice, placed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("plain_http")]


@pytest.fixture
def supervisor_with_work(db):
    campaign = factories.CampaignFactory()
    supervisor = placed(factories.UserFactory(username="dcz", roles=[Role.SUPERVISOR]),
                        campaign.unit)
    project = factories.ProjectFactory(campaign=campaign, name="湖南镇安置房一期工程")
    Flag.objects.create(project=project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                        details={"lag": "27.0"})
    make_notice(project, supervisor)
    make_notice(project, supervisor, "draft")
    return supervisor


@pytest.mark.parametrize("path", ["/supervision/", "/supervision/notices/"])
def test_table_headers_stay_on_one_line_on_a_phone(phone_page, supervisor_with_work, path):
    login(phone_page, "dcz", next_path=path)
    headers = phone_page.evaluate("""() => [...document.querySelectorAll('table thead th')]
        .filter(th => th.innerText.trim())
        .map(th => [th.innerText.trim(), th.getClientRects()[0].height,
                    parseFloat(getComputedStyle(th).lineHeight)
                    + parseFloat(getComputedStyle(th).paddingTop)
                    + parseFloat(getComputedStyle(th).paddingBottom)])""")
    screenshot(phone_page, "phone-" + path.strip("/").replace("/", "-"))
    assert headers, f"no table headers on {path}"
    stacked = [text for text, height, one_line in headers if height > one_line * 1.5]
    assert not stacked, f"headers broken over several lines on {path}: {stacked}"
    # The tables scroll inside their boxes: the page itself is no wider than the phone (a hidden
    # header label positioned outside its box once made the notices' page 552 px wide).
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_bulletins_tables_scroll_inside_their_boxes_on_a_phone(phone_page):
    """Found by the leader's walk on the demo: the bulletin's notices table was not in a scroll
    box and made the page 406 px wide on a 390 px phone."""
    import datetime

    from django.utils import timezone

    from supervision import bulletins
    from web.demo import seed_demo

    campaign = seed_demo().campaign
    make_notice(campaign.projects.order_by("code").first(),
                placed(factories.UserFactory(username="dcz2", roles=[Role.SUPERVISOR]),
                       campaign.unit))
    today = timezone.localdate()
    bulletin = bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today)
    login(phone_page, "dcz2", next_path=f"/supervision/bulletins/{bulletin.pk}/")
    phone_page.locator("#bulletin-notices table").wait_for()
    screenshot(phone_page, "phone-bulletin")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    # Every table that fills most of the phone's width scrolls in its own box, whatever its
    # rows hold (a longer reason or name would push the page wider).
    loose = phone_page.evaluate("""() => [...document.querySelectorAll('main table')]
        .filter(t => t.getBoundingClientRect().width > 0.6 * window.innerWidth
                     && !t.closest('.table-responsive'))
        .map(t => t.closest('section') ? t.closest('section').id : t.outerHTML.slice(0, 60))""")
    assert not loose, loose
