"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API against
pytest-django's live_server.

Use the ``page`` (or ``phone_page``) fixture and ``login(page, username)``; mark the test
``@pytest.mark.browser`` and ``@pytest.mark.django_db(transaction=True)`` (the live server runs in
another thread, so the data must be committed). ``town`` (tests/projects/conftest.py) gives one
user of every role, all with the factories' password.
Without Chromium or Playwright the tests skip locally and fail in CI (CI=true).
Screenshots go to test-artifacts/screenshots/ (git-ignored; CI keeps the folder) via
``screenshot(page, name)``.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import _unavailable
from tests.projects.conftest import town  # noqa: F401  (a town with one person of every role)

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to be called
# from the test body (factories, assertions) without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("GONGJIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The password every factory user has (tests/factories.py).
PASSWORD = "pw-for-tests-1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def _playwright():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def browser_context(browser, live_server):
    """A fresh context (cookies, storage) per test, with its base URL on the live server."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def plain_http(settings):
    """The live server speaks plain HTTP; production settings (DEBUG off) would insist on HTTPS."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    yield page
    page.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page the size of a phone, for the team member reporting from the site."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, username: str, password: str = PASSWORD, next_path: str = "") -> None:
    """Log in through the login page as a user would; lands on next_path (or the dashboard)."""
    url = "/accounts/login/" + (f"?next={next_path}" if next_path else "")
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")
    if "/accounts/login/" in page.url:
        raise AssertionError(f"login as {username} failed: still on {page.url}")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
