"""Real headless Chromium (Debian's) for browser tests, driven by Playwright.

`browser_as(user)` opens a page logged in as that user against the live server;
`browser_as(None)` opens one with no login. Screenshots land under var/screenshots/, or
under SCREENSHOT_DIR when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Where CI keeps its logs; SCREENSHOT_DIR moves them (a relative path is from the repository).
SCREENSHOTS = Path(settings.BASE_DIR) / os.environ.get("SCREENSHOT_DIR", "var/screenshots")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module. Playwright's sync API keeps an event loop marked as
    running in this thread while it is open, which Django's async guard sees; the tests'
    own ORM calls stay synchronous, so the guard is lifted for the module only and the
    variable never reaches other tests or their subprocesses."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (scripts/ensure_browser.sh).")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()


@pytest.fixture
def browser_as(chromium, live_server):
    contexts = []

    def open_page(user, *, language: str = "en", viewport: dict | None = None):
        context = chromium.new_context(
            base_url=live_server.url, locale=language, viewport=viewport or {"width": 1280, "height": 900}
        )
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
