"""In real headless Chromium: the dashboard's headline cards keep their Chinese figures whole on a
laptop screen."""

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_day_card_does_not_split_the_campaign_length_over_two_lines(browser, live_server, town):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        login(page, "gjb")
        day = page.locator('[data-testid="day-number"]')
        assert "共" in day.inner_text()
        # Each part is one client rect unless a line broke inside it: "第55天" (the text before
        # the <small>) and "/ 共100天" (the <small>).
        day_lines, length_lines = page.evaluate("""(el) => {
            const range = document.createRange();
            range.selectNodeContents(el.firstChild);
            return [range.getClientRects().length, el.querySelector('small').getClientRects().length];
        }""", day.element_handle())
        screenshot(page, "dashboard-day-card")
        assert (day_lines, length_lines) == (1, 1)
        # ... and nothing sticks out of the card.
        card = day.locator("xpath=..").bounding_box()
        length = day.locator("small").bounding_box()
        assert length["x"] + length["width"] <= card["x"] + card["width"]
    finally:
        context.close()
