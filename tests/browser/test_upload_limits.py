"""In real headless Chromium: a file over its size limit is refused by the page before anything
is sent (static/js/gongjian.js), so what was typed stays in the form."""

import pytest

from projects.forms import MAX_PHOTO_BYTES
from projects.models import Highlight
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("plain_http")]


def test_a_photo_over_the_limit_is_refused_before_sending_and_the_text_stays(page, town, tmp_path):
    big = tmp_path / "huge.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"\x00" * (MAX_PHOTO_BYTES + 1))
    login(page, "dcz", next_path="/supervision/highlights/new/")
    page.fill("input[name=title]", "征迁一线的好干部")
    page.fill("textarea[name=body]", "连续三十天驻村")
    page.set_input_files("input[name=photo]", str(big))
    message = page.evaluate("document.querySelector('input[name=photo]').validationMessage")
    assert "10 MB" in message
    url = page.url
    page.locator("input[name=photo]").evaluate("(el) => el.form.requestSubmit()")
    page.wait_for_timeout(300)
    screenshot(page, "highlight-photo-too-big")
    assert page.url == url
    assert page.input_value("textarea[name=body]") == "连续三十天驻村"
    assert not Highlight.objects.exists()
