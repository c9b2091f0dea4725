"""In real headless Chromium: the wall runs all day from a wall link — no login, one screen at
1366×768 with nothing cut, the space of 1920×1080 used, a long list paged, the red counter
readable, and a revoked link refused."""

import pytest
from django.urls import reverse

from tests import factories
from tests.browser.conftest import screenshot
from web import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST = """(el) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const lum = ([r, g, b]) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  let bg = el, color = getComputedStyle(el).color;
  const clear = (e) => getComputedStyle(e).backgroundColor.match(/rgba\\(.*, 0\\)$|transparent/);
  while (bg && clear(bg)) { bg = bg.parentElement; }
  const a = lum(rgb(color)), b = lum(rgb(getComputedStyle(bg || document.body).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""

LAYOUT = """() => {
  const rows = [...document.querySelectorAll('#wall-table tbody tr')];
  const shown = rows.filter((r) => r.offsetParent !== null);
  const box = document.getElementById('wall-table-box').getBoundingClientRect();
  return {scroll: document.documentElement.scrollHeight, height: window.innerHeight,
          width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
          rows: rows.length, shown: shown.length,
          lastBottom: Math.max(...shown.map((r) => r.getBoundingClientRect().bottom)),
          boxBottom: box.bottom, first: shown[0].innerText,
          pager: document.getElementById('wall-pager').innerText};
}"""


@pytest.fixture
def long_list(town):
    for i in range(40):
        factories.ProjectFactory(campaign=town.campaign, code=f"HN-{i + 10:02d}", name=f"重点项目{i + 10}",
                                 leader=town.leader)
    link, token = services.create_wall_link(town.campaign, town.town_admin, label="大厅")
    return link, reverse("wall_by_link", args=[token])


def _wall(browser, live_server, width, height):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_the_wall_fits_1366x768_and_pages_through_a_long_list(browser, live_server, long_list):
    _link, url = long_list
    context, page = _wall(browser, live_server, 1366, 768)
    try:
        page.clock.install()
        response = page.goto(url)
        assert response.status == 200 and "/accounts/login/" not in page.url
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        first = page.evaluate(LAYOUT)
        screenshot(page, "wall-1366x768")
        assert first["scroll"] <= first["height"] and first["scrollWidth"] <= first["width"]
        assert first["lastBottom"] <= first["height"]  # the last row shown is whole
        assert 0 < first["shown"] < first["rows"] == 42
        pages = -(-first["rows"] // first["shown"])
        assert first["pager"] == f"1 / {pages}"
        page.clock.fast_forward(16_000)
        second = page.evaluate(LAYOUT)
        assert second["pager"] == f"2 / {pages}" and second["first"] != first["first"]
        assert second["lastBottom"] <= second["height"]
        # The red day counter reads at AA contrast on the dark wall.
        assert page.evaluate(CONTRAST, page.locator(".gj-day").element_handle()) >= 4.5
    finally:
        context.close()


def test_the_wall_uses_the_height_of_1920x1080(browser, live_server, long_list):
    _link, url = long_list
    context, page = _wall(browser, live_server, 1920, 1080)
    try:
        page.goto(url)
        layout = page.evaluate(LAYOUT)
        screenshot(page, "wall-1920x1080")
        assert layout["scroll"] <= layout["height"]
        # The list fills the screen: its box reaches the bottom, with no third of it left empty.
        assert layout["boxBottom"] >= 0.95 * layout["height"]
        assert layout["lastBottom"] >= 0.85 * layout["height"]
    finally:
        context.close()


def test_a_revoked_wall_link_stops_showing_the_wall(browser, live_server, long_list, town):
    link, url = long_list
    context, page = _wall(browser, live_server, 1366, 768)
    try:
        assert page.goto(url).status == 200
        services.revoke_wall_link(link, town.town_admin)
        assert page.goto(url).status == 410
        assert "此大屏链接已被撤销" in page.inner_text("#error-page")
        assert page.goto(reverse("dashboard")).url.endswith(f"/accounts/login/?next={reverse('dashboard')}")
    finally:
        context.close()


def test_the_hall_screen_shows_by_itself_that_its_link_was_revoked(browser, live_server, long_list,
                                                                   town):
    """The screen reloads itself; once the office revokes its link the next reload shows the
    revoked page (410), not the last figures frozen forever (a network hiccup, by contrast,
    keeps them and tries again)."""
    link, url = long_list
    context, page = _wall(browser, live_server, 1366, 768)
    try:
        page.clock.install()
        assert page.goto(url).status == 200
        services.revoke_wall_link(link, town.town_admin)
        with page.expect_navigation():
            page.clock.run_for(301_000)  # past the default refresh (300 s)
        page.wait_for_selector("#error-page")
        assert "此大屏链接已被撤销" in page.inner_text("#error-page")
    finally:
        context.close()
