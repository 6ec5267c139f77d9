"""Real headless Chromium (Debian's) for browser tests, driven by Playwright.

`browser_as(user)` opens a page logged in as that user against the live server;
`browser_as(None)` opens one with no login. Screenshots land under var/screenshots/, or
under SCREENSHOT_DIR when it is set.
"""

from __future__ import annotations

import os
import re
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


# Words a Japanese page may show in Latin letters: names of the product's standards, file
# formats and technical terms that Japanese writes in Latin letters (Webhook), and the
# language switch, which names English in English on purpose.
# Codes (anything with a digit, upper-case codes of two or three letters such as ISO
# country and currency codes, units and Incoterms), URLs and e-mail addresses are removed
# by pattern before the check, and each journey adds the names its fixtures made.
ALLOWED_LATIN = frozenset(
    {"NACCS", "EPA", "AEO", "PDF", "CSV", "API", "QR", "SHA", "JPEG", "OpenAPI", "Webhook", "English", "kg"}
)
_NOT_WORDS = [
    re.compile(r"https?://\S+"),
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    re.compile(r"[\w-]+\.(?:pdf|png|jpe?g|csv|tiff?)\b", re.IGNORECASE),  # names of uploaded files
    re.compile(r"\S*\d\S*"),  # codes: tariff codes, declaration numbers, references, dates
    re.compile(r"(?<![A-Za-z])[A-Z]{2,3}(?![A-Za-z])"),  # ISO country and currency codes, units, Incoterms
]
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_YEN_WITHOUT_SEPARATORS = re.compile(r"[¥￥] ?\d{4,}")
# The innermost elements that reach past the window's right edge (a hint at what widens a page).
_WIDEST_ELEMENTS = """() => {
    const past = element => element.getBoundingClientRect().right > window.innerWidth + 0.5;
    return Array.from(document.body.querySelectorAll("*"))
        .filter(element => past(element) && !Array.from(element.children).some(past))
        .slice(0, 3)
        .map(element => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
            + (typeof element.className === "string" && element.className.trim()
                ? "." + element.className.trim().split(/\\s+/).join(".") : ""));
}"""


def untranslated_words(text: str, *, allowed: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The words of three or more Latin letters left in `text` once codes, URLs, e-mail
    addresses, ALLOWED_LATIN and the `allowed` names are removed, in order of appearance."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    words = [word for word in _LATIN_WORD.findall(text) if word not in ALLOWED_LATIN]
    return list(dict.fromkeys(words))


class Journey:
    """Watches one page through a user journey: every JavaScript error, console error and
    HTTP response of 500 or more, and on each page visited (`step`) a page wider than the
    window, an amount in yen without thousands separators and, in Japanese, the English
    left on it. `step` also takes a screenshot named journey-language-viewport-step.
    `problems` lists what went wrong, page by page; the test asserts it is empty at the end,
    so one run reports every page."""

    def __init__(self, page, *, name: str, language: str, viewport: str, allowed: set[str] = frozenset()):
        self.page = page
        self.prefix = f"{name}-{language}-{viewport}"
        self.language = language
        self.allowed = frozenset(allowed)
        self.problems: list[str] = []
        page.emulate_media(reduced_motion="reduce")
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error on {page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                message.type == "error" and self.problems.append(f"console error on {page.url}: {message.text}")
            ),
        )
        page.on(
            "response",
            lambda response: response.status >= 500 and self.problems.append(f"HTTP {response.status} {response.url}"),
        )

    def step(self, name: str) -> None:
        """Checks the page as it is now and takes its screenshot."""
        self.page.wait_for_load_state()
        screenshot(self.page, f"{self.prefix}-{name}")
        text = self.page.evaluate("document.body.innerText")
        width, viewport = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > viewport:
            wide = ", ".join(self.page.evaluate(_WIDEST_ELEMENTS))
            self.problems.append(
                f"the page scrolls sideways on {self.page.url} ({name}): {width} px in {viewport} px, past: {wide}"
            )
        unseparated = _YEN_WITHOUT_SEPARATORS.findall(text)
        if unseparated:
            self.problems.append(f"yen without separators on {self.page.url} ({name}): {', '.join(unseparated)}")
        if self.language == "ja":
            words = untranslated_words(text, allowed=self.allowed)
            if words:
                self.problems.append(f"untranslated on {self.page.url} ({name}): {', '.join(words)}")

    def assert_no_problems(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def charts_drawn(page, selector: str = "canvas") -> list[tuple[int, int]]:
    """For each canvas matching `selector`: how many values its Chart.js chart plots
    (-1 when no chart is bound to it) and how many of its pixels are painted. A chart
    with data but nothing painted, or axes painted around no data, shows here."""
    return page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector)).map(canvas => {
            const chart = window.Chart && Chart.getChart(canvas);
            const values = chart ? chart.data.datasets.flatMap(set => set.data).filter(v => v !== null).length : -1;
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
            return [values, painted];
        })""",
        selector,
    )
